"""``itp cases new --id ID --template``: a commented skeleton that fails validation, each problem located,
until its placeholders are filled, and then validates."""

from __future__ import annotations

import re
from pathlib import Path

from itp_toolkit.cli import main
from itp_toolkit.formats.files import load_case
from itp_toolkit.library.case_template import FILL_MARK, PLACEHOLDER

VALUES = {
    "title": "A warehouse worker whose panic keeps him off the night bus",
    "setting": "Community clinic with weekday appointments until 6 p.m. and telehealth",
    "age": "41",
    "gender": "man",
    "pronouns": "he/him",
    "occupation": "Warehouse picker on night shifts",
    "living_situation": "Lives with his brother and his brother's family",
    "summary": "Panic attacks on the way to work",
    "frequency_intensity": "Three attacks a week, each about ten minutes",
    "label": "Panic disorder",
    "code": "F41.0",
    "instrument": "PHQ-9",
    "score": "12",
    "text": "Walks every evening with his brother",
}
SENTENCE = "He says the worry started after the move last year and has grown since the winter."


def fill(skeleton: str) -> str:
    """Replace every placeholder on a FILL line with a plausible value for its field."""
    out = []
    for line in skeleton.splitlines():
        if FILL_MARK in line and f" {PLACEHOLDER}" in line:
            match = re.match(r"^(\s*)(- )?(\w+)?:? ?~", line)
            assert match, line
            key = match.group(3) or ""
            value = VALUES.get(key, SENTENCE)
            line = line.replace(f" {PLACEHOLDER}", f" {value!r}" if not value.isdigit() else f" {value}", 1)
        out.append(line)
    return "\n".join(out) + "\n"


def test_the_skeleton_names_the_case_and_fails_validation_with_located_problems(tmp_path, capsys):
    path = tmp_path / "case-night-bus.yaml"
    assert main(["cases", "new", "--id", "case-night-bus", "--template", "--out", str(path)]) == 0
    text = path.read_text()
    assert "id: case-night-bus" in text and text.count(FILL_MARK) >= 20
    capsys.readouterr()
    assert main(["cases", "validate", str(path)]) == 1
    problems = [line for line in capsys.readouterr().out.splitlines() if line.startswith(str(path))]
    assert len(problems) >= 15
    assert all(re.match(rf"{re.escape(str(path))}:\d+: \S", p) for p in problems), problems[:3]
    assert any("history" in p for p in problems) and any("demographics.gender" in p for p in problems)


def test_the_filled_skeleton_validates(tmp_path, capsys):
    path = tmp_path / "case-night-bus.yaml"
    assert main(["cases", "new", "--id", "case-night-bus", "--template", "--out", str(path)]) == 0
    path.write_text(fill(path.read_text()))
    assert main(["cases", "validate", str(path)]) == 0, capsys.readouterr().out
    case = load_case(path)
    assert case.id == "case-night-bus" and case.timeline[0].measures[0].score == 12
    assert {b.category for b in case.barriers} == {"access", "engagement"}


def test_new_refuses_to_overwrite_and_a_bad_id(tmp_path, capsys):
    path = tmp_path / "mine.yaml"
    path.write_text("keep")
    assert main(["cases", "new", "--id", "case-x-y", "--template", "--out", str(path)]) == 2
    assert path.read_text() == "keep" and "already exists" in capsys.readouterr().err
    assert main(["cases", "new", "--id", "Not An Id", "--template", "--out", str(tmp_path / "b.yaml")]) == 2
    assert "--id" in capsys.readouterr().err


def test_new_writes_id_yaml_in_the_current_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["cases", "new", "--id", "case-night-bus", "--template"]) == 0
    assert Path("case-night-bus.yaml").is_file()
