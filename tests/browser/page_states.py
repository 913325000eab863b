"""Every page in every state, as ``itp serve`` serves it: for the page audit and ``./dev.sh screenshots``.

``build_audit_workspace`` makes a demo workspace (two supervisors, four trainees, drafts at every stage: ana
empty, ben mid-draft, chen submitted, dee's four-problem plan returned with released feedback) and adds three
workshops on the demo cohort's second case, one in each live phase, with ana, ben and chen joined.
``PAGE_STATES`` says how to bring a freshly loaded page into each state (a trainee with a saved plan finds
it reopened as its outline, "Edit plan" building the editor), using only what a person can do on
the page (pick, click, type). ``visit`` loads each state once and hands the page over at each size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itp_toolkit.checks.rubrics import default_rubric
from itp_toolkit.library.cases import load_case_library
from itp_toolkit.model import CaseStudy, TreatmentPlan
from itp_toolkit.services.workspace import DEMO_COHORT, Workspace, build_demo_workspace

SIZES = {"1280x720": (1280, 720), "1440x900": (1440, 900)}
FACILITATOR = "dr.okafor"
WORKSHOP_TRAINEES = ("ana", "ben", "chen")
WORKSHOP_TITLES = {
    "drafting": "Tuesday seminar: drafting",
    "review": "Tuesday seminar: review",
    "debrief": "Tuesday seminar: debrief",
}
LOAD_TIMEOUT_MS = 120_000
"""For the page's first control (a kernel starting on a busy machine)."""
STEP_TIMEOUT_MS = 45_000
"""For what a click or a choice brings, once the page is up."""


@dataclass(frozen=True)
class AuditSite:
    """The workspace the states run against: its cases and the join codes of its workshops."""

    workspace: Path
    first_case: CaseStudy
    workshop_case: CaseStudy
    codes: dict[str, str]


def _workshop_plan(case: CaseStudy, n: int) -> TreatmentPlan:
    """A trainee's workshop draft: the case's reference plan cut to ``n`` problems."""
    assert case.reference_plan is not None, f"{case.id} has no reference plan"
    plan = case.reference_plan.model_copy(deep=True)
    plan.problems = plan.problems[: max(1, n)]
    return plan


def build_audit_workspace(directory: Path) -> AuditSite:
    """The demo workspace plus a workshop in each of drafting, review and debrief."""
    cases = list(load_case_library().values())
    ws = build_demo_workspace(directory)
    try:
        store = ws.store()
        cohort = next(c for c in store.list_cohorts(actor=FACILITATOR) if c.name == DEMO_COHORT)
        case = next(c for c in cases[1:] if c.reference_plan is not None)
        codes: dict[str, str] = {}
        for phase, title in WORKSHOP_TITLES.items():
            workshop = store.create_workshop(
                case.id, title=title, cohort_id=cohort.id, minutes=25, actor=FACILITATOR
            )
            assert workshop.join_code
            codes[phase] = workshop.join_code
            drafts = {}
            for n, trainee in enumerate(WORKSHOP_TRAINEES, start=1):
                draft = store.join_workshop(workshop.join_code, actor=trainee)
                store.save_revision(draft.id, _workshop_plan(case, n), based_on=0, actor=trainee)
                drafts[trainee] = draft.id
            if phase in ("review", "debrief"):
                store.open_review(workshop.id, actor=FACILITATOR)
            if phase == "debrief":
                store.pick_exemplar(
                    drafts["chen"],
                    "Her own words in every goal, and a plan for the night shifts.",
                    actor=FACILITATOR,
                )
                rubric = default_rubric()
                for n, draft_id in enumerate(drafts.values()):
                    scores = {c.id: 2 + (i + n) % 3 for i, c in enumerate(rubric.criteria)}
                    store.score_draft(draft_id, rubric.id, scores, actor=FACILITATOR)
                store.open_debrief(workshop.id, actor=FACILITATOR)
        return AuditSite(ws.path, cases[0], case, codes)
    finally:
        ws.close()


def reopen(site: AuditSite) -> Workspace:
    return Workspace.open(site.workspace)


# ---------------------------------------------------------------------- getting a page into a state


def _plain(text: str) -> str:
    """An option's text as typed: no-break spaces as spaces, without the bidi isolation marks."""
    return text.replace("\xa0", " ").replace("\u2068", "").replace("\u2069", "")


