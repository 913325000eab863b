"""``itp cases list|show|validate`` on the shipped library and on broken copies of a case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from itp_toolkit.cli import main
from itp_toolkit.library.cases import case_library_dir, get_case, load_case_library
from itp_toolkit.library.validation import validate_case_file

LIBRARY = case_library_dir()
SHIPPED = sorted(LIBRARY.glob("*.yaml"))
SAMPLE = LIBRARY / "case-college-anxiety.yaml"


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of one shipped case, used as the library through $ITP_CASE_LIBRARY."""
    lib = tmp_path / "cases"
    lib.mkdir()
    shutil.copy(SAMPLE, lib / SAMPLE.name)
    monkeypatch.setenv("ITP_CASE_LIBRARY", str(lib))
    return lib


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_library_dir_is_the_repo_case_studies_unless_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ITP_CASE_LIBRARY", raising=False)
    assert case_library_dir().name == "case_studies"
    monkeypatch.setenv("ITP_CASE_LIBRARY", str(tmp_path))
    assert case_library_dir() == tmp_path


@pytest.mark.parametrize(
    "path",
    # Each case is a few seconds of privacy scan (NER over every text field): the quick loop keeps one.
    [p if p == SAMPLE else pytest.param(p, marks=pytest.mark.slow) for p in SHIPPED],
    ids=lambda p: p.stem,
)
def test_every_shipped_case_passes_validation(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "validate", str(path)]) == 0, capsys.readouterr().out
    assert "1 of 1 case file(s) valid" in capsys.readouterr().out


@pytest.mark.slow  # every case through the privacy scan in a subprocess
def test_validate_without_paths_checks_the_whole_library(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(LIBRARY / "case-perinatal-rural.yaml", library)
    assert main(["cases", "validate"]) == 0
    assert "2 of 2 case file(s) valid" in capsys.readouterr().out


def test_list_shows_every_case_with_its_measures_and_reference_plan(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cases", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["ID", "TITLE", "SETTING"]
    row = out[1]
    assert row.startswith("case-college-anxiety") and " 19 " in row and "PHQ-9" in row and row.endswith("yes")


def test_list_accepts_a_library_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(SAMPLE, tmp_path)
    assert main(["cases", "list", "--library", str(tmp_path)]) == 0
    assert "case-college-anxiety" in capsys.readouterr().out


def test_show_hides_supervisor_material_unless_asked(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = get_case("case-college-anxiety")
    assert case.reference_plan is not None and case.teaching_notes
    assert main(["cases", "show", "case-college-anxiety"]) == 0
    trainee_view = capsys.readouterr().out
    assert case.title in trainee_view and "Presenting concerns:" in trainee_view
    assert "Teaching notes" not in trainee_view and "Reference plan" not in trainee_view
    assert main(["cases", "show", "case-college-anxiety", "--supervisor"]) == 0
    supervisor_view = capsys.readouterr().out
    assert "Teaching notes (supervisor only)" in supervisor_view
    assert "Reference plan (supervisor only)" in supervisor_view
    assert case.reference_plan.problems[0].statement in supervisor_view


def test_show_of_an_unknown_case_names_the_known_ones(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cases", "show", "case-nobody"]) == 2
    err = capsys.readouterr().err
    assert "no case 'case-nobody'" in err and "case-college-anxiety" in err


def _broken_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    broken = text.replace(old, new, 1)
    path = tmp_path / SAMPLE.name
    path.write_text(broken, encoding="utf-8")
    return path, broken


def test_planted_identifiers_in_a_quote_fail_with_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = get_case("case-college-anxiety", LIBRARY)
    quote = case.patient_words[0].text
    planted = f"{quote} My sister Ana lives at 42 Elm Street, Springfield, IL 62704 since June 3, 2021."
    path, text = _broken_copy(tmp_path, quote, planted)
    assert main(["cases", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    line = _line_of(text, "42 Elm Street")
    for category, identifier in [
        ("name", "Ana"),
        ("location", "42 Elm Street"),
        ("location", "62704"),
        ("date", "June 3, 2021"),
    ]:
        expected = f"{path}:{line}: patient_words[0].text: possible {category}: '{identifier}'"
        assert expected in out, out
    assert "0 of 1 case file(s) valid" in out


def test_identifier_deep_in_the_reference_plan_is_found_on_its_own_line(tmp_path: Path) -> None:
    case = get_case("case-college-anxiety", LIBRARY)
    assert case.reference_plan is not None and case.reference_plan.safety_plan
    first_words = case.reference_plan.safety_plan.split()[0]
    path, text = _broken_copy(
        tmp_path, "safety_plan: ", "safety_plan: |-\n    Crisis contact MRN 00482913.\n    "
    )
    problems = validate_case_file(path)
    assert [(p.field, p.line) for p in problems] == [
        ("reference_plan.safety_plan", _line_of(text, "MRN 00482913"))
    ], first_words


def test_wrong_type_fails_naming_line_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, text = _broken_copy(tmp_path, "  age: 19", "  age: nineteen")
    assert main(["cases", "validate", str(path)]) == 1
    assert f"{path}:{_line_of(text, 'age: nineteen')}: demographics.age:" in capsys.readouterr().out


def test_unknown_field_fails_naming_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = _broken_copy(
        tmp_path, "  pronouns: she/her", "  pronouns: she/her\n  favourite_colour: blue"
    )
    assert main(["cases", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:{_line_of(text, 'favourite_colour')}: demographics.favourite_colour: unknown field" in out


def test_malformed_yaml_fails_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, text = _broken_copy(tmp_path, "  gender: woman", "  gender: [woman")
    assert main(["cases", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:" in out and "not valid YAML/JSON" in out


def test_file_name_must_match_the_case_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "college.yaml"
    shutil.copy(SAMPLE, path)
    assert main(["cases", "validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert (
        f"{path}:{_line_of(path.read_text(), 'id: case-college-anxiety')}: id: file name 'college.yaml'"
        in out
    )


def test_a_broken_case_makes_the_library_refuse_to_load(library: Path) -> None:
    (library / "case-broken.yaml").write_text("id: case-broken\ntitle: [unclosed\n", encoding="utf-8")
    from itp_toolkit.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"case-broken.yaml:\d+: not valid YAML"):
        load_case_library()
    assert main(["cases", "list"]) == 2


def test_validate_with_no_case_files_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "validate", str(tmp_path)]) == 1
    assert "no case files found" in capsys.readouterr().out
