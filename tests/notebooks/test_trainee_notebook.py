"""The trainee notebook runs from top to bottom in a fresh kernel and displays the page."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.browser.site import build_trainee_site


@pytest.mark.slow
def test_trainee_notebook_executes_headless_and_shows_the_page(tmp_path: Path, monkeypatch) -> None:
    site = build_trainee_site(tmp_path / "site")
    for key, value in site.env.items():
        monkeypatch.setenv(key, value)  # the kernel inherits them, as Voila's kernels do
    nb = nbformat.read(site.notebook, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views, "the last cell displayed no widget"
    state = (
        nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    )
    classes = {c for model in state.values() for c in model.get("state", {}).get("_dom_classes", [])}
    assert {"itp-trainee-workspace", "itp-case-picker"} <= classes
    assert "itp-app-error" not in classes, "the page could not open its store"
    assert os.environ["JUPYTERHUB_USER"] == site.user
