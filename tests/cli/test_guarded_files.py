"""Every file the command line reads goes through one guarded reader (issue 13, item 11).

A case or plan file given to ``itp`` may be hostile or simply wrong: a directory, a FIFO, a symlink to
``/dev/zero``, a few hundred bytes of nested YAML aliases, nesting deep enough to exhaust the stack. Each is
refused with one located line and no traceback, before anything reads without bound or walks an expanded tree.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from itp_toolkit.cli import main
from itp_toolkit.formats.files import dump_json, load_case
from itp_toolkit.library.cases import case_library_dir

CASE_FILE = case_library_dir() / "case-college-anxiety.yaml"


def nested_aliases() -> str:
    """About 230 bytes that stand for 9**7 (4.8 million) strings once the aliases are expanded."""
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    out = (captured.out + captured.err).strip()
    assert "Traceback" not in out and "RecursionError" not in out
    return out


def test_nested_aliases_in_a_case_file_are_refused_before_the_privacy_scan_walks_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "case-laughs.yaml"
    path.write_text(nested_aliases(), encoding="utf-8")
    assert len(path.read_bytes()) < 300
    assert main(["cases", "validate", str(path)]) == 1
    out = _one_line_error(capsys)
    assert "aliases are expanded" in out and "looks like" not in out


def test_deep_nesting_is_one_located_error_not_a_recursion_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, body in (("case-deep.yaml", "a: " + "[" * 5000 + "]" * 5000), ("plan.json", "[" * 100_000)):
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        command = (
            ["cases", "validate", str(path)] if name.startswith("case") else ["plan", "validate", str(path)]
        )
        assert main(command) == 1
        assert "nested" in _one_line_error(capsys)


@pytest.mark.parametrize("kind", ["directory", "fifo", "dev-zero", "dangling"])
def test_plan_commands_refuse_what_is_not_a_regular_file(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.symlink_to(tmp_path / "nowhere.yaml")
    ws = tmp_path / "ws"
    assert main(["init", str(ws), "--user", "sup"]) == 0
    capsys.readouterr()
    assert main(["plan", "validate", str(path)]) == 1
    validate = _one_line_error(capsys)
    assert main(["plan", "import", str(path), "--workspace", str(ws)]) == 2
    imported = _one_line_error(capsys)
    assert len(imported.splitlines()) == 1, imported
    assert validate.splitlines()[0] == imported.removeprefix("itp: error: "), validate  # + the summary line
    assert str(path) in imported
    assert ("no such file" if kind == "dangling" else "not a regular file") in imported


def test_a_case_directory_entry_that_is_a_fifo_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(tmp_path / "case-fifo.yaml")
    assert main(["cases", "validate", str(tmp_path / "case-fifo.yaml")]) == 1
    assert "not a regular file" in _one_line_error(capsys)


def test_tab_indented_json_is_read_like_any_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = load_case(CASE_FILE)
    plan = json.loads(dump_json(case.reference_plan))
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent="\t"), encoding="utf-8")
    assert "\t" in path.read_text(encoding="utf-8")
    assert main(["plan", "validate", str(path)]) == 0, capsys.readouterr()
    case_path = tmp_path / f"{case.id}.json"
    case_path.write_text(json.dumps(json.loads(dump_json(case)), indent="\t"), encoding="utf-8")
    assert main(["cases", "validate", str(case_path)]) == 0, capsys.readouterr()


def test_a_tab_inside_yaml_indentation_is_still_a_located_yaml_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("case_id: case-college-anxiety\nproblems:\n\t- statement: x\n", encoding="utf-8")
    assert main(["plan", "validate", str(path)]) == 1
    assert f"{path}:3: not valid YAML/JSON" in _one_line_error(capsys)
