"""A new trainee's first plan, in a real browser, on a real Voila page, with a real store behind it."""

from __future__ import annotations

import pytest

from itp_toolkit.store import PlanStore
from tests.browser.conftest import TIMEOUT_MS, screenshot

pytestmark = pytest.mark.browser

HOSTILE_STATEMENT = "Drinks to sleep <script>window.__pwned = 1</script>"
HOSTILE_EVIDENCE = '4-5 drinks most nights <img src=x onerror="window.__pwned = 1; alert(1)">'
HOSTILE_INTERVENTION = (
    '<a href="javascript:window.__pwned=1;alert(2)">click me</a> sleep diary reviewed weekly'
)


def type_into(locator, text: str) -> None:
    """Click a field and type, key by key, as a person does."""
    locator.click()
    locator.press_sequentially(text)


def open_case(pg, base_url: str, title_part: str) -> None:
    pg.goto(base_url + "/", wait_until="commit", timeout=TIMEOUT_MS)
    picker = pg.locator(".itp-case-picker select")
    picker.wait_for(timeout=TIMEOUT_MS)
    label = next(o for o in picker.locator("option").all_inner_texts() if title_part in o)
    picker.select_option(label=label)
    pg.locator("button.itp-open-case").click()
    pg.locator(".itp-plan-editor").wait_for(timeout=TIMEOUT_MS)


def draft_problem(
    pg,
    n: int,
    statement: str,
    evidence: str,
    goal: str,
    objective: str,
    measure: str,
    baseline: str,
    target: str,
    week: str | None,
    intervention: str,
) -> None:
    pg.locator("button.itp-add-problem").click()
    problem = pg.locator(".itp-element.itp-problem").nth(n)
    problem.wait_for()
    type_into(problem.locator(".itp-problem-statement input"), statement)
    problem.locator(".itp-problem-evidence textarea").fill(evidence)
    problem.locator("button.itp-add-goal").first.click()
    goal_card = problem.locator(".itp-element.itp-goal").first
    goal_card.wait_for()
    type_into(goal_card.locator(".itp-goal-statement input"), goal)
    goal_card.locator("button.itp-add-objective").first.click()
    obj = goal_card.locator(".itp-element.itp-objective").first
    obj.wait_for()
    type_into(obj.locator(".itp-objective-description input"), objective)
    obj.locator(".itp-objective-measure input").fill(measure)
    obj.locator(".itp-objective-baseline input").fill(baseline)
    obj.locator(".itp-objective-target input").fill(target)
    if week is not None:
        obj.locator(".itp-objective-target-week input").fill(week)
    obj.locator("button.itp-add-intervention").first.click()
    inter = obj.locator(".itp-element.itp-intervention").first
    inter.wait_for()
    type_into(inter.locator(".itp-intervention-description textarea"), intervention)


def test_a_new_trainee_drafts_fixes_a_finding_submits_and_finds_the_plan_after_reload(
    page, voila_trainee, trainee_site
):
    pg, watch = page
    open_case(pg, voila_trainee.base_url, "worry")
    draft_problem(
        pg,
        0,
        "Panic attacks keep her out of lectures",
        "left 3 of 5 lectures last week; 2 attacks a week",
        "I want to sit an exam without running out",
        "Stays through 4 of 5 lectures a week",
        "lectures attended",
        "2",
        "4",
        None,
        "Graded exposure to the lecture hall, planned with her in session",
    )
    draft_problem(
        pg,
        1,
        HOSTILE_STATEMENT,
        HOSTILE_EVIDENCE,
        "Fall asleep without a drink",
        "Falls asleep within 30 minutes",
        "nights a week",
        "1",
        "5",
        "8",
        HOSTILE_INTERVENTION,
    )
    # The first objective has no target week yet: critique says so...
    missing_date = pg.locator(".itp-finding", has_text="no target week or date")
    missing_date.first.wait_for(timeout=TIMEOUT_MS)
    assert missing_date.count() == 1
    # ...and stops saying so once the trainee gives one.
    first_objective = pg.locator(".itp-element.itp-objective").first
    type_into(first_objective.locator(".itp-objective-target-week input"), "6")
    pg.wait_for_function(
        "() => ![...document.querySelectorAll('.itp-finding')]"
        ".some(b => b.textContent.includes('no target week or date'))",
        timeout=TIMEOUT_MS,
    )
    # Autosave, without pressing anything.
    pg.locator(".itp-autosave.itp-save-saved", has_text="revision").wait_for(timeout=TIMEOUT_MS)
    # The banner follows the saves: the draft is in progress, never "Not started" beside "Saved as revision".
    pg.locator(".itp-draft-status .itp-state", has_text="Draft in progress").wait_for(timeout=TIMEOUT_MS)
    assert "Not started" not in pg.locator(".itp-draft-status").inner_text()
    # Hostile text is shown as text (in the outline headers and the revision diff) and runs nothing.
    pg.locator(
        ".itp-trainee-lower .p-Accordion-header, .itp-trainee-lower .jupyter-widget-Collapse-header, "
        ".itp-trainee-lower .lm-Accordion-header"
    ).filter(has_text="Revisions").first.click()
    pg.locator(".itp-history-summary", has_text="revision").first.wait_for(timeout=TIMEOUT_MS)
    pg.locator(".itp-element-header", has_text="<script>").first.wait_for(timeout=TIMEOUT_MS)
    screenshot(pg, "trainee-drafted")
    pg.locator("button.itp-submit").click()
    pg.locator(".itp-draft-status", has_text="Submitted").wait_for(timeout=TIMEOUT_MS)
    assert pg.evaluate("() => window.__pwned") is None
    assert watch.dialogs == []

    # The store has it, exactly as typed.
    store = PlanStore.open(trainee_site.store_url)
    try:
        draft = store.list_drafts(owner=trainee_site.user, actor="admin")[0]
        assert draft.status == "submitted"
        saved = store.get_revision(draft.id, actor=trainee_site.user)
    finally:
        store.close()
    assert [p.statement for p in saved.problems] == [
        "Panic attacks keep her out of lectures",
        HOSTILE_STATEMENT,
    ]
    assert saved.problems[1].evidenced_by == HOSTILE_EVIDENCE
    assert saved.problems[0].goals[0].objectives[0].target_week == 6

    # A new visit finds the plan as it was left: first as its outline (the trainee's text shown as text),
    pg.reload(wait_until="commit")
    outline = pg.locator(".itp-plan-outline-view .itp-review-plan")
    outline.wait_for(timeout=TIMEOUT_MS)
    assert HOSTILE_STATEMENT in outline.inner_text()
    assert pg.locator(".itp-plan-editor").count() == 0
    screenshot(pg, "trainee-reloaded-outline")
    # then in the editor (read-only: it is submitted) when the trainee opens the case.
    open_case(pg, voila_trainee.base_url, "worry")
    statements = pg.locator(".itp-problem-statement input")
    statements.nth(1).wait_for(timeout=TIMEOUT_MS)
    assert [statements.nth(i).input_value() for i in range(statements.count())] == [
        "Panic attacks keep her out of lectures",
        HOSTILE_STATEMENT,
    ]
    assert pg.locator(".itp-objective-target-week input").first.input_value() == "6"
    assert pg.locator(".itp-intervention-description textarea").nth(1).input_value() == HOSTILE_INTERVENTION
    pg.locator(".itp-draft-status", has_text="Submitted").wait_for(timeout=TIMEOUT_MS)
    screenshot(pg, "trainee-reloaded")
    assert pg.evaluate("() => window.__pwned") is None
    assert watch.dialogs == []
    assert watch.unexpected_errors() == [], watch.console_errors
