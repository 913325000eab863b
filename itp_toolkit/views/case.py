"""What the trainee sees of a case, as plain data: sections, revealed events and pickable facts.

Everything goes through ``CaseStudy.for_trainee()`` first, so teaching notes, discussion questions and the
reference plan can never reach a trainee's screen through these functions, whatever the caller passes.
Text is returned raw, except from ``case_document``, which builds the escaped HTML the case viewer shows.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup

from ..library.interventions import library_choices, load_intervention_library
from ..model import CaseStudy, TimelineEvent
from ..model.base import isolate
from ..model.measures import severity_label
from . import html


@dataclass(frozen=True)
class Section:
    """A titled block of the case narrative: a heading and its paragraphs or list items."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


CHIP_CHARS = 70
"""The longest fact text on a link's chip (chips wrap; the case document has the full text)."""
PICKER_CHARS = 36
"""The longest option text a picker shows (about 270 px at the page's 15 px type): a select cannot wrap,
and the editor's cards are 300-500 px wide at 1280 px. The full text is in the case document beside."""


@dataclass(frozen=True)
class FactChoice:
    """A case fact offered in a picker: its id, kind, a label the trainee recognises (on a link's chip,
    which wraps) and ``option``, the label cut to what fits a dropdown."""

    id: str
    kind: str  # 'concern', 'strength', 'barrier', 'quote', 'event'
    label: str
    text: str = field(repr=False, default="")
    option: str = ""


def _demographics(case: CaseStudy) -> tuple[str, ...]:
    d = case.demographics
    age = f"{d.age} years old" if d.age is not None else f"age {d.age_band}"
    lines = [f"{age}, {d.gender}" + (f" ({d.pronouns})" if d.pronouns else "")]
    if d.occupation:
        lines.append(f"Occupation: {d.occupation}")
    if d.living_situation:
        lines.append(f"Living situation: {d.living_situation}")
    lines.append(f"Setting: {case.setting}")
    return tuple(lines)


def _diagnosis(d) -> str:
    code = f" ({d.system + ' ' if d.system else ''}{d.code})" if d.code else ""
    return f"{d.label}{code}" + (" — provisional" if d.provisional else "")


def revealed_events(case: CaseStudy, week: int) -> list[TimelineEvent]:
    """Timeline events the trainee may know about at exercise ``week``, in order."""
    return case.for_trainee().events_until(week)


def case_sections(case: CaseStudy, week: int = 0) -> list[Section]:
    """The case narrative in reading order, for the trainee, as known at ``week``."""
    c = case.for_trainee()
    scores = [
        f"{m.instrument} week {m.week}: {m.score:g} ({severity_label(m.instrument, m.score)})"
        for m in sorted(c.measures_until(week), key=lambda m: (m.week, m.instrument))
    ]
    sections = [
        Section("person", "The person and the setting", items=_demographics(c)),
        Section(
            "concerns",
            "Presenting concerns",
            items=tuple(
                f"{pc.summary}" + (f" — {pc.frequency_intensity}" if pc.frequency_intensity else "")
                for pc in c.presenting_concerns
            ),
        ),
        Section("history", "History", paragraphs=(c.history,)),
        Section("context", "Cultural and social context", paragraphs=(c.cultural_social_context,)),
    ]
    if c.mental_status:
        sections.append(Section("mental_status", "Mental status", paragraphs=(c.mental_status,)))
    sections += [
        Section("formulation", "Formulation", paragraphs=(c.formulation,)),
        Section("diagnosis", "Working diagnosis", items=tuple(_diagnosis(d) for d in c.working_diagnosis)),
        Section(
            "risk",
            "Risk",
            paragraphs=(f"Level: {c.risk.level}. {c.risk.summary}",)
            + (("A safety plan is needed.",) if c.risk.safety_plan_needed else ()),
        ),
        Section("strengths", "Strengths and natural supports", items=tuple(s.text for s in c.strengths)),
        Section(
            "barriers",
            "Barriers to care",
            items=tuple(f"{b.text} ({b.kind.replace('_', ' ')})" for b in c.barriers),
        ),
        Section(
            "words", "In their own words", items=tuple(f"“{q.text}” ({q.kind})" for q in c.patient_words)
        ),
    ]
    if scores:
        sections.append(Section("measures", "Scores so far", items=tuple(scores)))
    events = revealed_events(c, week)
    if events:
        sections.append(
            Section(
                "timeline",
                "What has happened since intake",
                paragraphs=tuple(f"Week {e.week} — {isolate(e.title)}: {e.description}" for e in events),
            )
        )
    return sections


