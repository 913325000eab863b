"""The workshop, landing and case-library notebooks run top to bottom in a fresh kernel, in a demo
workspace, as the person ``?as=`` names (Voila's QUERY_STRING), and display their page without an error."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from itp_toolkit.cli.serve import REPO_NOTEBOOKS
from itp_toolkit.services.workspace import WORKSPACE_VAR, build_demo_workspace

PAGES = {
    "index.ipynb": ("itp-landing", None),
    "facilitator.ipynb": ("itp-facilitator", "dr.okafor"),
    "workshop_progress.ipynb": ("itp-progress-page", "dr.okafor"),
    "workshop_debrief.ipynb": ("itp-debrief-page", "ana"),
    "case_library.ipynb": ("itp-case-library", None),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    ws = build_demo_workspace(tmp_path_factory.mktemp("nb") / "demo")
    ws.close()
    return ws.path


@pytest.mark.slow  # a kernel per notebook: 13-21 s each measured under load
@pytest.mark.parametrize("notebook", sorted(PAGES))
def test_each_page_notebook_executes_and_shows_its_page(notebook, demo, tmp_path, monkeypatch):
    css_class, as_user = PAGES[notebook]
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv(WORKSPACE_VAR, str(demo))
    monkeypatch.setenv("QUERY_STRING", f"as={as_user}" if as_user else "")
    nb = nbformat.read(REPO_NOTEBOOKS / notebook, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    state = (
        nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    )
    classes = {c for model in state.values() for c in model.get("state", {}).get("_dom_classes", [])}
    assert css_class in classes and "itp-app-error" not in classes
