"""``itp people|cohort|assign|report|scores``: course administration from the shell, and its mistakes (exit
2, one clear line, never a traceback)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from itp_toolkit.cli import main
from itp_toolkit.services.workspace import Workspace

from ..store.roster_data import roster_csv

CASE = "case-adolescent-depression"


@pytest.fixture(scope="module")
def ws_made_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``itp init`` once a module, with the parsed case library's copy that its first command leaves in
    ``.itp-cache/`` (each command would otherwise parse the whole library, about half a second)."""
    root = tmp_path_factory.mktemp("course") / "ws"
    with pytest.MonkeyPatch.context() as env:
        env.delenv("JUPYTERHUB_USER", raising=False)
        env.delenv("ITP_DATABASE_URL", raising=False)
        assert main(["init", str(root), "--user", "lead", "--display-name", "Programme Lead"]) == 0
        Workspace.open(root).load_cases()
    return root


@pytest.fixture
def ws(ws_made_once: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new workspace for each test: a copy of ``ws_made_once`` (it names no path of its own)."""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("ITP_DATABASE_URL", raising=False)
    root = tmp_path / "ws"
    shutil.copytree(ws_made_once, root)
    monkeypatch.setenv("ITP_WORKSPACE", str(root))
    (tmp_path / "roster.csv").write_text(roster_csv(), encoding="utf-8")
    return root


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("itp: error: ") and "Traceback" not in err, err
    return lines[0]


def test_people_import_twice_adds_40_people_once(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = str(ws.parent / "roster.csv")
    code, out, _ = _run(capsys, "people", "import", roster)
    assert code == 0 and "added 39 people" in out and "added cohorts: Year 1, Year 2, Year 3" in out
    code, out, _ = _run(capsys, "people", "import", roster)
    assert code == 0 and out.strip() == "nothing to change: the store already matches the roster"
    code, out, _ = _run(capsys, "people", "list")
    assert out.strip().splitlines()[-1] == "40 people"
    code, out, _ = _run(capsys, "people", "list", "--cohort", "Year 2")
    assert out.strip().splitlines()[-1] == "13 people"


def test_a_malformed_roster_prints_each_bad_row_and_imports_nothing(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = ws.parent / "bad.csv"
    bad.write_text(
        "username,display_name,role,cohorts\nok1,Fine,trainee,A\nbad one,X,trainee,\n", encoding="utf-8"
    )
    code, _, err = _run(capsys, "people", "import", str(bad))
    assert code == 2 and f"{bad}:3: username: " in err and "Traceback" not in err
    code, out, _ = _run(capsys, "people", "list")
    assert out.strip().splitlines()[-1] == "1 people"


def test_people_add_deactivate_and_reactivate(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "cohort", "create", "Year 1", "--course", "Practicum")[0] == 0
    code, out, _ = _run(capsys, "people", "add", "ana", "Ana Ruiz", "--role", "trainee", "--cohort", "Year 1")
    assert code == 0 and out.strip() == "added ana (trainee) in Year 1"
    code, out, _ = _run(capsys, "people", "deactivate", "ana")
    assert code == 0 and "deactivated" in out
    assert "(deactivated)" in _run(capsys, "people", "list")[1]
    assert Workspace.open(ws).store().list_people(actor="lead")[0].active is False
    assert _run(capsys, "people", "reactivate", "ana")[0] == 0
    assert "(deactivated)" not in _run(capsys, "people", "list")[1]


def test_cohort_create_add_remove_list(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "people", "import", str(ws.parent / "roster.csv"))
    assert _run(capsys, "cohort", "create", "Electives", "--course", "Substance use")[0] == 0
    code, out, _ = _run(capsys, "cohort", "add", "Electives", "t00", "t01", "sup2")
    assert code == 0 and out.strip() == "Electives: added t00, t01, sup2"
    code, out, _ = _run(capsys, "cohort", "remove", "Electives", "t01")
    assert out.strip() == "Electives: removed t01"
    listing = _run(capsys, "cohort", "list")[1]
    assert "Electives (course Substance use): 1 trainees, supervisors sup2" in listing


def test_assign_with_a_due_date_and_again_with_another(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "people", "import", str(ws.parent / "roster.csv"))
    code, out, _ = _run(capsys, "assign", CASE, "--cohort", "Year 1", "--due", "2026-12-14")
    assert code == 0 and out.strip().endswith("is set for cohort Year 1, due 2026-12-14")
    code, out, _ = _run(capsys, "assign", CASE, "--cohort", "Year 1", "--due", "2026-12-21")
    assert out.strip().endswith("due 2026-12-21")
    code, out, _ = _run(capsys, "assign", CASE, "--trainee", "t01")
    assert code == 0 and out.strip().endswith("is set for t01, no due date")
    store = Workspace.open(ws).store()
    assert [a.due_on.isoformat() for a in store.list_assigned_cases(actor="lead") if a.cohort_id] == [
        "2026-12-21"
    ]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["assign", "case-nowhere", "--cohort", "Year 1"], "no case 'case-nowhere' in the case library"),
        (["assign", CASE, "--cohort", "Year 9"], "no cohort named 'Year 9'"),
        (["assign", CASE, "--trainee", "nobody"], "no trainee 'nobody'"),
        (["people", "deactivate", "nobody"], "no person 'nobody'"),
        (["people", "deactivate", "lead"], "you cannot deactivate yourself"),
        (["people", "import", "missing.csv"], "missing.csv: cannot read it"),
        (["people", "add", "t00", "Again", "--role", "trainee"], "'t00' already exists"),
        (["cohort", "create", "Year 1"], "a cohort named 'Year 1' already exists"),
        (["cohort", "add", "Year 1", "ghost"], "no person 'ghost'; nobody was changed"),
        (["cohort", "remove", "Nowhere", "t00"], "no cohort named 'Nowhere'"),
        (["report", "progress", "--cohort", "Year 9"], "no cohort named 'Year 9'"),
        (["scores", "export", "--csv", "x.csv", "--format", "canvas"], "give --csv FILE alone"),
        (["cohort", "create", "Mine", "--as", "t00"], "only an admin can do this"),
    ],
)
def test_mistakes_exit_2_with_one_clear_line(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str], says: str
) -> None:
    _run(capsys, "people", "import", str(ws.parent / "roster.csv"))
    monkeypatch.chdir(ws.parent)
    code, out, err = _run(capsys, *argv)
    assert code == 2 and says in _one_line_error(err)


@pytest.mark.parametrize(
    "argv",
    [
        ["assign", CASE, "--cohort", "Year 1", "--due", "14/12/2026"],
        ["assign", CASE],
        ["people", "add", "x", "X", "--role", "boss"],
        ["scores", "export", "--format", "excel"],
    ],
)
def test_argument_mistakes_exit_2_without_a_traceback(
    ws: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("itp ") and ": error: " in line and line.endswith("--help)")


def _scored_workspace(ws: Path) -> None:
    """Three trainees in Year 1, the case assigned, t00 scored on every criterion and released."""
    from itp_toolkit.checks.rubrics import default_rubric
    from itp_toolkit.services.roster import import_roster

    store = Workspace.open(ws).store()
    import_roster(store, "roster.csv", actor="lead", data=roster_csv())
    year1 = store.find_cohort("Year 1", actor="lead").id
    store.assign_case(CASE, cohort_id=year1, actor="lead")
    rubric = default_rubric()
    for who, level in (("t00", 3), ("t03", 2)):
        draft = store.start_draft(CASE, actor=who).id
        plan = store.blank_plan(draft, actor=who)
        store.save_revision(draft, plan, based_on=0, actor=who)
        criteria = rubric.criteria if who == "t00" else rubric.criteria[:3]  # t03: not fully scored
        for c in criteria:
            store.add_score(draft, rubric.id, c.id, level, actor="sup0")
        store.release_feedback(draft, actor="sup0")


def test_scores_export_canvas_layout(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _scored_workspace(ws)
    out_file = ws.parent / "canvas.csv"
    code, out, _ = _run(
        capsys, "scores", "export", "--format", "canvas", "--cohort", "Year 1", "--out", str(out_file)
    )
    assert code == 0 and "12 trainees x 1 assignments" in out
    rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5].startswith("A fifteen-year-old with depression")
    assert rows[1][0].strip() == "Points Possible" and rows[1][5] == "48"
    by_login = {r[3]: r for r in rows[2:]}
    assert len(by_login) == 12
    assert (
        by_login["t00"][0] == "Trainee 00" and by_login["t00"][4] == "Year 1" and by_login["t00"][5] == "36"
    )
    assert by_login["t03"][5] == ""  # scored on 3 of 12 criteria: no grade yet


def test_scores_export_csv_and_progress_report(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _scored_workspace(ws)
    code, out, _ = _run(capsys, "scores", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 15 and rows[0]["criterion"] == "Problem statement"
    code, out, _ = _run(capsys, "report", "progress", "--format", "csv", "--trainee", "t03")
    assert code == 0 and {r["username"] for r in csv.DictReader(io.StringIO(out))} == {"t03"}
    page = ws.parent / "progress.html"
    code, out, _ = _run(capsys, "report", "progress", "--format", "html", "--out", str(page))
    html = page.read_text(encoding="utf-8")
    assert code == 0 and "Trainee 00" in html and "Problem statement" in html and "crit-" not in html
    assert "<script" not in html and html.count("data:image/png;base64,") == 3
