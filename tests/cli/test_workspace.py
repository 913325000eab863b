"""``itp init``, ``itp demo``, ``itp workspace show`` and plan import/export through a workspace store."""

from pathlib import Path

import pytest

from itp_toolkit.cli import main
from itp_toolkit.formats.files import load_case, write_model
from itp_toolkit.library.cases import case_library_dir


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "ws"
    assert main(["demo", str(root)]) == 0
    return root


def test_demo_workspace_has_a_cohort_drafts_at_every_stage_and_feedback(demo, capsys):
    assert main(["workspace", "show", str(demo)]) == 0
    out = capsys.readouterr().out
    assert "Cohort 'Demo cohort'" in out
    for status in ("empty", "in_progress", "submitted", "returned"):
        assert status in out
    assert "annotations 4" in out


def test_demo_refuses_to_replace_a_folder_that_is_not_a_workspace(tmp_path, capsys):
    keep = tmp_path / "notes.txt"
    keep.write_text("someone's work")
    assert main(["demo", str(tmp_path), "--force"]) == 2
    assert "refusing to replace" in capsys.readouterr().err
    assert keep.read_text() == "someone's work"


def test_init_twice_is_a_clear_error(tmp_path, capsys):
    assert main(["init", str(tmp_path / "w"), "--user", "sup"]) == 0
    assert main(["init", str(tmp_path / "w")]) == 2
    assert "already a workspace" in capsys.readouterr().err


def test_plan_import_saves_a_revision_and_export_returns_it_as_markdown(tmp_path, capsys):
    ws = tmp_path / "w"
    assert main(["init", str(ws), "--user", "sup"]) == 0
    from itp_toolkit.services.workspace import Workspace

    store = Workspace.open(ws).store()
    store.add_person("tara", "Tara", "trainee", actor="sup")
    store.assign_case("case-college-anxiety", trainee="tara", actor="sup")
    case = load_case(case_library_dir() / "case-college-anxiety.yaml")
    plan_file = write_model(case.reference_plan, tmp_path / "plan.yaml")
    capsys.readouterr()
    assert main(["plan", "import", str(plan_file), "--workspace", str(ws), "--as-user", "tara"]) == 0
    assert "revision 1 of draft" in capsys.readouterr().out
    draft_id = store.list_drafts(actor="sup")[0].id
    out_file = tmp_path / "plan.md"
    assert (
        main(
            [
                "plan",
                "export",
                "--draft",
                str(draft_id),
                "--workspace",
                str(ws),
                "--as-user",
                "tara",
                "--format",
                "markdown",
                "--case",
                "case-college-anxiety",
                "--out",
                str(out_file),
            ]
        )
        == 0
    )
    text = out_file.read_text()
    assert (
        "# Individualized Treatment Plan" in text and case.reference_plan.problems[0].statement[:30] in text
    )


def test_another_trainee_cannot_export_someone_elses_draft(tmp_path, capsys):
    ws = tmp_path / "w"
    main(["init", str(ws), "--user", "sup"])
    from itp_toolkit.services.workspace import Workspace

    store = Workspace.open(ws).store()
    for name in ("tara", "uma"):
        store.add_person(name, name.title(), "trainee", actor="sup")
    store.assign_case("case-college-anxiety", trainee="tara", actor="sup")
    draft = store.start_draft("case-college-anxiety", actor="tara")
    capsys.readouterr()
    assert main(["plan", "export", "--draft", str(draft.id), "--workspace", str(ws), "--as-user", "uma"]) == 2
    assert "itp: error" in capsys.readouterr().err


def test_plan_validate_reports_links_to_facts_the_case_does_not_have(tmp_path, capsys):
    case = load_case(case_library_dir() / "case-college-anxiety.yaml")
    plan = case.reference_plan.model_copy(deep=True)
    plan.problems[0].linked_facts.append("s-invented")
    path = write_model(plan, tmp_path / "plan.yaml")
    assert main(["plan", "validate", str(path), "--case", "case-college-anxiety"]) == 1
    assert "'s-invented', which is not a fact" in capsys.readouterr().out
