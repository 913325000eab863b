"""The admin page: an admin's tabs and actions (each a Python twin of a form), a supervisor's reduced page,
a trainee's refusal, and the notebook running top to bottom as the page ``itp serve`` lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from itp_toolkit.apps import admin_page
from itp_toolkit.apps.admin import AdminPage
from itp_toolkit.apps.landing import PAGES
from itp_toolkit.cli.serve import REPO_NOTEBOOKS
from itp_toolkit.services.workspace import WORKSPACE_VAR, build_demo_workspace
from itp_toolkit.store import PlanStore

from ..conftest import shipped_cases
from ..store.roster_data import roster_csv

CASE = "case-college-anxiety"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlanStore:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    s = PlanStore.open(f"sqlite:///{tmp_path / 'itp.sqlite'}")
    s.ensure_admin("lead", "Programme Lead")
    return s


def _titles(page: AdminPage) -> list[str]:
    return [page.tabs.get_title(n) for n in range(len(page.tabs.children))]


def test_an_admin_imports_a_roster_and_administers_from_the_page(store: PlanStore) -> None:
    page = admin_page(store=store, user="lead")
    assert isinstance(page, AdminPage)
    assert _titles(page) == ["People", "Cohorts", "Assignments", "Plans", "Progress"]
    said = page.import_roster(roster_csv(), "year.csv")
    assert said.startswith("added 39 people") and "Trainee 07" in page.people_table.value
    assert (
        page.import_roster(roster_csv(), "year.csv")
        == "nothing to change: the store already matches the roster"
    )
    assert "bad.csv:2: role" in page.import_roster(
        "username,display_name,role,cohorts\nx,X,boss,\n", "bad.csv"
    )
    assert page.create_cohort("Electives", "Substance use") == "Created cohort Electives."
    electives = store.find_cohort("Electives", actor="lead").id
    assert page.add_person("newbie", "New Trainee", "trainee", electives) == "Added New Trainee."
    assert page.add_person("newbie", "Again", "trainee") == "newbie is already in the store"
    assert page.add_person("bad name", "X", "trainee").startswith("username: ")
    assert page.add_member(electives, "t00") == "Added to the cohort."
    assert page.remove_member(electives, "t00") == "Removed from the cohort."
    assert page.set_active("t01", False).startswith("Trainee 01 is deactivated")
    assert "deactivated" in page.people_table.value
    due = dt.date(2026, 12, 14)
    assert page.assign(CASE, ("cohort", electives), due).endswith("due 2026-12-14.")
    assert "2026-12-14" in page.assignments_table.value and "case-" not in page.assignments_table.value
    assert [(s.trainee, s.due_on) for s in store.plan_statuses(cohort_id=electives, actor="lead")] == [
        ("newbie", due)
    ]
    page.plans.show(cohort_id=electives)
    assert [r.trainee for r in page.plans.rows] == ["newbie"]


def test_a_supervisor_sees_only_plans_and_progress_of_their_cohorts(store: PlanStore) -> None:
    cases = shipped_cases()  # parsed once a session; the first test's page parses the shipped library itself
    admin_page(store=store, user="lead", case_library=cases).import_roster(roster_csv())
    page = admin_page(store=store, user="sup0", case_library=cases)
    assert isinstance(page, AdminPage) and _titles(page) == ["Plans", "Progress"]
    assert [name for name, _ in page.plans.cohort.options] == ["All my cohorts", "Year 1"]
    assert "refused" not in page.status.value


def test_a_trainee_is_told_the_page_is_not_for_them(store: PlanStore) -> None:
    cases = shipped_cases()  # parsed once a session; the first test's page parses the shipped library itself
    admin_page(store=store, user="lead", case_library=cases).import_roster(roster_csv())
    page = admin_page(store=store, user="t00", case_library=cases)
    assert isinstance(page, AdminPage) and "for supervisors" in page.status.value
    assert not hasattr(page, "tabs")


def test_the_landing_page_lists_the_admin_page_for_supervisors() -> None:
    [info] = [p for p in PAGES if p.notebook == "admin.ipynb"]
    assert info.roles == ("supervisor",) and (REPO_NOTEBOOKS / "admin.ipynb").is_file()


@pytest.mark.slow  # the notebook in a fresh kernel
def test_the_admin_notebook_runs_and_shows_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = build_demo_workspace(tmp_path / "demo")
    ws.close()
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv(WORKSPACE_VAR, str(ws.path))
    monkeypatch.setenv("QUERY_STRING", "as=dr.okafor")
    nb = nbformat.read(REPO_NOTEBOOKS / "admin.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    state = (
        nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    )
    classes = {c for model in state.values() for c in model.get("state", {}).get("_dom_classes", [])}
    assert "itp-admin" in classes and "itp-admin-tabs" in classes and "itp-app-error" not in classes
