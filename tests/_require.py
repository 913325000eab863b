"""The one rule for tests that need a server or a browser: skip and say why, unless CI said it must be there.

``ITP_REQUIRE_POSTGRES=1`` and ``ITP_REQUIRE_BROWSER=1`` (set by CI) turn every such skip into a failure, so
a dead PostgreSQL or a missing Chromium cannot make a run "pass" with everything that needed it skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_FLAG = "ITP_REQUIRE_POSTGRES"
BROWSER_FLAG = "ITP_REQUIRE_BROWSER"


def unavailable(flag: str, reason: str) -> NoReturn:
    """Skip with ``reason``, or fail when the environment sets ``flag`` to 1."""
    if os.environ.get(flag) == "1":
        pytest.fail(f"{flag}=1 but {reason}", pytrace=False)
    print(f"\nSKIPPING: {reason}")
    pytest.skip(reason)


@contextmanager
def throwaway_database(admin_url: str) -> Iterator[str]:
    """A new database ``itp_test_<random>`` on the server of ``admin_url`` (dropped afterwards), its URL.

    Any failure to reach the server or create the database is ``unavailable`` (skip, or fail under
    ``ITP_REQUIRE_POSTGRES=1``); failures after that are the test's own.
    """
    url = make_url(admin_url)
    name = f"itp_test_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 10})
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - whatever stops us reaching the server: skip or fail, saying why
        admin.dispose()
        unavailable(POSTGRES_FLAG, f"PostgreSQL at {url.render_as_string()} is not available: {exc}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def browser_problem(chromium: Path) -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not chromium.exists():
        return f"{chromium} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def require_browser(chromium: Path) -> None:
    """Return when Chromium and Playwright are here; else skip, or fail under ``ITP_REQUIRE_BROWSER=1``."""
    problem = browser_problem(chromium)
    if problem is not None:
        unavailable(BROWSER_FLAG, f"browser tests: {problem}")
