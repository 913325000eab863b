"""Odd Unicode and text at its limits, through every free-text field of the store, on SQLite and PostgreSQL.

"Intact" means code point for code point: right-to-left text keeps its override marks, emoji sequences keep
their joiners, a decomposed é stays decomposed (no normalisation), and a field at its limit comes back whole.
One character over the limit, or a NUL (which PostgreSQL text cannot hold), is refused with the field named,
and nothing already saved changes.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings

from itp_toolkit.checks.rubrics import default_rubric
from itp_toolkit.errors import InvalidInput
from itp_toolkit.model import TreatmentPlan
from itp_toolkit.model.base import LONG_TEXT_MAX, NUL_MESSAGE, SHORT_TEXT_MAX
from tests.conftest import examples
from tests.fuzz.strategies import ODD_CHARACTERS, treatment_plans
from tests.store.conftest import CASE_ID, Clinic, make_plan

RTL = (
    "\u05d0\u05e0\u05d9 \u05e8\u05d5\u05e6\u05d4 \u2014 "
    "\u0623\u0631\u064a\u062f \u202e\u05d3\u05d5\u05d2\u05de\u05d4\u202c \u200f12:30"
)
EMOJI = (
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 "
    "\U0001f1f3\U0001f1ff \U0001f44d\U0001f3fd \u2764\ufe0f"
)
COMBINING = (
    "Z\u0324\u0354\u0367\u0311a\u0308\u0356\u032dl\u036e\u0312g\u030c\u0317o\u0319\u0314 "
    "cafe\u0301 \U0002070e"
)
SAMPLES = [RTL, EMOJI, COMBINING, "".join(ODD_CHARACTERS).strip(), "tab\there\nnew line\u2028separator"]


def fill(seed: str, limit: int) -> str:
    """``seed`` repeated to exactly ``limit`` code points, not ending in whitespace (the model strips it)."""
    text = (seed + " ") * (limit // (len(seed) + 1) + 1)
    text = text[:limit]
    return text[:-1] + "x" if text[-1].isspace() else text


def test_the_samples_are_not_already_normalised():
    assert unicodedata.normalize("NFC", COMBINING) != COMBINING
    assert "\u202e" in RTL and "\u200d" in EMOJI


@pytest.mark.parametrize("sample", SAMPLES)
def test_odd_unicode_in_every_free_text_field_comes_back_intact(clinic: Clinic, sample: str):
    store, admin, sup = clinic.store, clinic.admin, clinic.supervisor
    person = store.add_person("dee", f"Dee {sample}", "trainee", actor=admin)
    cohort = store.add_cohort(f"Cohort {sample}", actor=admin)
    plan = make_plan(f"Worry {sample}")
    plan.notes = sample
    plan.problems[0].goals[0].objectives[0].interventions[0].description = f"CBT {sample}"
    draft = store.start_draft(CASE_ID, actor=clinic.trainee)
    store.save_revision(draft.id, plan, based_on=0, actor=clinic.trainee)
    note = store.add_annotation(draft.id, f"Comment {sample}", element_id="prb-worry", actor=sup)
    reply = store.reply(note.id or 0, f"Reply {sample}", actor=sup)
    rubric = default_rubric()
    store.add_score(draft.id, rubric.id, rubric.criteria[0].id, 3, comment=f"Score {sample}", actor=sup)
    workshop = store.create_workshop(
        CASE_ID, title=f"Workshop {sample}", cohort_id=clinic.cohort_a, actor=sup
    )

    assert store.find_person("dee", actor=admin).display_name == person.display_name == f"Dee {sample}"
    assert [c.name for c in store.list_cohorts(actor=admin) if c.id == cohort.id] == [f"Cohort {sample}"]
    assert store.get_revision(draft.id, actor=clinic.trainee) == plan
    bodies = {a.body for a in store.list_annotations(draft.id, actor=sup)}
    assert bodies == {f"Comment {sample}", reply.body} and reply.body == f"Reply {sample}"
    assert [s.comment for s in store.list_scores(draft.id, actor=sup)] == [f"Score {sample}"]
    assert store.get_workshop(workshop.id, actor=sup).title == f"Workshop {sample}"


def test_text_exactly_at_its_limit_is_stored_whole(clinic: Clinic):
    store, sup = clinic.store, clinic.supervisor
    short = fill(f"{COMBINING} {EMOJI} {RTL}", SHORT_TEXT_MAX)
    long = fill(f"{RTL} {EMOJI} {COMBINING}", LONG_TEXT_MAX)
    assert len(short) == SHORT_TEXT_MAX and len(long) == LONG_TEXT_MAX
    plan = make_plan(short)
    plan.notes = long
    draft = store.start_draft(CASE_ID, actor=clinic.trainee)
    store.save_revision(draft.id, plan, based_on=0, actor=clinic.trainee)
    store.add_annotation(draft.id, long, actor=sup)
    store.add_person("dee", short, "trainee", actor=clinic.admin)

    saved = store.get_revision(draft.id, actor=clinic.trainee)
    assert saved.problems[0].statement == short and saved.notes == long
    assert [a.body for a in store.list_annotations(draft.id, actor=sup)] == [long]
    assert store.find_person("dee", actor=sup).display_name == short


def test_one_character_over_the_limit_is_refused_naming_the_field_and_nothing_saved_changes(clinic: Clinic):
    store, sup = clinic.store, clinic.supervisor
    draft = store.start_draft(CASE_ID, actor=clinic.trainee)
    plan = make_plan("Worry keeps her from studying")
    store.save_revision(draft.id, plan, based_on=0, actor=clinic.trainee)
    store.add_annotation(draft.id, "Good start", actor=sup)

    too_long = plan.model_dump()
    too_long["notes"] = "\U0001f9e0" * (LONG_TEXT_MAX + 1)  # astral characters: the limit counts characters
    with pytest.raises(InvalidInput) as err:
        store.save_revision(draft.id, too_long, based_on=1, actor=clinic.trainee)
    assert [p.field for p in err.value.problems] == ["notes"]
    with pytest.raises(InvalidInput) as err:
        store.add_annotation(draft.id, "x" * (LONG_TEXT_MAX + 1), actor=sup)
    assert [p.field for p in err.value.problems] == ["body"]
    with pytest.raises(InvalidInput) as err:
        store.add_person("dee", "y" * (SHORT_TEXT_MAX + 1), "trainee", actor=clinic.admin)
    assert [p.field for p in err.value.problems] == ["display_name"]

    assert [r.number for r in store.list_revisions(draft.id, actor=clinic.trainee)] == [1]
    assert store.get_revision(draft.id, actor=clinic.trainee) == plan
    assert [a.body for a in store.list_annotations(draft.id, actor=sup)] == ["Good start"]


@pytest.mark.parametrize("where", ["plan", "annotation", "display_name", "cohort", "workshop", "score"])
def test_a_nul_character_is_refused_naming_the_field_on_both_databases(clinic: Clinic, where: str):
    """PostgreSQL text cannot hold U+0000 (SQLite can): both refuse it the same way, before the database."""
    store, sup = clinic.store, clinic.supervisor
    draft = store.start_draft(CASE_ID, actor=clinic.trainee)
    plan = make_plan()
    store.save_revision(draft.id, plan, based_on=0, actor=clinic.trainee)
    bad = "before\x00after"
    attempts = {
        "plan": lambda: store.save_revision(
            draft.id, {**plan.model_dump(), "title": bad}, based_on=1, actor=clinic.trainee
        ),
        "annotation": lambda: store.add_annotation(draft.id, bad, actor=sup),
        "display_name": lambda: store.add_person("dee", bad, "trainee", actor=clinic.admin),
        "cohort": lambda: store.add_cohort(bad, actor=clinic.admin),
        "workshop": lambda: store.create_workshop(CASE_ID, title=bad, cohort_id=clinic.cohort_a, actor=sup),
        "score": lambda: store.add_score(
            draft.id, default_rubric().id, "crit-smart", 2, comment=bad, actor=sup
        ),
    }
    with pytest.raises(InvalidInput) as err:
        attempts[where]()
    assert len(err.value.problems) == 1 and NUL_MESSAGE in err.value.problems[0].message
    assert err.value.problems[0].field in {"title", "body", "display_name", "name", "comment"}
    assert store.get_revision(draft.id, actor=clinic.trainee) == plan
    assert [r.number for r in store.list_revisions(draft.id, actor=clinic.trainee)] == [1]


@settings(
    max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=treatment_plans())
def test_any_valid_plan_with_odd_text_is_read_back_exactly(clinic: Clinic, plan: TreatmentPlan):
    store = clinic.store
    draft = store.start_draft(CASE_ID, actor=clinic.trainee)  # the trainee's one draft for the case
    latest = len(store.list_revisions(draft.id, actor=clinic.trainee))
    plan = plan.model_copy(update={"case_id": CASE_ID})
    store.save_revision(draft.id, plan, based_on=latest, actor=clinic.trainee)
    assert store.get_revision(draft.id, actor=clinic.trainee) == plan
