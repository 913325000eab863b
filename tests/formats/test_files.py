"""Reading plan and case files: every mistake is reported with file, line and field, and nothing is
written."""

import pytest

from itp_toolkit.errors import InvalidInput
from itp_toolkit.formats.files import MAX_FILE_BYTES, dump_json, dump_yaml, load_plan, parse_text, write_model
from itp_toolkit.model import TreatmentPlan
from tests.model.test_plan_model import small_plan

PLAN_WITH_MISTAKES = """\
case_id: case-demo
problems:
  - statement: Low mood
    goals:
      - statement: feel better
        colour: blue
        objectives:
          - description: sleep
            target_week: soon
"""


def test_wrong_type_and_unknown_field_are_each_located(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN_WITH_MISTAKES)
    with pytest.raises(InvalidInput) as err:
        load_plan(path)
    found = {(p.line, p.field) for p in err.value.problems}
    assert (6, "problems[0].goals[0].colour") in found
    assert (9, "problems[0].goals[0].objectives[0].target_week") in found
    assert all(p.file == str(path) for p in err.value.problems)
    assert f"{path}:6: problems[0].goals[0].colour: unknown field" in str(err.value)


def test_malformed_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("case_id: case-demo\nproblems:\n  - statement: [unclosed\n")
    with pytest.raises(InvalidInput) as err:
        load_plan(path)
    assert err.value.problems[0].line is not None and err.value.problems[0].line >= 3
    assert "not valid YAML" in str(err.value)


def test_duplicate_keys_are_an_error_not_a_silent_overwrite():
    with pytest.raises(InvalidInput, match="duplicate key 'case_id'"):
        parse_text("case_id: case-a\ncase_id: case-b\n", TreatmentPlan)


def test_missing_required_field_names_it():
    with pytest.raises(InvalidInput, match="case_id: Field required"):
        parse_text("title: no case\n", TreatmentPlan)


def test_top_level_must_be_a_mapping():
    with pytest.raises(InvalidInput, match="mapping"):
        parse_text("- a\n- b\n", TreatmentPlan)


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("case_id: case-demo\nnotes: " + "x" * (MAX_FILE_BYTES + 10) + "\n")
    with pytest.raises(InvalidInput, match="larger than"):
        load_plan(path)


def test_oversized_field_names_the_field_and_line(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("case_id: case-demo\nproblems:\n  - statement: " + "x" * 600 + "\n")
    with pytest.raises(InvalidInput) as err:
        load_plan(path)
    (problem,) = err.value.problems
    assert (problem.line, problem.field) == (3, "problems[0].statement")
    assert "500" in problem.message


def test_non_utf8_file_is_a_clear_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("case_id: café".encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        load_plan(path)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_write_then_load_round_trips(tmp_path, suffix):
    plan = small_plan()
    path = write_model(plan, tmp_path / f"plan{suffix}")
    assert load_plan(path) == plan


def test_a_failed_load_leaves_the_existing_file_untouched(tmp_path):
    path = write_model(small_plan(), tmp_path / "plan.yaml")
    before = path.read_bytes()
    with pytest.raises(InvalidInput):
        parse_text(PLAN_WITH_MISTAKES, TreatmentPlan, source=str(path))
    assert path.read_bytes() == before


def test_unicode_text_survives_yaml_and_json():
    plan = small_plan()
    plan.problems[0].statement = "حزن — 😔 e\u0301 ‮RTL‬"
    for text in (dump_yaml(plan), dump_json(plan)):
        assert parse_text(text, TreatmentPlan).problems[0].statement == plan.problems[0].statement
