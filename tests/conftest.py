"""Fixtures shared across test folders, registered once so a test module names them only as parameters.

Also the shipped case library, parsed once a session (``shipped_cases``), and the property tests' example
counts. A full run (``./dev.sh test``, CI, plain ``pytest``) runs each property test with the count it
names. The quick inner loop (``-m "not slow ..."``) loads the Hypothesis profile ``quick`` (the report
header names it): every property test still runs, with at most ``QUICK_EXAMPLES`` examples.
``--hypothesis-profile=default`` restores the full counts in any run.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

if TYPE_CHECKING:  # imported where used: an xdist controller process loads this file but runs no test
    from itp_toolkit.model import CaseStudy
    from itp_toolkit.services.workspace import Workspace
    from itp_toolkit.store import PlanStore

SHARED_FIXTURES = ("tests.compare.review_clinic", "tests.store.db_roles")
"""Fixture modules every folder's tests may use, registered in each process that runs tests
(``pytest_configure``); the xdist controller (``-n``) runs none, so it starts its workers without
importing the toolkit (about a second sooner)."""


@cache
def _shipped_library() -> dict[str, CaseStudy]:
    from itp_toolkit.library.cases import load_library_user_cached

    return load_library_user_cached()


def shipped_cases() -> dict[str, CaseStudy]:
    """The shipped case library, read once per test process as a page without a workspace reads it (the
    parsed copy in the user's cache folder, parsed again when a case file changed): parsing its YAML is about
    half a second of CPU, and fixtures wanted it for nearly every page test. Each call returns fresh copies,
    so a test that changes a case changes no other test's. Tests of the loading itself call
    ``load_case_library`` (tests/library, tests/cli/test_cases.py)."""
    return {case_id: case.model_copy(deep=True) for case_id, case in _shipped_library().items()}


def shipped_case(case_id: str) -> CaseStudy:
    """One shipped case, a fresh copy (``shipped_cases()[case_id]`` would copy all thirteen)."""
    return _shipped_library()[case_id].model_copy(deep=True)


@cache
def _migrated_sqlite() -> Path:
    from itp_toolkit.store import PlanStore

    folder = Path(tempfile.mkdtemp(prefix="itp-test-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "itp.sqlite"
    PlanStore.open(f"sqlite:///{path}").close()  # closed: one file, no WAL left beside it
    return path


def new_sqlite_file(path: Path) -> str:
    """The URL of a new, empty SQLite database at ``path`` at the newest migration, as ``PlanStore.open``
    makes of a new file: a copy (owner-only, like the original) of the one the migrations built once this
    session, so each test does not replay them (tests/store/test_migrations.py runs them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(_migrated_sqlite(), path)
    return f"sqlite:///{path}"


def new_sqlite_store(path: Path, **options: Any) -> PlanStore:
    """A new, empty SQLite store at ``path`` (``new_sqlite_file``), opened."""
    from itp_toolkit.store import PlanStore

    return PlanStore.open(new_sqlite_file(path), **options)


_DEMO_ENVIRONMENT = ("ITP_DATABASE_URL", "ITP_CASE_LIBRARY", "ITP_WORKSPACE")
"""Variables that change what ``build_demo_workspace`` makes (or where): with any set, no copy is used."""


@cache
def _demo_template() -> Path:
    from itp_toolkit.services.workspace import build_demo_workspace

    folder = Path(tempfile.mkdtemp(prefix="itp-test-demo-"))
    atexit.register(shutil.rmtree, folder, True)
    demo = build_demo_workspace(folder / "demo")  # leaves the parsed library's copy in .itp-cache/
    demo.close()  # closed: one SQLite file, no WAL left beside it
    return folder / "demo"


def demo_workspace(path: Path) -> Workspace:
    """A new demo workspace at ``path``, as ``build_demo_workspace(path)`` makes it and a first page leaves it
    (the parsed case library's copy in ``.itp-cache/``): a copy of the one built once this session (seeding
    the demo cohort and a page's first read each parse the whole case library, about half a second of CPU).
    The workspace names no path of its own, so the copy is the same workspace in its new folder.
    tests/store/test_workspace.py tests the building itself."""
    from itp_toolkit.services.workspace import Workspace, build_demo_workspace

    if any(os.environ.get(name) for name in _DEMO_ENVIRONMENT):
        return build_demo_workspace(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(_demo_template(), path)
    return Workspace.open(path)


def _open_widgets() -> dict[str, Any]:
    """ipywidgets' registry of open widgets by model id (empty until ipywidgets is imported)."""
    module = sys.modules.get("ipywidgets.widgets.widget")
    return getattr(module, "_instances", {}) if module is not None else {}


@pytest.fixture(autouse=True)
def _close_the_tests_widgets() -> Iterator[None]:
    """Close the widgets a test left open, as the end of a page's kernel does. ipywidgets keeps every open
    widget for the life of the process: left open, a quick-loop worker held 17,000 of them at the end (1.4
    million objects in all, 0.8 million with them closed) and its exit (the interpreter's final collection)
    took 4 s (2 s with them closed)."""
    before = set(_open_widgets())
    yield
    registry = _open_widgets()
    for model_id in [m for m in registry if m not in before]:
        widget = registry.get(model_id)  # closing one may have closed others already
        if widget is not None:
            widget.close()


QUICK_EXAMPLES = 10
settings.register_profile("quick", max_examples=QUICK_EXAMPLES)


def examples(full: int) -> int:
    """How many examples a property test runs: ``full``, capped by the loaded profile (``quick``: 10)."""
    return min(full, settings.default.max_examples)


def pytest_configure(config: pytest.Config) -> None:
    xdist_controller = bool(getattr(config.option, "numprocesses", None)) and not os.environ.get(
        "PYTEST_XDIST_WORKER"
    )
    if not xdist_controller:
        for name in SHARED_FIXTURES:
            config.pluginmanager.import_plugin(name)
    quick_loop = "not slow" in (config.option.markexpr or "")
    if quick_loop and config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("quick")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Less garbage collection in a test process. What the imports and the collection made (modules, the
    parsed case library) lives as long as the process: ``gc.freeze()`` leaves it out of every later pass.
    A youngest generation of 10,000 allocations (Python's default is 700) makes passes rarer; each test's
    garbage is still collected. Measured in the quick loop (two workers): 5.5 s of collecting per worker
    became 2.9 s, and a worker's exit 2.2 s became 0.8 s."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
