"""Roster files: the header, every row checked with file:line: field, encodings, and what an import says."""

from __future__ import annotations

from pathlib import Path

import pytest

from itp_toolkit.errors import InvalidInput
from itp_toolkit.services.roster import parse_roster, read_roster, result_lines
from itp_toolkit.store.records import RosterResult


def _problems(text: str) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_roster(text, "r.csv")
    return [str(p) for p in caught.value.problems]


def test_columns_in_any_order_with_spaces_a_bom_and_admins() -> None:
    text = (
        "\ufeffRole,Display Name,username,Cohorts\n"
        "admin,Lead,lead,\n"
        "trainee,Ana Ruiz,ana,Year 1; Electives ;Year 1\n"
    )
    lead, ana = parse_roster(text, "r.csv")
    assert (lead.role, lead.is_admin, lead.cohorts) == ("supervisor", True, ())
    assert (ana.username, ana.display_name, ana.cohorts, ana.line) == (
        "ana",
        "Ana Ruiz",
        ("Year 1", "Electives"),
        3,
    )


def test_every_bad_row_is_reported_with_its_line_and_field() -> None:
    text = (
        "username,display_name,role,cohorts\n"
        "ok,Fine,trainee,A\n"
        "\n"
        "two words,X,trainee,\n"
        "b,,trainee,\n"
        "c,C,chief,\n"
        "d,D,trainee\n"
        "e,E,trainee," + "x" * 600 + "\n"
    )
    assert _problems(text) == [
        "r.csv:4: username: 1-100 letters, digits or . _ @ + - (starting with a letter or digit)",
        "r.csv:5: display_name: give a display name of 1-500 characters",
        "r.csv:6: role: must be trainee, supervisor or admin",
        "r.csv:7: 3 cells; the header has 4",
        "r.csv:8: cohorts: give cohort names of 1-500 characters",
    ]


def test_a_wrong_header_is_refused_before_any_row() -> None:
    assert _problems("user,name,role,cohorts\n") == [
        "r.csv:1: user: unknown column 'user'; the columns are username, display_name, role, cohorts",
        "r.csv:1: name: unknown column 'name'; the columns are username, display_name, role, cohorts",
        "r.csv:1: username: missing column",
        "r.csv:1: display_name: missing column",
    ]
    assert _problems("") == ["r.csv:1: no header row; the columns are username, display_name, role, cohorts"]
    assert _problems("username,display_name,role,cohorts\n") == ["r.csv:1: the roster names nobody"]


def test_a_file_that_is_not_utf8_or_not_there_is_one_clear_problem(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("username,display_name,role,cohorts\nzoe,Zoë,trainee,\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match=r"latin.csv:2: not UTF-8 text"):
        read_roster(latin)
    with pytest.raises(InvalidInput, match=r"gone.csv: cannot read it"):
        read_roster(tmp_path / "gone.csv")


def test_what_an_import_changed_is_said_in_words() -> None:
    assert result_lines(RosterResult()) == ["nothing to change: the store already matches the roster"]
    lines = result_lines(
        RosterResult(people_added=("a", "b"), cohorts_added=("Y",), memberships_added=(("Y", "a"),))
    )
    assert lines == ["added 2 people: a, b", "added cohorts: Y", "added 1 cohort memberships"]
