"""What a change in scores means, by the instruments' published rules (``views.measure_change``)."""

from __future__ import annotations

from itp_toolkit.model import MeasurePoint
from itp_toolkit.views.measure_change import measure_changes
from tests.conftest import shipped_cases

CASES = shipped_cases()


def with_scores(case_id: str, *points: tuple[str, int, float]):
    case = CASES[case_id]
    return case.model_copy(
        update={
            "measures": [MeasurePoint(instrument=i, week=w, score=s) for i, w, s in points],
            "timeline": [],
        }
    )


def test_a_halved_phq9_below_five_is_a_reliable_improvement_a_response_and_a_remission():
    case = with_scores("case-college-anxiety", ("PHQ-9", 0, 16), ("PHQ-9", 8, 4))
    (change,) = measure_changes(case, 8)
    assert (change.first_score, change.latest_score, change.latest_week) == (16, 4, 8)
    assert change.band == "minimal"
    assert "reliable improvement" in change.reading and "response" in change.reading
    assert "remission" in change.reading


def test_a_small_drop_is_within_measurement_error_and_a_rise_is_a_worsening():
    small = with_scores("case-college-anxiety", ("PHQ-9", 0, 12), ("PHQ-9", 4, 10))
    assert "within measurement error" in measure_changes(small, 4)[0].reading
    worse = with_scores("case-college-anxiety", ("PHQ-9", 0, 8), ("PHQ-9", 4, 18))
    assert "reliable worsening" in measure_changes(worse, 4)[0].reading


def test_scores_after_the_week_are_not_read_and_one_score_is_no_change():
    case = with_scores("case-college-anxiety", ("GAD-7", 0, 15), ("GAD-7", 6, 5))
    (change,) = measure_changes(case, 5)
    assert change.latest_week == 0 and "no change to read yet" in change.reading


def test_an_instrument_without_a_change_rule_says_by_how_much():
    case = with_scores("case-veteran-ptsd-alcohol", ("AUDIT", 0, 18), ("AUDIT", 6, 21))
    (change,) = measure_changes(case, 6)
    assert change.reading.startswith("up 3 points") and "AUDIT" in change.reading
