import json
from pathlib import Path

from itp_toolkit.cli import main
from itp_toolkit.formats.files import write_model
from tests.checks.builders import make_case, strong_plan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "critique"


def _files(tmp_path, plan=None, case=None):
    case_path = write_model(case or make_case(), tmp_path / "case.yaml")
    plan_path = write_model(plan or strong_plan(), tmp_path / "plan.yaml")
    return str(plan_path), str(case_path)


def test_clean_plan_exits_0_and_prints_the_score(tmp_path, capsys):
    plan, case = _files(tmp_path)
    assert main(["critique", plan, "--case", case]) == 0
    out = capsys.readouterr().out
    assert "0 problem(s)" in out and "Individualization score: 100/100" in out


def test_problem_finding_exits_1_and_text_is_grouped_by_family(tmp_path, capsys):
    plan, case = _files(tmp_path)
    assert main(["critique", plan, "--case", case, "--week", "6"]) == 1
    out = capsys.readouterr().out
    assert "\nrevision\n" in out and "PROBLEM  revision.event_not_addressed" in out


def test_disabling_the_rule_turns_the_exit_code_back_to_0(tmp_path, capsys):
    plan, case = _files(tmp_path)
    assert (
        main(["critique", plan, "--case", case, "--week", "6", "--disable", "revision.event_not_addressed"])
        == 0
    )


def test_unknown_rule_to_disable_is_a_clear_error(tmp_path, capsys):
    plan, case = _files(tmp_path)
    assert main(["critique", plan, "--case", case, "--disable", "smart.nope"]) == 2
    assert "unknown rule or family 'smart.nope'" in capsys.readouterr().err


def test_json_output_carries_findings_and_score(tmp_path, capsys):
    p = strong_plan(discharge_criteria=[])
    plan, case = _files(tmp_path, plan=p)
    assert main(["critique", plan, "--case", case, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in data["findings"]] == ["collab.no_discharge_criteria"]
    assert data["individualization"]["score"] == 100


def test_case_found_by_id_in_the_library(capsys):
    plan = FIXTURES / "college-anxiety-strong.yaml"
    assert main(["critique", str(plan), "--case", "case-college-anxiety"]) == 0


def test_plan_for_another_case_is_refused(tmp_path, capsys):
    plan, case = _files(tmp_path, plan=strong_plan(case_id="case-other"))
    assert main(["critique", plan, "--case", case]) == 2
    assert "case-other" in capsys.readouterr().err


def test_control_characters_in_trainee_text_never_reach_the_terminal(tmp_path, capsys):
    p = strong_plan()
    p.element("obj-walk").target_week = None
    p.element("obj-walk").description = "Walks \x1b[2J\x1b]0;pwned\x07 with her sister 3 mornings a week"
    plan, case = _files(tmp_path, plan=p)
    main(["critique", plan, "--case", case])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "Walks [2J]0;pwned with her sister" in out
