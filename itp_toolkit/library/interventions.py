"""The intervention library: evidence-based options per presenting-problem family.

Trainees pick an option to pre-fill an intervention, then adapt it to the person. The library's wording is
deliberately generic, so an intervention whose description is still the library ``template`` is
cookie-cutter text; ``library_texts()`` gives critique those templates to compare plan text against.
Pure data and lookups: depends on the model only, so ``itp_toolkit.checks`` may import it.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from ..model import CaseStudy, TreatmentPlan, editing
from ..model.base import ElementId, ModelBase, ShortText
from ..model.plan import Delivery, Format
from . import DATA_DIR

LIBRARY_PATH = DATA_DIR / "intervention_library.yaml"


class LibraryIntervention(ModelBase):
    """One evidence-based option, worded generically on purpose: the trainee must adapt it."""

    id: ElementId = Field(description="Stable library id, e.g. 'lib-dep-ba'.")
    modality: ShortText = Field(description="The named treatment, e.g. 'Behavioural activation'.")
    template: ShortText = Field(
        description="Generic description a planner library would give; to be adapted."
    )
    format: Format = "individual"
    delivery: Delivery = "in_person"
    frequency: ShortText = Field(description="Usual protocol frequency.")
    duration: ShortText = Field(description="Usual protocol length.")
    evidence_base: ShortText = Field(description="Named guideline or primary source.")


class ProblemFamily(ModelBase):
    """A presenting-problem family (depression, PTSD ...) and its options."""

    id: str
    label: ShortText
    items: list[LibraryIntervention] = Field(min_length=1)


class InterventionLibrary(ModelBase):
    """All families, in the order the picker shows them."""

    families: list[ProblemFamily]

    def item(self, item_id: str) -> LibraryIntervention:
        """The option with this id; KeyError if the library has none."""
        for family in self.families:
            for item in family.items:
                if item.id == item_id:
                    return item
        raise KeyError(item_id)

    def family(self, family_id: str) -> ProblemFamily:
        for family in self.families:
            if family.id == family_id:
                return family
        raise KeyError(family_id)


@lru_cache(maxsize=4)
def load_intervention_library(path: str | None = None) -> InterventionLibrary:
    """The library shipped with the toolkit (or another file); InvalidInput with lines if it is malformed."""
    from ..formats.files import (
        load_model,  # files imports the model only; kept local so checks can import us cheaply
    )

    return load_model(path or LIBRARY_PATH, InterventionLibrary)


def library_texts() -> list[str]:
    """Every template, for critique's cookie-cutter comparison."""
    return [item.template for family in load_intervention_library().families for item in family.items]


def is_unadapted(description: str) -> bool:
    """True when a description is still, word for word, a library template (case and spacing ignored)."""
    normalized = " ".join(description.lower().split())
    return any(normalized == " ".join(t.lower().split()) for t in library_texts())


# Diagnosis code prefixes (ICD-10-CM, also used with DSM-5-TR) and words that suggest each family.
_FAMILY_CODES: dict[str, tuple[str, ...]] = {
    "depression": ("F32", "F33", "F34.1"),
    "anxiety": ("F40", "F41"),
    "ptsd": ("F43.1",),
    "substance_use": ("F10", "F11", "F12", "F13", "F14", "F15", "F16", "F18", "F19"),
    "psychosis": ("F20", "F21", "F22", "F23", "F25", "F28", "F29"),
    "perinatal": ("F53", "O99.34"),
    "chronic_pain": ("F45.4", "G89", "M54", "M79.7"),
    "grief": ("F43.8",),
}
_FAMILY_WORDS: dict[str, tuple[str, ...]] = {
    "depression": ("depress",),
    "anxiety": ("anxiety", "panic", "phobi"),
    "ptsd": ("posttraumatic", "post-traumatic", "ptsd"),
    "substance_use": ("alcohol", "substance", "opioid", "cannabis", "stimulant use", "cocaine"),
    "psychosis": ("psychosis", "psychotic", "schizo"),
    "perinatal": ("perinatal", "postpartum", "postnatal", "peripartum", "antenatal"),
    "chronic_pain": (
        "chronic pain",
        "pain disorder",
        "back pain",
        "sciatica",
        "fibromyalgia",
        "neuropathic pain",
    ),
    "grief": ("grief", "bereave"),
}


def suggested_families(case: CaseStudy) -> list[str]:
    """Family ids that fit the case's working diagnoses, concerns and age, in library order."""
    text = " ".join(
        [d.label for d in case.working_diagnosis] + [c.summary for c in case.presenting_concerns]
    ).lower()
    found: set[str] = set()
    for diagnosis in case.working_diagnosis:
        code = (diagnosis.code or "").upper()
        for family, prefixes in _FAMILY_CODES.items():
            # F15 also codes caffeine-induced disorders, which are not a substance use disorder.
            if (
                code
                and code.startswith(prefixes)
                and not (family == "substance_use" and "caffeine" in diagnosis.label.lower())
            ):
                found.add(family)
    for family, words in _FAMILY_WORDS.items():
        if any(w in text for w in words):
            found.add(family)
    if any(m.instrument == "EPDS" for m in case.measures):
        found.add("perinatal")
    if case.demographics.age is not None and case.demographics.age < 18:
        found.add("adolescent")
    return [f.id for f in load_intervention_library().families if f.id in found]


def library_choices(case: CaseStudy | None = None) -> list[tuple[str, str]]:
    """(label, item id) pairs for a picker: the case's suggested families first, then the rest."""
    library = load_intervention_library()
    suggested = suggested_families(case) if case is not None else []
    order = suggested + [f.id for f in library.families if f.id not in suggested]
    choices: list[tuple[str, str]] = []
    for family_id in order:
        family = library.family(family_id)
        mark = " (suggested)" if family_id in suggested else ""
        choices.extend((f"{family.label}{mark}: {item.modality}", item.id) for item in family.items)
    return choices


def apply_library_intervention(
    plan: TreatmentPlan, objective_id: str, item: LibraryIntervention, *, element_id: str | None = None
) -> TreatmentPlan:
    """An intervention pre-filled from the library, for the trainee to adapt.

    The description is the library's generic template, word for word: until the trainee rewrites it for
    this person, critique's cookie-cutter check recognises it (``is_unadapted``). Frequency, duration and
    evidence base are the protocol's usual values, to be fitted to the case too.
    """
    return editing.add_intervention(
        plan,
        objective_id,
        item.template,
        element_id=element_id,
        modality=item.modality,
        format=item.format,
        delivery=item.delivery,
        frequency=item.frequency,
        duration=item.duration,
        evidence_base=item.evidence_base,
    )
