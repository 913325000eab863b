"""Under JupyterHub the command line acts only as the hub's user, as the pages do (issue 13, item 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from itp_toolkit.cli import main
from itp_toolkit.formats.files import load_case, write_model
from itp_toolkit.library.cases import case_library_dir
from itp_toolkit.services.workspace import Workspace

CASE_ID = "case-college-anxiety"


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path, int]:
    """tara and uma, each with the case; tara has a saved draft. Returns (workspace, plan file, her draft)."""
    ws = tmp_path / "ws"
    assert main(["init", str(ws), "--user", "sup"]) == 0
    store = Workspace.open(ws).store()
    for who in ("tara", "uma"):
        store.add_person(who, who.title(), "trainee", actor="sup")
        store.assign_case(CASE_ID, trainee=who, actor="sup")
    plan = load_case(case_library_dir() / f"{CASE_ID}.yaml").reference_plan
    plan_file = write_model(plan, tmp_path / "plan.yaml")
    draft = store.start_draft(CASE_ID, actor="tara").id
    store.save_revision(draft, plan, based_on=0, actor="tara")
    store.close()
    return ws, plan_file, draft


def test_export_as_another_user_is_refused_under_a_hub(
    workspace: tuple[Path, Path, int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, _, taras = workspace
    monkeypatch.setenv("JUPYTERHUB_USER", "uma")
    capsys.readouterr()
    args = ["plan", "export", "--draft", str(taras), "--workspace", str(ws), "--format", "json"]
    assert main([*args, "--as-user", "tara"]) == 2
    err = capsys.readouterr().err
    assert "belongs to uma" in err and "tara" in err
    assert main([*args, "--as-user", "uma"]) == 2  # as herself: not her draft
    assert "Traceback" not in capsys.readouterr().err


def test_import_as_another_user_is_refused_under_a_hub(
    workspace: tuple[Path, Path, int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, plan_file, _ = workspace
    monkeypatch.setenv("JUPYTERHUB_USER", "uma")
    capsys.readouterr()
    assert main(["plan", "import", str(plan_file), "--workspace", str(ws), "--as-user", "tara"]) == 2
    assert "belongs to uma" in capsys.readouterr().err
    store = Workspace.open(ws).store()
    assert [d.latest_revision for d in store.list_drafts(actor="tara")] == [1]  # nothing saved for tara
    assert main(["plan", "import", str(plan_file), "--workspace", str(ws)]) == 0  # as the hub's user
    assert "(uma, " in capsys.readouterr().out
    store.close()


def test_as_user_still_chooses_the_person_outside_a_hub(
    workspace: tuple[Path, Path, int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, plan_file, _ = workspace
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert main(["plan", "import", str(plan_file), "--workspace", str(ws), "--as-user", "tara"]) == 0
    assert "(tara, " in capsys.readouterr().out
