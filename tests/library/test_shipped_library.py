"""The whole shipped library at once: every reference plan passes the critique with no problem-level finding,
and every case states its barriers in the structured form the critique checks plans against."""

from __future__ import annotations

import pytest

from itp_toolkit.checks import critique
from tests.conftest import shipped_cases

LIBRARY = shipped_cases()
"""``load_case_library()``, parsed once a session (tests/conftest.py); test_cases.py tests the loading."""


def test_the_library_holds_at_least_twelve_cases_each_with_a_reference_plan():
    assert len(LIBRARY) >= 12
    assert all(case.reference_plan is not None for case in LIBRARY.values())


@pytest.mark.parametrize("case_id", sorted(LIBRARY))
def test_reference_plan_has_no_problem_level_finding(case_id):
    case = LIBRARY[case_id]
    assert case.reference_plan is not None
    problems = [f for f in critique(case.reference_plan, case) if f.severity == "problem"]
    assert [(f.rule, f.element_id, f.message) for f in problems] == []


@pytest.mark.parametrize("case_id", sorted(LIBRARY))
def test_waitlists_and_work_hours_are_stated_in_structured_fields(case_id):
    for barrier in LIBRARY[case_id].barriers:
        if barrier.kind == "waitlist":
            assert barrier.wait_weeks is not None and barrier.applies_to, f"{barrier.id}: how long, for what?"
        if barrier.kind == "work_hours":
            assert barrier.unavailable or barrier.attend_at_most_per_week is not None, (
                f"{barrier.id}: when can the person not attend?"
            )


def test_some_cases_have_an_event_that_raises_risk_and_the_newest_cases_are_among_them():
    risky = {cid for cid, case in LIBRARY.items() if any(e.risk for e in case.timeline)}
    assert {"case-bipolar-depression", "case-couple-alcohol-conflict"} <= risky
