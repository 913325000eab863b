""" "My plans" and the progress widget: a row's button opens the case; the supervisor's list and the
progress plots follow the pickers (through their Python twins)."""

from __future__ import annotations

import datetime as dt

from itp_toolkit.store import PlanStore
from itp_toolkit.widgets.my_plans import MyPlans, PlansOverview
from itp_toolkit.widgets.progress import ProgressView
from tests.conftest import shipped_cases

CASE = "case-college-anxiety"


def _clinic(tmp_path) -> tuple[PlanStore, dict]:
    store = PlanStore.open(f"sqlite:///{tmp_path / 'itp.sqlite'}")
    store.ensure_admin("admin", "Director")
    for username, name, role in [
        ("dr.o", "Dr. O", "supervisor"),
        ("ana", "Ana", "trainee"),
        ("ben", "Ben", "trainee"),
    ]:
        store.add_person(username, name, role, actor="admin")  # type: ignore[arg-type]
    cohort = store.add_cohort("Year 1", actor="admin").id
    for who in ("dr.o", "ana", "ben"):
        store.add_to_cohort(cohort, who, actor="admin")
    store.assign_case(CASE, cohort_id=cohort, due_on=dt.date(2026, 12, 3), actor="admin")
    store.assign_case("case-older-adult-bereavement", trainee="ana", actor="admin")
    cases = shipped_cases()
    return store, cases


def test_a_row_button_opens_the_case_through_the_hook(tmp_path) -> None:
    store, cases = _clinic(tmp_path)
    opened: list[str] = []
    plans = MyPlans(store, "ana", cases, on_open=opened.append, today=lambda: dt.date(2026, 11, 30))
    assert [(r.case_id, r.state, r.due) for r in plans.rows] == [
        (CASE, "not started", "due in 3 days"),
        ("case-older-adult-bereavement", "not started", "no due date"),
    ]
    buttons = [c for c in plans.grid.children if getattr(c, "description", "") == "Start"]
    assert len(buttons) == 2
    buttons[0].click()
    plans.open_case("case-not-mine")
    assert opened == [CASE] and "not on your list" in plans.message.value


def test_after_a_return_the_list_says_so_with_the_new_feedback(tmp_path) -> None:
    store, cases = _clinic(tmp_path)
    draft = store.start_draft(CASE, actor="ana").id
    store.save_revision(draft, store.blank_plan(draft, actor="ana"), based_on=0, actor="ana")
    store.submit_draft(draft, actor="ana")
    store.add_annotation(draft, "Say which exam", actor="dr.o")
    store.return_draft(draft, actor="dr.o")
    plans = MyPlans(store, "ana", cases, today=lambda: dt.date(2026, 12, 5))
    first = plans.rows[0]
    assert (first.state, first.action, first.due, first.overdue) == (
        "returned for revision",
        "Revise",
        "overdue by 2 days",
        True,
    )
    assert first.feedback == "1 new comment or score"


def test_the_supervisors_overview_puts_waiting_plans_first(tmp_path) -> None:
    store, cases = _clinic(tmp_path)
    draft = store.start_draft(CASE, actor="ben").id
    store.save_revision(draft, store.blank_plan(draft, actor="ben"), based_on=0, actor="ben")
    store.submit_draft(draft, actor="ben")
    view = PlansOverview(store, "dr.o", cases, today=lambda: dt.date(2026, 11, 30))
    assert (view.rows[0].name, view.rows[0].state) == ("Ben", "submitted")
    assert view.summary.value == "3 plans: 1 waiting for you, 0 overdue, 0 signed off"
    rows = view.show(by="case")
    assert [r.case_id for r in rows[1:]] == sorted(r.case_id for r in rows[1:])
    assert "itp-waiting" in view.table.value


def test_the_progress_view_shows_the_cohort_and_one_trainee(tmp_path) -> None:
    from itp_toolkit.checks.rubrics import default_rubric

    store, cases = _clinic(tmp_path)
    rubric = default_rubric()
    draft = store.start_draft(CASE, actor="ana").id
    store.save_revision(draft, store.blank_plan(draft, actor="ana"), based_on=0, actor="ana")
    for c in rubric.criteria:
        store.add_score(draft, rubric.id, c.id, 3, actor="dr.o")
    view = ProgressView(store, "dr.o", cases, rubric=rubric)
    assert view.message.value == "1 trainees with scored revisions"
    assert [v for _, v in view.trainee.options] == ["ana"] and view.trainee.value == "ana"
    assert view.cohort_plot.value[:4] == b"\x89PNG" and view.trainee_plot.value[:4] == b"\x89PNG"
    assert view.table.shape == (12, 1) and rubric.criteria[0].title in view.trainee_table.value
    assert "crit-" not in view.trainee_table.value + view.cohort_table.value


def test_the_progress_plots_are_drawn_again_only_when_their_scores_changed(tmp_path, monkeypatch) -> None:
    """The admin page reloads the view after each roster change; most change no score."""
    from itp_toolkit.checks.rubrics import default_rubric
    from itp_toolkit.widgets import progress

    store, cases = _clinic(tmp_path)
    rubric = default_rubric()
    draft = store.start_draft(CASE, actor="ana").id
    store.save_revision(draft, store.blank_plan(draft, actor="ana"), based_on=0, actor="ana")
    store.add_score(draft, rubric.id, rubric.criteria[0].id, 2, actor="dr.o")
    drawn: list[object] = []
    real_draw = progress._draw
    monkeypatch.setattr(progress, "_draw", lambda image, fig: drawn.append(image) or real_draw(image, fig))
    view = ProgressView(store, "dr.o", cases, rubric=rubric)
    assert drawn == [view.cohort_plot, view.trainee_plot]
    store.add_person("cal", "Cal", "trainee", actor="admin")  # a roster change: no score
    view.load_cohorts()
    assert len(drawn) == 2
    before = view.cohort_plot.value
    store.add_score(draft, rubric.id, rubric.criteria[0].id, 4, actor="dr.o")
    view.load_cohorts()
    assert drawn[2:] == [view.cohort_plot, view.trainee_plot] and view.cohort_plot.value != before


def test_the_trainee_page_shows_my_plans_and_follows_a_save_and_a_submission(tmp_path) -> None:
    from itp_toolkit.apps.trainee import TraineeWorkspace

    store, cases = _clinic(tmp_path)
    page = TraineeWorkspace(store, "ana", cases, autosave_delay=0, workshop_refresh=None)
    assert [r.state for r in page.my_plans.rows] == ["not started", "not started"]
    page.my_plans.open_case(CASE)
    session = page.session
    assert session is not None and page.case_picker.value == CASE
    session.edit(session.plan.model_copy(update={"title": "Plan for worry"}))
    session.save()
    states = {r.case_id: r.state for r in page.my_plans.rows}
    assert states[CASE] == "in progress"
    session.submit()
    assert {r.case_id: r.state for r in page.my_plans.rows}[CASE] == "submitted"


def test_my_plans_folds_away_once_a_case_is_open_and_its_heading_shows_it_again(tmp_path) -> None:
    from itp_toolkit.apps.trainee import TraineeWorkspace

    store, cases = _clinic(tmp_path)
    page = TraineeWorkspace(store, "ana", cases, autosave_delay=0, workshop_refresh=None)
    assert not page.my_plans.folded and page.my_plans.grid.layout.display != "none"
    page.my_plans.open_case(CASE)
    assert page.my_plans.folded and page.my_plans.grid.layout.display == "none"
    assert page.my_plans.heading.description == "My plans (2): show"
    page.my_plans.heading.click()
    assert not page.my_plans.folded and page.my_plans.grid.layout.display == ""
