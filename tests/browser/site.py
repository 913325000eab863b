"""A trainee page to serve: a fresh store with a new trainee, and the notebook that shows it.

Used by the browser tests, the notebook test and ``benchmarks/bench_voila_tti.py``.

The page is ``notebooks/trainee_workspace.ipynb``. It finds its data through ``$ITP_WORKSPACE``; until the
workspace layer (``itp_toolkit.workspace``) exists, the notebook is copied with its one
``trainee_workspace(...)`` line pointed at the test store instead (every other cell unchanged).
Identity comes from ``$JUPYTERHUB_USER``, as under JupyterHub.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

from itp_toolkit.store import PlanStore
from tests.apps.clinic import CASE_ID, build_clinic

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "trainee_workspace.ipynb"
NEW_TRAINEE = "newbie"
STORE_URL_VAR = "ITP_TEST_STORE_URL"


@dataclass(frozen=True)
class TraineeSite:
    notebook: Path
    env: dict[str, str]
    store_url: str
    user: str
    case_id: str
    uses_workspace_layer: bool


def has_workspace_layer() -> bool:
    return importlib.util.find_spec("itp_toolkit.workspace") is not None


def build_trainee_site(directory: Path) -> TraineeSite:
    """A store in ``directory`` with a new trainee assigned the college case, and the page notebook."""
    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{directory / 'itp.sqlite'}"
    store = PlanStore.open(url)
    try:
        build_clinic(store)
        store.add_person(NEW_TRAINEE, "New Trainee", "trainee", actor="admin")
        cohort = next(c for c in store.list_cohorts(actor="admin") if c.name == "Cohort A")
        store.add_to_cohort(cohort.id, NEW_TRAINEE, actor="admin")
    finally:
        store.close()
    env = {STORE_URL_VAR: url, "JUPYTERHUB_USER": NEW_TRAINEE}
    pages = directory / "pages"
    pages.mkdir(exist_ok=True)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "trainee_workspace(" in cell.source and "import" not in cell.source:
            cell.source = (
                "from itp_toolkit.library import load_library\n"
                "from itp_toolkit.store import PlanStore\n"
                f"page = trainee_workspace(store=PlanStore.open(os.environ[{STORE_URL_VAR!r}]), "
                "case_library=load_library())"
            )
            break
    else:
        raise AssertionError(f"{NOTEBOOK} has no trainee_workspace(...) cell to point at the test store")
    target = pages / NOTEBOOK.name
    nbformat.write(nb, target)
    return TraineeSite(target, env, url, NEW_TRAINEE, CASE_ID, uses_workspace_layer=False)


def write_bare_notebook(directory: Path) -> Path:
    """A one-button page: the baseline the trainee page's time-to-interactive is compared with."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import ipywidgets as w\n"
            "b = w.Button(description='Ready')\n"
            "b.add_class('itp-bare-ready')\n"
            "b"
        )
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = directory / "bare.ipynb"
    nbformat.write(nb, path)
    return path


def server_env(extra: dict[str, str], jupyter_dir: Path) -> dict[str, str]:
    """The environment for a Jupyter/Voila child process: its config, data and runtime under ``jupyter_dir``."""
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
