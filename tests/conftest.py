"""Fixtures shared across test folders, registered once so a test module names them only as parameters.

Also the shipped case library, parsed once a session (``shipped_cases``), and the property tests' example
counts. A full run (``./dev.sh test``, CI, plain ``pytest``) runs each property test with the count it
names. The quick inner loop (``-m "not slow ..."``) loads the Hypothesis profile ``quick`` (the report
header names it): every property test still runs, with at most ``QUICK_EXAMPLES`` examples.
``--hypothesis-profile=default`` restores the full counts in any run.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from itp_toolkit.library.cases import load_case_library
from itp_toolkit.model import CaseStudy
from itp_toolkit.services.workspace import Workspace, build_demo_workspace
from itp_toolkit.store import PlanStore

pytest_plugins = ["tests.compare.review_clinic", "tests.store.db_roles"]


@cache
def _shipped_library() -> dict[str, CaseStudy]:
    return load_case_library()


def shipped_cases() -> dict[str, CaseStudy]:
    """The shipped case library (``load_case_library()``), parsed once per test session: parsing its YAML
    is about half a second of CPU, and fixtures wanted it for nearly every page test. Each call returns
    fresh copies, so a test that changes a case changes no other test's. Tests of the loading itself call
    ``load_case_library`` (tests/library, tests/cli/test_cases.py)."""
    return {case_id: case.model_copy(deep=True) for case_id, case in _shipped_library().items()}


@cache
def _migrated_sqlite() -> Path:
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
    return PlanStore.open(new_sqlite_file(path), **options)


_DEMO_ENVIRONMENT = ("ITP_DATABASE_URL", "ITP_CASE_LIBRARY", "ITP_WORKSPACE")
"""Variables that change what ``build_demo_workspace`` makes (or where): with any set, no copy is used."""


@cache
def _demo_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="itp-test-demo-"))
    atexit.register(shutil.rmtree, folder, True)
    demo = build_demo_workspace(folder / "demo")
    demo.load_cases()  # the parsed library's copy in .itp-cache/, as the first page opened there leaves it
    demo.close()  # closed: one SQLite file, no WAL left beside it
    return folder / "demo"


def demo_workspace(path: Path) -> Workspace:
    """A new demo workspace at ``path``, as ``build_demo_workspace(path)`` makes it and a first page leaves it
    (the parsed case library's copy in ``.itp-cache/``): a copy of the one built once this session (seeding
    the demo cohort and a page's first read each parse the whole case library, about half a second of CPU).
    The workspace names no path of its own, so the copy is the same workspace in its new folder.
    tests/store/test_workspace.py tests the building itself."""
    if any(os.environ.get(name) for name in _DEMO_ENVIRONMENT):
        return build_demo_workspace(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(_demo_template(), path)
    return Workspace.open(path)


QUICK_EXAMPLES = 10
settings.register_profile("quick", max_examples=QUICK_EXAMPLES)


def examples(full: int) -> int:
    """How many examples a property test runs: ``full``, capped by the loaded profile (``quick``: 10)."""
    return min(full, settings.default.max_examples)


def pytest_configure(config: pytest.Config) -> None:
    quick_loop = "not slow" in (config.option.markexpr or "")
    if quick_loop and config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("quick")