def _pick(pg, selector: str, text: str) -> None:
    """Choose the option of the dropdown under ``selector`` whose label contains ``text``."""
    select = pg.locator(f"{selector} select")
    select.wait_for(timeout=LOAD_TIMEOUT_MS)
    labels = select.locator("option").all_inner_texts()
    label = next((o for o in labels if text in _plain(o)), None)
    if label is None:
        raise AssertionError(f"no option with {text!r} in {selector}: {labels}")
    select.select_option(label=label)


def _trainee_opens(pg, site: AuditSite) -> None:
    _pick(pg, ".itp-case-picker", site.first_case.title)
    pg.locator("button.itp-open-case").click()
    pg.locator(".itp-plan-editor").wait_for(timeout=LOAD_TIMEOUT_MS)
    pg.locator(".itp-autosave").first.wait_for(timeout=LOAD_TIMEOUT_MS)


EDITOR_FOCUSED_JS = "() => !!document.activeElement && !!document.activeElement.closest('.itp-plan-editor')"
"""True once the keyboard's focus is inside the plan editor."""


def _trainee_reopened(pg, site: AuditSite) -> None:
    """The page as it comes up for a trainee with a saved plan: the plan reopened as its outline."""
    pg.locator(".itp-plan-outline-view .itp-plan-document .itp-review-plan").wait_for(timeout=LOAD_TIMEOUT_MS)
    pg.get_by_role("button", name="Edit plan").wait_for(timeout=STEP_TIMEOUT_MS)


def _trainee_edits(pg, site: AuditSite) -> None:
    """The trainee presses "Edit plan" on the outline: the editor in its place, the keyboard's focus in it."""
    pg.get_by_role("button", name="Edit plan").click()
    pg.locator(".itp-plan-editor").wait_for(timeout=STEP_TIMEOUT_MS)
    pg.wait_for_function(EDITOR_FOCUSED_JS, timeout=STEP_TIMEOUT_MS)


_WEEK_JS = """() => {
  const h = [...document.querySelectorAll('#itp-case-plot-title, h2, h3')]
    .map(e => e.textContent)
    .find(t => /exercise week \\d+/.test(t));
  return h ? +h.match(/exercise week (\\d+)/)[1] : -1;
}"""


def _after_event(pg, site: AuditSite) -> None:
    """Open the case and press "Next week" (one week at a time, as the page shows each) until the case's
    first event has happened and can be revised for."""
    _trainee_opens(pg, site)
    first = min(e.week for e in site.first_case.timeline)
    pg.wait_for_function(f"() => ({_WEEK_JS})() >= 0", timeout=LOAD_TIMEOUT_MS)
    week = pg.evaluate(_WEEK_JS)
    while week < first:
        pg.locator("button.itp-next-week").click()
        pg.wait_for_function(f"() => ({_WEEK_JS})() > {week}", timeout=LOAD_TIMEOUT_MS)
        week = pg.evaluate(_WEEK_JS)
    pg.wait_for_function(
        "() => document.querySelectorAll('.itp-revise-event select option').length > 1",
        timeout=LOAD_TIMEOUT_MS,
    )


def _in_workshop(phase: str) -> Callable:
    def setup(pg, site: AuditSite) -> None:
        pg.locator(".itp-join-code input").wait_for(timeout=LOAD_TIMEOUT_MS)
        pg.locator(".itp-join-code input").fill(site.codes[phase])
        pg.locator("button.itp-join-button").click()
        pg.locator(".itp-plan-editor").wait_for(timeout=LOAD_TIMEOUT_MS)
        pg.locator(f'.itp-workshop-status .itp-workshop-phase[data-phase="{phase}"]').wait_for(
            timeout=STEP_TIMEOUT_MS
        )
        if phase == "review":
            pg.locator(".itp-peer-draft").first.wait_for(timeout=STEP_TIMEOUT_MS)

    return setup


def _supervisor_loaded(pg, site: AuditSite) -> None:
    """The supervisor's cohort and case chosen and their drafts shown (the page opens on its queue)."""
    if pg.locator(".itp-sup-drafts table").count():
        return
    _pick(pg, ".itp-sup-cohort", DEMO_COHORT)
    _pick(pg, ".itp-sup-case", site.first_case.title)
    pg.get_by_role("button", name="Show drafts").click()
    pg.locator(".itp-sup-message", has_text="drafts of").wait_for(timeout=STEP_TIMEOUT_MS)


