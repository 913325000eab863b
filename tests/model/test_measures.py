"""Measures are checked against the published ranges, bands and change rules
(shared/reference/clinical.md)."""

import math

import pytest

from itp_toolkit.model import measures as m


@pytest.mark.parametrize(
    ("code", "low", "high", "loinc"),
    [
        ("PHQ-9", 0, 27, "44261-6"),
        ("GAD-7", 0, 21, "70274-6"),
        ("PCL-5", 0, 80, None),
        ("AUDIT", 0, 40, "75624-7"),
        ("AUDIT-C", 0, 12, "75626-2"),
        ("EPDS", 0, 30, None),
    ],
)
def test_instruments_have_their_published_range_and_loinc(code, low, high, loinc):
    inst = m.get_instrument(code)
    assert (inst.minimum, inst.maximum, inst.loinc) == (low, high, loinc)


@pytest.mark.parametrize("code", list(m.INSTRUMENTS))
def test_bands_cover_the_whole_range_without_gaps_or_overlaps(code):
    inst = m.get_instrument(code)
    expected_low = inst.minimum
    for band in inst.bands:
        assert band.low == expected_low
        expected_low = band.high + 1
    assert inst.bands[-1].high == inst.maximum


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_edges_match_kroenke_2001(score, label):
    assert m.severity_label("PHQ-9", score) == label


@pytest.mark.parametrize(
    ("score", "label"), [(4, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"), (21, "severe")]
)
def test_gad7_band_edges(score, label):
    assert m.severity_label("gad-7", score) == label


@pytest.mark.parametrize(
    ("score", "zone"),
    [(7, "zone I"), (8, "zone II"), (15, "zone II"), (16, "zone III"), (19, "zone III"), (20, "zone IV")],
)
def test_audit_zones(score, zone):
    assert m.severity_label("AUDIT", score).startswith(zone)


def test_scores_outside_the_range_are_refused_with_the_range_named():
    with pytest.raises(ValueError, match="0-27"):
        m.check_score("PHQ-9", 28)
    with pytest.raises(ValueError):
        m.severity_label("GAD-7", -1)


def test_unknown_instrument_names_the_known_ones():
    with pytest.raises(KeyError, match="PHQ-9"):
        m.get_instrument("BDI-II")


def test_phq9_response_is_a_50_percent_drop():
    assert m.response_threshold("PHQ-9", 18) == 9
    assert m.is_response("PHQ-9", 18, 9)
    assert not m.is_response("PHQ-9", 18, 10)


def test_phq9_remission_is_below_5():
    assert m.is_remission("PHQ-9", 4)
    assert not m.is_remission("PHQ-9", 5)


def test_gad7_has_no_remission_rule_and_says_so():
    with pytest.raises(ValueError, match="no published remission"):
        m.is_remission("GAD-7", 3)


def test_gad7_clinically_important_change_is_about_27_percent():
    assert m.response_threshold("GAD-7", 15) == pytest.approx(15 * 0.73)


def test_audit_target_is_one_zone_down():
    assert m.zone_down_target("AUDIT", 18) == 15
    assert m.zone_down_target("AUDIT", 22) == 19
    assert m.zone_down_target("AUDIT", 5) is None


def test_reliable_change_index_follows_jacobson_truax():
    # SD 7.5, r .88: SE = 7.5*sqrt(.12) = 2.598; S_diff = sqrt(2)*SE = 3.674; RCI = -10 / 3.674 = -2.722
    rci = m.reliable_change_index(25, 15, sd=7.5, reliability=0.88)
    assert rci == pytest.approx(-10 / (math.sqrt(2) * 7.5 * math.sqrt(0.12)))
    assert rci == pytest.approx(-2.722, abs=1e-3)
    assert m.is_reliable_change(25, 15, 7.5, 0.88)
    assert not m.is_reliable_change(25, 19, 7.5, 0.88)


def test_reliable_change_threshold_is_1_96_times_s_diff():
    # PHQ-9 in primary care (SD 5.7? any inputs): threshold = 1.96 * sqrt(2) * SD * sqrt(1-r)
    assert m.reliable_change_threshold(6.0, 0.84) == pytest.approx(1.96 * math.sqrt(2) * 6.0 * 0.4)
    assert m.reliable_change_threshold(6.0, 0.84) == pytest.approx(6.65, abs=0.01)


def test_clinically_significant_improvement_needs_reliable_change_and_crossing_the_cutoff():
    assert m.is_clinically_significant_improvement("PHQ-9", 18, 7, sd=5.0, reliability=0.84)
    # reliable but still above the cut-off of 10
    assert not m.is_clinically_significant_improvement("PHQ-9", 24, 12, sd=5.0, reliability=0.84)
    # crosses the cut-off but too small to be reliable
    assert not m.is_clinically_significant_improvement("PHQ-9", 11, 9, sd=5.0, reliability=0.84)


def test_rci_rejects_impossible_parameters():
    with pytest.raises(ValueError):
        m.reliable_change_index(10, 5, sd=0, reliability=0.8)
    with pytest.raises(ValueError):
        m.reliable_change_index(10, 5, sd=5, reliability=1.0)


def test_phq9_item_9_above_zero_calls_for_risk_follow_up():
    assert m.needs_risk_follow_up("PHQ-9", [1, 1, 1, 1, 1, 1, 1, 1, 1])
    assert not m.needs_risk_follow_up("PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert not m.needs_risk_follow_up("GAD-7", [3] * 7)


def test_item_scores_must_fit_and_add_up():
    m.check_item_scores("PHQ-9", [1, 2, 1, 2, 1, 1, 0, 1, 0], 9)
    with pytest.raises(ValueError, match="add up"):
        m.check_item_scores("PHQ-9", [1, 2, 1, 2, 1, 1, 0, 1, 0], 12)
    with pytest.raises(ValueError, match="9 items"):
        m.check_item_scores("PHQ-9", [1, 2], 3)
    with pytest.raises(ValueError, match="item 9"):
        m.check_item_scores("AUDIT", [1, 1, 1, 1, 1, 1, 1, 1, 1, 0], 9)
