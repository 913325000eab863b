"""Workspaces: the config file, the environment's overrides, and the demo cohort."""

from __future__ import annotations

from pathlib import Path

import pytest

from itp_toolkit.errors import InvalidInput, NotFound, PermissionDenied
from itp_toolkit.formats import files
from itp_toolkit.formats.files import load_case
from itp_toolkit.services.workspace import CONFIG_NAME, Workspace, build_demo_workspace, seed_demo

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_deployment_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ITP_DATABASE_URL", "JUPYTERHUB_USER", "ITP_WORKSPACE", "ITP_CASE_LIBRARY"):
        monkeypatch.delenv(var, raising=False)


def test_init_writes_the_config_and_an_sqlite_store_with_the_user_as_admin(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws", user="director", display_name="Training Director")
    assert (tmp_path / "ws" / CONFIG_NAME).is_file()
    assert ws.database_url == f"sqlite:///{tmp_path / 'ws' / 'itp.sqlite'}"
    again = Workspace.open(tmp_path / "ws")
    assert again.user == "director"
    person = again.store().find_person("director", actor="director")
    assert person.is_admin and person.display_name == "Training Director"
    assert (tmp_path / "ws" / "itp.sqlite").is_file()
    with pytest.raises(InvalidInput):
        Workspace.init(tmp_path / "ws", user="someone")
    ws.close()
    again.close()


def test_environment_overrides_database_and_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Workspace.init(tmp_path, user="director").close()
    other = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    monkeypatch.setenv("ITP_DATABASE_URL", other)
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    ws = Workspace.open(tmp_path)
    assert (ws.database_url, ws.user) == (other, "ana")
    ws.store()
    assert (tmp_path / "elsewhere.sqlite").is_file()
    with pytest.raises(PermissionDenied):  # ana is not a person in that (new, empty) store
        ws.store().list_drafts(actor=ws.user)
    ws.close()


def test_open_without_a_workspace_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(NotFound, match="itp workspace init"):
        Workspace.open(tmp_path)
    monkeypatch.setenv("ITP_WORKSPACE", str(tmp_path))
    Workspace.init(tmp_path, user="director").close()
    assert Workspace.open().path == tmp_path.resolve()


def test_a_broken_config_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("user: director\ndatabse_url: sqlite:///x\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        Workspace.open(tmp_path)
    problem = caught.value.problems[0]
    assert (problem.field, problem.line) == ("databse_url", 2)


def test_demo_has_drafts_at_every_stage(tmp_path: Path) -> None:
    ws = build_demo_workspace(tmp_path / "demo")
    store = ws.store()
    drafts = {d.owner: d for d in store.list_drafts(actor="dr.okafor")}
    assert {o: (d.status, d.latest_revision) for o, d in drafts.items()} == {
        "ana": ("empty", 0),
        "ben": ("in_progress", 3),
        "chen": ("submitted", 2),
        "dee": ("returned", 1),
    }
    dee = drafts["dee"].id
    assert len(store.list_annotations(dee, actor="dee")) >= 3  # released with the return
    assert {s.rater for s in store.list_scores(dee, actor="dee")} == {"dr.okafor", "dr.lind"}
    assert store.list_annotations(drafts["ben"].id, actor="ben") == []
    plans = [store.get_revision(drafts["ben"].id, n, actor="ben") for n in (1, 2, 3)]
    sizes = [len(list(p.elements())) for p in plans]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    cases = {a.case_id for a in store.list_assigned_cases(actor="ana")}
    assert drafts["ana"].case_id in cases and len(cases) >= 1
    ws.close()


def test_a_new_demo_workspace_keeps_the_library_its_seeding_parsed_for_the_first_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = tmp_path / "cases"
    library.mkdir()
    for name in ("case-college-anxiety.yaml", "case-perinatal-rural.yaml"):
        (library / name).write_bytes((REPO / "case_studies" / name).read_bytes())
    ws = build_demo_workspace(tmp_path / "demo", case_library=library)

    def parse(path: object) -> None:
        raise AssertionError(f"the first page parsed {path} again")

    monkeypatch.setattr(files, "load_case", parse)
    assert list(ws.load_cases()) == ["case-college-anxiety", "case-perinatal-rural"]
    ws.close()


def test_a_demo_workspace_with_a_library_relative_to_it_keeps_no_copy_of_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``case_library="cases"`` is read from the current folder to seed, but names the workspace's own
    ``cases/`` afterwards: the seeding's parse is not that library's."""
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "case-college-anxiety.yaml").write_bytes(
        (REPO / "case_studies" / "case-college-anxiety.yaml").read_bytes()
    )
    monkeypatch.chdir(tmp_path)
    ws = build_demo_workspace(tmp_path / "demo", case_library="cases")
    assert not list(ws.cache_dir.glob("case-library-*.json"))
    ws.close()


def test_demo_plans_can_be_built_for_a_case_without_a_reference_plan(tmp_path: Path) -> None:
    case = load_case(REPO / "case_studies" / "case-college-anxiety.yaml").model_copy(
        update={"reference_plan": None}
    )
    store = Workspace.init(tmp_path, user="director").store()
    drafts = seed_demo(store, [case], admin="director")
    plan = store.get_revision(drafts["dee"], actor="dr.okafor")
    assert plan.case_id == case.id and plan.problems and plan.deferred_concerns
    store.close()