def _supervisor_waiting(pg, site: AuditSite) -> None:
    _supervisor_loaded(pg, site)
    pg.get_by_role("tab", name=re.compile("^Waiting for you")).click()
    pg.locator(".itp-sup-queue table, .itp-sup-queue button").first.wait_for(timeout=STEP_TIMEOUT_MS)


def _supervisor_review(tool: str) -> Callable:
    def setup(pg, site: AuditSite) -> None:
        _supervisor_loaded(pg, site)
        pg.get_by_role("tab", name="Review a plan").click()
        select = pg.locator(".itp-sup-draft select")
        if select.input_value() in ("", None):
            select.select_option(index=1 if select.locator("option").count() > 1 else 0)
        pg.locator(".itp-sup-plan").first.wait_for(timeout=STEP_TIMEOUT_MS)
        pg.get_by_role("tab", name=tool).click()
        pg.get_by_role("tab", name=tool, selected=True).wait_for(timeout=STEP_TIMEOUT_MS)

    return setup


def _supervisor_compare(pg, site: AuditSite) -> None:
    _supervisor_loaded(pg, site)
    pg.get_by_role("tab", name="Compare plans").click()
    plans = pg.get_by_role("listbox", name="Plans")
    plans.select_option(index=list(range(min(3, plans.locator("option").count()))))
    pg.get_by_role("button", name="Compare side by side").click()
    pg.locator(".itp-sup-side-by-side table").first.wait_for(timeout=STEP_TIMEOUT_MS)


def _supervisor_cohort(pg, site: AuditSite) -> None:
    _supervisor_loaded(pg, site)
    pg.get_by_role("tab", name="Cohort overview").click()
    pg.get_by_role("tab", name="Cohort overview", selected=True).wait_for(timeout=STEP_TIMEOUT_MS)


def _facilitating(phase: str) -> Callable:
    def setup(pg, site: AuditSite) -> None:
        other = pg.locator("button.itp-workshop-other")
        if other.is_visible():  # running another workshop: back to the form
            other.click()
        _pick(pg, ".itp-workshop-existing", WORKSHOP_TITLES[phase])
        pg.locator("button.itp-workshop-open").click()
        pg.locator(f'.itp-workshop-phase[data-phase="{phase}"]').wait_for(timeout=STEP_TIMEOUT_MS)
        if phase == "debrief":
            pg.locator(".itp-debrief-consensus").wait_for(timeout=STEP_TIMEOUT_MS)

    return setup


def _facilitator_form(pg, site: AuditSite) -> None:
    pg.locator(".itp-workshop-form").wait_for(timeout=LOAD_TIMEOUT_MS)


def _progress_board(pg, site: AuditSite) -> None:
    _pick(pg, ".itp-progress-picker", WORKSHOP_TITLES["drafting"])
    pg.locator(".itp-progress-row").first.wait_for(timeout=STEP_TIMEOUT_MS)


def _debrief(pg, site: AuditSite) -> None:
    _pick(pg, ".itp-debrief-picker", WORKSHOP_TITLES["debrief"])
    pg.locator(".itp-debrief-consensus").wait_for(timeout=STEP_TIMEOUT_MS)


def _case_library(pg, site: AuditSite) -> None:
    _pick(pg, ".itp-library-picker", site.first_case.title)
    pg.locator(".itp-library-holder .itp-case-viewer, .itp-library-holder .widget-html").first.wait_for(
        timeout=STEP_TIMEOUT_MS
    )


def _admin(pg, site: AuditSite) -> None:
    pg.locator(".itp-admin-tabs, .itp-admin-status").first.wait_for(timeout=LOAD_TIMEOUT_MS)


def _example(first: str) -> Callable:
    def setup(pg, site: AuditSite) -> None:
        pg.locator(first).first.wait_for(timeout=LOAD_TIMEOUT_MS)

    return setup


def _landing(pg, site: AuditSite) -> None:
    pg.locator(".itp-landing .itp-page-link").first.wait_for(timeout=LOAD_TIMEOUT_MS)


@dataclass(frozen=True)
class PageState:
    name: str
    notebook: str
    user: str | None
    setup: Callable
    """Brings the page into the state; raises if the page cannot get there."""
    continues: bool = False
    """Carry on from the state before on the same page (same page and person), as a person would click
    from one to the next; otherwise the page is loaded afresh."""


