""" "My plans" rows: states and due dates in words, the trainee's and the supervisor's order, escaped HTML."""

from __future__ import annotations

import datetime as dt

from itp_toolkit.store.records import PlanStatus
from itp_toolkit.views.my_plans import (
    due_words,
    plan_rows,
    plans_table_html,
    summary_words,
    supervisor_order,
    trainee_order,
)

TODAY = dt.date(2026, 11, 30)
T0 = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)


def _status(case: str, status: str = "empty", due: dt.date | None = None, **kw: object) -> PlanStatus:
    data: dict[str, object] = {"trainee": "ana", "display_name": "Ana", "case_id": case, "status": status}
    return PlanStatus(**{**data, "due_on": due, **kw})  # type: ignore[arg-type]


def test_due_dates_read_as_days_from_today() -> None:
    assert due_words(TODAY + dt.timedelta(days=3), TODAY) == ("due in 3 days", False)
    assert due_words(TODAY + dt.timedelta(days=1), TODAY) == ("due tomorrow", False)
    assert due_words(TODAY, TODAY) == ("due today", False)
    assert due_words(TODAY - dt.timedelta(days=1), TODAY) == ("overdue by 1 day", True)
    assert due_words(TODAY - dt.timedelta(days=4), TODAY, "returned") == ("overdue by 4 days", True)
    assert due_words(None, TODAY) == ("no due date", False)


def test_a_plan_handed_in_or_signed_off_is_never_overdue() -> None:
    for status in ("submitted", "accepted"):
        words, overdue = due_words(TODAY - dt.timedelta(days=4), TODAY, status)
        assert not overdue and words == "due 26 Nov 2026"


def test_rows_say_the_state_in_words_and_what_the_button_does() -> None:
    statuses = [
        _status("c1"),
        _status("c2", "in_progress"),
        _status("c3", "submitted"),
        _status("c4", "returned", new_feedback=2),
        _status("c5", "accepted"),
    ]
    rows = plan_rows(statuses, {f"c{n}": f"Case {n}" for n in range(1, 6)}, TODAY)
    assert [r.state for r in rows] == [
        "not started",
        "in progress",
        "submitted",
        "returned for revision",
        "signed off",
    ]
    assert [r.action for r in rows] == ["Start", "Continue", "Open", "Revise", "Open"]
    assert rows[3].feedback == "2 new comments or scores" and rows[2].waiting
    assert plan_rows([_status("gone")], {}, TODAY)[0].case == "a case not in the library"


def test_a_trainee_sees_returned_plans_first_then_by_due_date() -> None:
    statuses = [
        _status("late", due=TODAY + dt.timedelta(days=9)),
        _status("done", "accepted", due=TODAY),
        _status("soon", due=TODAY + dt.timedelta(days=2)),
        _status("back", "returned", due=TODAY + dt.timedelta(days=20)),
        _status("none"),
    ]
    assert [s.case_id for s in trainee_order(statuses)] == ["back", "soon", "late", "none", "done"]


def test_a_supervisor_sees_what_waits_for_them_first_longest_waiting_first() -> None:
    statuses = [
        _status("c1", trainee="ben", display_name="Ben"),
        _status(
            "c1", "submitted", trainee="cara", display_name="Cara", submitted_at=T0 + dt.timedelta(days=2)
        ),
        _status("c2", "submitted", trainee="dee", display_name="Dee", submitted_at=T0),
        _status("c2", trainee="ana", display_name="Ana"),
    ]
    by_trainee = supervisor_order(statuses)
    assert [(s.trainee, s.case_id) for s in by_trainee] == [
        ("dee", "c2"),
        ("cara", "c1"),
        ("ana", "c2"),
        ("ben", "c1"),
    ]
    by_case = supervisor_order(statuses, by="case")
    assert [(s.trainee, s.case_id) for s in by_case][2:] == [("ben", "c1"), ("ana", "c2")]
    assert summary_words(statuses, TODAY) == "4 plans: 2 waiting for you, 0 overdue, 0 signed off"


def test_the_table_escapes_names_and_titles() -> None:
    rows = plan_rows(
        [_status("c1", display_name="<img src=x onerror=alert(1)>", due=TODAY - dt.timedelta(days=2))],
        {"c1": "<b>Case</b>"},
        TODAY,
    )
    html = plans_table_html(rows, show_trainee=True)
    assert "<img" not in html and "&lt;img" in html and "&lt;b&gt;Case" in html
    assert "itp-overdue" in html and "overdue by 2 days" in html
    assert "No cases are assigned yet" in plans_table_html([], show_trainee=False)
