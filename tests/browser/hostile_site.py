"""A demo workspace where every free-text field holds a markup payload or odd Unicode, for the page tests.

Trainee, supervisor and case-author text is untrusted wherever it is shown. ``build_hostile_workspace``
fills a real workspace (SQLite store, its own case library) through the toolkit's own calls:

- a case file whose every text field (title, narrative, strengths, the person's words, ...) is a payload;
- people and a cohort whose display names are payloads or right-to-left / emoji text;
- trainee plans whose every text field is a payload, and one problem statement that is odd Unicode at the
  500-character limit;
- supervisor comments, a reply, rubric score comments, released; one comment at the 20,000-character limit;
- a workshop (payload title) taken through drafting and review to its debrief, with an exemplar note.

Each payload is markup that, if it were ever parsed as HTML, would leave a trace a test can find: an element
whose id starts with ``itp-pwn``, a request to ``pwn.invalid``, a script setting ``window.__itpPwned``, a
dialog, a ``javascript:`` link, or a page hidden by injected CSS. ``INTACT`` are the texts each page must
show exactly as typed (no normalisation, no truncation, no mangled right-to-left or combining marks).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from itp_toolkit.checks.rubrics import default_rubric
from itp_toolkit.formats import files
from itp_toolkit.library.cases import load_case_library
from itp_toolkit.model import CaseStudy, TreatmentPlan
from itp_toolkit.model.base import LONG_TEXT_MAX, SHORT_TEXT_MAX
from itp_toolkit.services.workspace import Workspace

ATTACKER_HOST = "pwn.invalid"
SOURCE_CASE = "case-college-anxiety"
SUPERVISOR, SECOND_SUPERVISOR = "dr.okafor", "dr.lind"
TRAINEES = ("ana", "ben", "chen")
NEW_TRAINEE = "dee"
"""In the cohort with nothing drafted: types into the page herself."""

PAYLOADS: tuple[str, ...] = (
    "<script id=itp-pwn-script>window.__itpPwned = 'script'</script>",
    f'<img id=itp-pwn-img src="http://{ATTACKER_HOST}/img.png" onerror="window.__itpPwned=\'img\';alert(1)">',
    "<a id=itp-pwn-link href=\"javascript:window.__itpPwned='link'\">open the plan</a>",
    "<svg id=itp-pwn-svg onload=\"window.__itpPwned='svg'\"><circle r=40 /></svg>",
    f"<style id=itp-pwn-style>body{{display:none!important;background:url(http://{ATTACKER_HOST}/css.png)}}</style>",
    '<div id=itp-pwn-div style="position:fixed;inset:0;z-index:99999;background:#f00">covered</div>',
    "\"'><iframe id=itp-pwn-iframe srcdoc=\"<script>parent.__itpPwned='iframe'</script>\"></iframe>",
    "<details id=itp-pwn-details open ontoggle=\"window.__itpPwned='details'\">x</details>",
    f"<math><mtext><table><mglyph><style><img id=itp-pwn-mxss src=http://{ATTACKER_HOST}/m onerror=alert(2)>",
    "[the plan](javascript:window.__itpPwned='markdown') **bold** `code` {{7*7}} ${7*7}",
)
"""Markup a trainee or case author might paste, by accident or not: each in a plain sentence."""

RTL = (
    "\u05d0\u05e0\u05d9 \u05e8\u05d5\u05e6\u05d4 \u05dc\u05d9\u05e9\u05d5\u05df \u2014 "
    "\u0623\u0631\u064a\u062f \u0623\u0646 \u0623\u0646\u0627\u0645 "
    "\u202e\u05d3\u05d5\u05d2\u05de\u05d4\u202c 12:30"
)
EMOJI = (
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 "
    "\U0001f1f3\U0001f1ff \U0001f44d\U0001f3fd \U0001f9e0 \u2764\ufe0f"
)
COMBINING = (
    "Z\u0324\u0354\u0367\u0311\u0313a\u0308\u0356\u032d\u0308\u0307l\u036e\u0312\u036b"
    "g\u030c\u0317\u035a\u031ao\u0319\u0314\u036e\u0307\u0350\u0307 caf\u0065\u0301 \U0002070e\U00020731"
)
"""Zalgo-style stacked marks, a decomposed é (must stay decomposed) and two astral-plane CJK characters."""


def _at_limit(seed: str, limit: int) -> str:
    """``seed`` repeated to exactly ``limit`` code points (the model's unit; a cut may split a grapheme)."""
    body = ((seed + " ") * (limit // (len(seed) + 1) + 1))[: limit - 1]
    return body[:-1] + "x." if body.endswith(" ") else body + "."


LONG_STATEMENT = _at_limit(f"{COMBINING} {EMOJI}", SHORT_TEXT_MAX)
LONG_COMMENT = _at_limit(f"{RTL} {EMOJI} {COMBINING} {PAYLOADS[1]}", LONG_TEXT_MAX)
TRAINEE_NAMES = {"ana": f"Ana {RTL}", "ben": f"Ben {EMOJI}", "chen": PAYLOADS[1]}
COHORT_NAME = f"Cohort {PAYLOADS[0]}"
WORKSHOP_TITLE = f"Tuesday {PAYLOADS[5]} {RTL}"
EXEMPLAR_NOTE = f"Notice {COMBINING} {PAYLOADS[3]}"
SCORE_COMMENT = f"Voice {EMOJI} {PAYLOADS[4]}"


def payload_texts() -> Iterator[str]:
    """Payloads, each in a sentence and numbered, then the Unicode samples; endlessly."""
    for n in itertools.count():
        yield f"Sentence {n}: {PAYLOADS[n % len(PAYLOADS)]} ends here {EMOJI if n % 3 == 0 else RTL}."


def poison(model: BaseModel, texts: Iterator[str]) -> BaseModel:
    """Set every free-text field of ``model`` (and of its children) to the next of ``texts``.

    A field that refuses the text (an id, a code, a measure name) keeps its value: the validator decides
    what is free text, so nothing here has to list the fields."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            poison(value, texts)
        elif isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, BaseModel):
                    poison(item, texts)
                elif isinstance(item, str) and item:
                    try:
                        setattr(model, name, [*value[:n], next(texts), *value[n + 1 :]])
                        value = getattr(model, name)
                    except ValidationError:
                        pass
        elif isinstance(value, str) and value and name != "id" and not name.endswith("_id"):
            with contextlib.suppress(ValidationError):
                setattr(model, name, next(texts))
    return model


@dataclass(frozen=True)
class HostileSite:
    workspace: Path
    case: CaseStudy
    drafts: dict[str, int]
    workshop_id: int
    join_code: str
    plans: dict[str, TreatmentPlan]


def hostile_case(directory: Path) -> CaseStudy:
    """The college case with every text field a payload, written to ``directory`` as a case file."""
    case = load_case_library()[SOURCE_CASE].model_copy(deep=True)
    poison(case, payload_texts())
    case.patient_words[0].text = f"{RTL} {EMOJI} {COMBINING}"
    directory.mkdir(parents=True, exist_ok=True)
    files.write_model(case, directory / f"{case.id}.yaml")
    return case


def hostile_plan(case: CaseStudy, salt: int) -> TreatmentPlan:
    """The case's reference plan with every text field a payload; the first problem's statement at its
    limit."""
    assert case.reference_plan is not None
    plan = case.reference_plan.model_copy(deep=True)
    # The full reference plan (four problems): its ~1,500 widget messages on opening once lost some on the
    # way to the browser under load, and this plan was cut to one problem; the kernel's IOPub high-water
    # mark (server/page_kernel.py, docs/deploy.md) fixed that; tests/server/test_large_page_messages.py
    # keeps it fixed.
    texts = payload_texts()
    for _ in range(salt):
        next(texts)
    poison(plan, texts)
    plan.case_id = case.id
    plan.problems[0].statement = LONG_STATEMENT
    return plan


def build_hostile_workspace(directory: Path) -> HostileSite:
    directory.mkdir(parents=True, exist_ok=True)
    case = hostile_case(directory / "cases")
    ws = Workspace.init(
        directory / "workspace",
        user="director",
        display_name=PAYLOADS[6],
        case_library=directory / "cases",
        demo=True,
    )
    try:
        store = ws.store()
        admin = ws.config.user
        store.add_person(SUPERVISOR, f"Dr. Okafor {PAYLOADS[2]}", "supervisor", actor=admin)
        store.add_person(SECOND_SUPERVISOR, f"Dr. Lind {EMOJI}", "supervisor", actor=admin)
        for user in TRAINEES:
            store.add_person(user, TRAINEE_NAMES[user], "trainee", actor=admin)
        cohort = store.add_cohort(COHORT_NAME, actor=admin)
        store.add_person(NEW_TRAINEE, f"Dee {COMBINING}", "trainee", actor=admin)
        for user in (SUPERVISOR, SECOND_SUPERVISOR, *TRAINEES, NEW_TRAINEE):
            store.add_to_cohort(cohort.id, user, actor=admin)
        store.assign_case(case.id, cohort_id=cohort.id, actor=admin)

        drafts, plans = {}, {}
        for n, user in enumerate(TRAINEES):
            plan = hostile_plan(case, salt=n)
            draft = store.start_draft(case.id, actor=user)
            first = plan.model_copy(deep=True)
            first.problems = first.problems[:1]
            store.save_revision(draft.id, first, based_on=0, actor=user)  # two revisions: a diff to show
            store.save_revision(draft.id, plan, based_on=1, actor=user)
            store.submit_draft(draft.id, actor=user)
            drafts[user], plans[user] = draft.id, plan

        ana_plan, ana = plans["ana"], drafts["ana"]
        elements = list(ana_plan.elements())
        root = store.add_annotation(
            ana, LONG_COMMENT, element_id=ana_plan.problems[0].id, tags=["concern"], actor=SUPERVISOR
        )
        store.reply(root.id or 0, f"{PAYLOADS[7]} {RTL}", actor=SECOND_SUPERVISOR)
        for n, element in enumerate(elements[: len(PAYLOADS)]):
            store.add_annotation(
                ana,
                f"On this: {PAYLOADS[n]} {EMOJI}",
                element_id=element.id,
                tags=["question"],
                actor=SUPERVISOR,
            )
        store.add_annotation(ana, f"Overall: {PAYLOADS[9]}", actor=SUPERVISOR)
        rubric = default_rubric()
        for n, criterion in enumerate(rubric.criteria):
            store.add_score(ana, rubric.id, criterion.id, 2 + n % 2, comment=SCORE_COMMENT, actor=SUPERVISOR)
        store.release_feedback(ana, actor=SUPERVISOR)
        store.return_draft(ana, actor=SUPERVISOR)

        workshop = store.create_workshop(case.id, title=WORKSHOP_TITLE, cohort_id=cohort.id, actor=SUPERVISOR)
        for n, user in enumerate(TRAINEES):
            draft = store.join_workshop(workshop.join_code, actor=user)
            plan = hostile_plan(case, salt=n + 3)
            plan.problems[0].statement = f"{user}: {COMBINING} {PAYLOADS[n]}"
            store.save_revision(draft.id, plan, based_on=0, actor=user)
        store.open_review(workshop.id, actor=SUPERVISOR)
        exemplar = store.list_workshop_drafts(workshop.id, actor=SUPERVISOR)[0]
        store.pick_exemplar(exemplar.id, EXEMPLAR_NOTE, actor=SUPERVISOR)
        store.open_debrief(workshop.id, actor=SUPERVISOR)
        return HostileSite(ws.path, case, drafts, workshop.id, workshop.join_code or "", plans)
    finally:
        ws.close()