PAGE_STATES: tuple[PageState, ...] = (
    PageState("landing", "index.ipynb", None, _landing),
    PageState("case-library", "case_library.ipynb", None, _case_library),
    PageState("trainee-empty-plan", "trainee_workspace.ipynb", "ana", _trainee_opens),
    PageState("trainee-released-feedback", "trainee_workspace.ipynb", "dee", _trainee_opens),
    PageState("trainee-reopened-outline", "trainee_workspace.ipynb", "dee", _trainee_reopened),
    PageState("trainee-edit-plan", "trainee_workspace.ipynb", "dee", _trainee_edits, continues=True),
    PageState("trainee-after-case-event", "trainee_workspace.ipynb", "ben", _after_event),
    PageState("trainee-workshop-drafting", "trainee_workspace.ipynb", "ana", _in_workshop("drafting")),
    PageState("trainee-workshop-review", "trainee_workspace.ipynb", "ana", _in_workshop("review")),
    PageState("supervisor-waiting", "supervisor_review.ipynb", FACILITATOR, _supervisor_waiting),
    PageState(
        "supervisor-review-comments",
        "supervisor_review.ipynb",
        FACILITATOR,
        _supervisor_review("Comments"),
        continues=True,
    ),
    PageState(
        "supervisor-review-rubric",
        "supervisor_review.ipynb",
        FACILITATOR,
        _supervisor_review("Rubric"),
        continues=True,
    ),
    PageState(
        "supervisor-compare", "supervisor_review.ipynb", FACILITATOR, _supervisor_compare, continues=True
    ),
    PageState(
        "supervisor-cohort", "supervisor_review.ipynb", FACILITATOR, _supervisor_cohort, continues=True
    ),
    PageState("facilitator-new", "facilitator.ipynb", FACILITATOR, _facilitator_form),
    *(
        PageState(
            f"facilitator-{phase}", "facilitator.ipynb", FACILITATOR, _facilitating(phase), continues=True
        )
        for phase in ("drafting", "review", "debrief")
    ),
    PageState("progress-board", "workshop_progress.ipynb", FACILITATOR, _progress_board),
    PageState("debrief-facilitator", "workshop_debrief.ipynb", FACILITATOR, _debrief),
    PageState("debrief-trainee", "workshop_debrief.ipynb", "ana", _debrief),
    PageState("admin", "admin.ipynb", "director", _admin),
    PageState("admin-supervisor", "admin.ipynb", FACILITATOR, _admin),
    PageState(
        "example-case-formulation", "examples/case_formulation.ipynb", None, _example(".itp-critique-panel")
    ),
    PageState(
        "example-cookie-cutter",
        "examples/spot_the_cookie_cutter_plan.ipynb",
        None,
        _example(".itp-compare-table"),
    ),
    PageState(
        "example-measures", "examples/measurement_based_care.ipynb", None, _example(".itp-measures-table")
    ),
)


def visit(
    context,
    server,
    site: AuditSite,
    states=PAGE_STATES,
    *,
    on_page: Callable | None = None,
    on_state: Callable | None = None,
) -> Iterator[tuple[PageState, str, Any, BaseException | None]]:
    """Bring each state about in ``context`` and yield (state, size, page, error) at each size. A state that
    ``continues`` carries on from the page before; otherwise that page is closed and a new one loaded.
    ``on_page(page)`` runs on each new page before it loads (listeners); ``on_state(state)`` before each
    state is brought about (so what the page does is put down to the right state)."""
    pg: Any = None
    broken = False
    try:
        for state in states:
            fresh = not (state.continues and pg is not None and not broken)
            if fresh:
                if pg is not None:
                    pg.close()
                pg, broken = context.new_page(), False
                if on_page is not None:
                    on_page(pg)
            if on_state is not None:
                on_state(state)
            error: BaseException | None = None
            try:
                pg.set_viewport_size({"width": 1440, "height": 900})
                if fresh:
                    pg.goto(
                        server.page(state.notebook, state.user), wait_until="commit", timeout=LOAD_TIMEOUT_MS
                    )
                state.setup(pg, site)
            except Exception as exc:  # a state that cannot be reached is reported, and the others still run
                error, broken = exc, True
            for size, (width, height) in SIZES.items():
                pg.set_viewport_size({"width": width, "height": height})
                pg.wait_for_timeout(300)  # let widgets re-lay out at the new width
                yield state, size, pg, error
    finally:
        if pg is not None:
            pg.close()