def first_words(text: str, limit: int = PICKER_CHARS) -> str:
    """The first words of ``text`` that fit in ``limit`` characters, cut at a space, with "…" when cut:
    an option a dropdown shows whole ("Her grandmother, who lives with the…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and text[limit - 1] != " ":
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-—") + "…"


def picker_options(case: CaseStudy, kind: str) -> list[tuple[str, str]]:
    """(option, id) for a plan field that names one fact of the case: ``quote`` (the person's words, in
    quotation marks), ``strength``, ``barrier`` or ``concern``. Options are the facts' first words
    (``first_words``): the case document shows each in full."""
    c = case.for_trainee()
    if kind == "quote":
        return [(f"“{first_words(q.text, PICKER_CHARS - 2)}”", q.id) for q in c.patient_words]
    texts = {
        "strength": [(s.text, s.id) for s in c.strengths],
        "barrier": [(b.text, b.id) for b in c.barriers],
        "concern": [(pc.summary, pc.id) for pc in c.presenting_concerns],
    }[kind]
    return [(first_words(text), fact_id) for text, fact_id in texts]


def library_options(case: CaseStudy) -> list[tuple[str, str]]:
    """(option, item id) for the intervention library's picker: each treatment's name (its first words if
    long), the families suggested for this case first, in ``library_choices``' order."""
    names = {i.id: i.modality for f in load_intervention_library().families for i in f.items}
    return [(first_words(names[item_id], 44), item_id) for _, item_id in library_choices(case)]


def fact_choices(case: CaseStudy, week: int | None = None) -> list[FactChoice]:
    """Facts a plan element can link to: concerns, strengths, barriers, quotes, events shown by ``week``.
    Each is labelled on its chip with up to ``CHIP_CHARS`` of its text, and in a dropdown with fewer."""
    c = case.for_trainee()
    events = c.timeline if week is None else c.events_until(week)
    found = [("concern", pc.id, "Concern: {}", pc.summary) for pc in c.presenting_concerns]
    found += [("strength", s.id, "Strength: {}", s.text) for s in c.strengths]
    found += [("barrier", b.id, "Barrier: {}", b.text) for b in c.barriers]
    found += [("quote", q.id, "Quote: “{}”", q.text) for q in c.patient_words]
    found += [("event", e.id, f"Week {e.week}: {{}}", e.title) for e in events]
    return [
        FactChoice(
            fid, kind, label.format(first_words(text, CHIP_CHARS)), text, label.format(first_words(text, 26))
        )
        for kind, fid, label, text in found
    ]


def fact_label(case: CaseStudy, fact_id: str) -> str:
    """The picker label of a fact; a link to a fact the case lacks says so, without showing its id."""
    for choice in fact_choices(case):
        if choice.id == fact_id:
            return choice.label
    return "A fact that is not in this case (remove this link)"


def measures_alt(case: CaseStudy, week: int) -> str:
    """The plot's text alternative: each instrument's scores by week, in words."""
    from .measures import measure_series

    series = measure_series(case, week)
    if not series:
        return f"No scores recorded by week {week}."
    lines = []
    for s in series:
        points = ", ".join(f"week {w} {v:g}" for w, v in zip(s.weeks, s.scores, strict=True))
        lines.append(f"{s.instrument.name}: {points}.")
    return " ".join(lines)


def case_document(
    case: CaseStudy,
    week: int = 0,
    *,
    plot_png: bytes | None = None,
    sections: Iterable[str] | None = None,
) -> str:
    """The case as one escaped HTML document: a table of contents, then every section under its heading.

    Sections are ``<section id="itp-case-KEY">`` so the contents' links jump to them; the timeline reads as
    a list of dated events; ``plot_png`` (the scores plot) ends it as an image with a text alternative.
    Text goes through ``views.html`` (escaped), so a case's words stay words.
    """
    keep = None if sections is None else set(sections)
    shown = [s for s in case_sections(case, week) if keep is None or s.key in keep]
    toc_entries = [(html.css_token(s.key), s.title) for s in shown]
    if plot_png is not None:
        toc_entries.append(("plot", "Scores over the weeks"))
    c = case.for_trainee()
    toc = html.element(
        "nav",
        html.element("h4", "Contents")
        + html.element(
            "ol",
            html.join(
                html.element("li", html.element("a", title, href=f"#itp-case-{key}"))
                for key, title in toc_entries
            ),
        ),
        cls="itp-toc",
        aria_label="Case contents",
    )
    parts = [html.element("h2", c.title, cls="itp-case-title"), toc]
    for s in shown:
        key = html.css_token(s.key)
        body = html.join(html.element("p", p) for p in s.paragraphs)
        if s.items:
            body += html.element("ul", html.join(html.element("li", i) for i in s.items))
        parts.append(
            html.element(
                "section",
                html.element("h3", s.title, id=f"itp-case-{key}-title") + body,
                id=f"itp-case-{key}",
                cls=f"itp-case-section itp-case-{key}",
                aria_labelledby=f"itp-case-{key}-title",
            )
        )
    if plot_png is not None:
        uri = "data:image/png;base64," + base64.b64encode(plot_png).decode("ascii")
        parts.append(
            html.element(
                "section",
                html.element("h3", f"Scores over the weeks (exercise week {week})", id="itp-case-plot-title")
                + html.element(
                    "figure",
                    Markup('<img class="itp-measure-plot" src="{}" alt="{}">').format(
                        uri, measures_alt(c, week)
                    ),
                ),
                id="itp-case-plot",
                cls="itp-case-section itp-case-plot",
                aria_labelledby="itp-case-plot-title",
            )
        )
    return str(html.element("article", html.join(parts), cls="itp-doc itp-case-document"))
