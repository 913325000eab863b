"""Rubrics: the default covers the 12 criteria, related rules are checked, findings become evidence."""

from __future__ import annotations

import pytest

from itp_toolkit.checks import RULES, critique
from itp_toolkit.checks.rubrics import (
    default_rubric,
    evidence_by_criterion,
    load_checked_rubric,
    rule_matches,
)
from itp_toolkit.compare.scores import mean_score, score_sheet
from itp_toolkit.errors import InvalidInput
from itp_toolkit.model import RubricScore, TreatmentPlan
from tests.conftest import shipped_case

TWELVE = [
    "Problem statement",
    "Assessment coverage",
    "Patient's voice",
    "Strengths",
    "SMART objectives",
    "Interventions",
    "Measurement-based targets",
    "Barriers and resources",
    "Individualization",
    "Review and revision",
    "Discharge criteria",
    "Consent and participation",
]


def test_default_rubric_has_the_twelve_criteria_with_four_levels_each():
    rubric = default_rubric()
    assert [c.title for c in rubric.criteria] == TWELVE
    assert rubric.competent_at == 3
    assert all(sorted(level.score for level in c.levels) == [1, 2, 3, 4] for c in rubric.criteria)


def test_every_related_rule_names_a_real_rule_or_family_and_most_rules_serve_a_criterion():
    rubric = default_rubric()
    refs = [ref for c in rubric.criteria for ref in c.related_rules]
    covered = {rule for rule in RULES if any(rule_matches(ref, rule) for ref in refs)}
    assert len(covered) / len(RULES) > 0.9


def test_a_rubric_naming_an_unknown_rule_is_refused_with_its_location(tmp_path):
    text = (default_rubric_path().read_text()).replace(
        "[collab.no_patient_words_goal]", "[collab.no_such_rule]"
    )
    path = tmp_path / "rubric.yaml"
    path.write_text(text)
    with pytest.raises(InvalidInput) as err:
        load_checked_rubric(path)
    assert "criteria[2].related_rules[0]" in str(err.value) and "no_such_rule" in str(err.value)


def test_a_rubric_level_missing_is_refused(tmp_path):
    text = (
        default_rubric_path()
        .read_text()
        .replace('{score: 4, descriptor: "Goals quote', '{score: 3, descriptor: "Goals quote')
    )
    path = tmp_path / "rubric.yaml"
    path.write_text(text)
    with pytest.raises(InvalidInput, match="1, 2, 3 and 4"):
        load_checked_rubric(path)


def default_rubric_path():
    from itp_toolkit.checks.rubrics import DEFAULT_RUBRIC_PATH

    return DEFAULT_RUBRIC_PATH


def test_findings_of_an_empty_plan_are_offered_to_the_criteria_they_concern():
    case = shipped_case("case-college-anxiety")
    findings = critique(TreatmentPlan(case_id=case.id), case)
    evidence = evidence_by_criterion(default_rubric(), findings)
    assert {f.rule for f in evidence["crit-coverage"]} >= {"linkage.concern_unaddressed"}
    assert all(
        f.rule.startswith(("collab.participation", "collab.agreement")) for f in evidence["crit-consent"]
    )
    assert not any(f.rule.startswith("collab") for f in evidence["crit-barriers"])


def test_score_sheet_takes_each_criterions_latest_revision_and_marks_competence():
    rubric = default_rubric()
    scores = [
        RubricScore(
            draft_id=1, revision=1, rubric_id=rubric.id, criterion_id="crit-voice", rater="dr.okafor", score=2
        ),
        RubricScore(
            draft_id=1, revision=2, rubric_id=rubric.id, criterion_id="crit-voice", rater="dr.okafor", score=3
        ),
        RubricScore(
            draft_id=1, revision=2, rubric_id=rubric.id, criterion_id="crit-smart", rater="dr.okafor", score=1
        ),
    ]
    sheet = score_sheet(rubric, scores).set_index("criterion_id")
    assert sheet.loc["crit-voice", "score"] == 3 and bool(sheet.loc["crit-voice", "competent"])
    assert not bool(sheet.loc["crit-smart", "competent"])
    assert sheet.loc["crit-voice", "descriptor"].startswith("At least one goal")
    assert mean_score(rubric, scores) == 2.0
    assert mean_score(rubric, []) is None


def test_itp_rubric_show_and_validate(capsys, tmp_path):
    from itp_toolkit.cli import main

    assert main(["rubric", "show"]) == 0
    assert "12. Consent and participation" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(default_rubric_path().read_text().replace("[measure]", "[measures]"))
    assert main(["rubric", "validate", str(bad)]) == 2
    assert "'measures' is not a critique rule" in capsys.readouterr().err
