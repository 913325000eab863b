"""A trainee page to serve: a fresh workspace with a new trainee, and the notebook that shows it.

Used by the browser tests, the notebook test and ``benchmarks/bench_voila_tti.py``.

The page is the real ``notebooks/trainee_workspace.ipynb``, served unchanged: it finds its data through
``$ITP_WORKSPACE``, which points at a workspace built here in a temporary directory (``Workspace.init``, then
the small clinic of ``tests/apps/clinic.py`` and a new trainee added with the store's own calls).
Identity comes from ``$JUPYTERHUB_USER``, as under JupyterHub.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

from itp_toolkit.services.workspace import WORKSPACE_VAR, Workspace
from tests.apps.clinic import CASE_ID, build_clinic

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "trainee_workspace.ipynb"
NEW_TRAINEE = "newbie"
# Pages that take a store URL rather than a workspace (kept for tests written before the workspace layer).
STORE_URL_VAR = "ITP_TEST_STORE_URL"


@dataclass(frozen=True)
class TraineeSite:
    notebook: Path
    env: dict[str, str]
    store_url: str
    user: str
    case_id: str
    workspace: Path


def build_trainee_site(directory: Path) -> TraineeSite:
    """A workspace in ``directory`` with a new trainee assigned the college case; the real page notebook."""
    directory.mkdir(parents=True, exist_ok=True)
    ws = Workspace.init(directory / "workspace", user="admin", display_name="Training Director")
    try:
        store = ws.store()
        build_clinic(store)
        store.add_person(NEW_TRAINEE, "New Trainee", "trainee", actor="admin")
        cohort = next(c for c in store.list_cohorts(actor="admin") if c.name == "Cohort A")
        store.add_to_cohort(cohort.id, NEW_TRAINEE, actor="admin")
        url = ws.database_url
    finally:
        ws.close()
    env = {WORKSPACE_VAR: str(ws.path), STORE_URL_VAR: url, "JUPYTERHUB_USER": NEW_TRAINEE}
    return TraineeSite(NOTEBOOK, env, url, NEW_TRAINEE, CASE_ID, ws.path)


def write_bare_notebook(directory: Path) -> Path:
    """A one-button page: the baseline the trainee page's time-to-interactive is compared with."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import ipywidgets as w\nb = w.Button(description='Ready')\nb.add_class('itp-bare-ready')\nb"
        )
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = directory / "bare.ipynb"
    nbformat.write(nb, path)
    return path


def server_env(extra: dict[str, str], jupyter_dir: Path) -> dict[str, str]:
    """The environment for a Jupyter/Voila child process: its config, data and runtime under
    ``jupyter_dir``."""
    env = dict(os.environ)
    env.pop("JUPYTERHUB_USER", None)
    env.update(
        JUPYTER_PLATFORM_DIRS="1",
        JUPYTER_CONFIG_DIR=str(jupyter_dir / "config"),
        JUPYTER_DATA_DIR=str(jupyter_dir / "data"),
        JUPYTER_RUNTIME_DIR=str(jupyter_dir / "runtime"),
        IPYTHONDIR=str(jupyter_dir / "ipython"),
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    )
    env.update(extra)
    return env
