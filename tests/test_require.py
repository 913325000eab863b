"""ITP_REQUIRE_POSTGRES=1 and ITP_REQUIRE_BROWSER=1 turn a missing server or browser into a failure.

The fixtures' own logic runs here against things that are not there: a port nothing answers on, a Chromium
path that does not exist. With the flag, a failure; without it, a skip that says why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._require import BROWSER_FLAG, POSTGRES_FLAG, require_browser, throwaway_database

NOBODY = "postgresql+psycopg://postgres@127.0.0.1:1/test"
"""Port 1 (tcpmux): nothing listens there, so the connection is refused at once."""
NO_CHROMIUM = Path("/nonexistent/chromium")


def _create_database(url: str) -> None:
    with throwaway_database(url):
        raise AssertionError("a database was created on a server that is not there")


def test_a_dead_postgres_fails_the_test_when_it_is_required(monkeypatch):
    monkeypatch.setenv(POSTGRES_FLAG, "1")
    with pytest.raises(pytest.fail.Exception, match=r"ITP_REQUIRE_POSTGRES=1 but PostgreSQL at .*:1/"):
        _create_database(NOBODY)


def test_a_dead_postgres_skips_the_test_saying_why_when_it_is_not_required(monkeypatch):
    monkeypatch.delenv(POSTGRES_FLAG, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"PostgreSQL at .*:1/\S* is not available"):
        _create_database(NOBODY)


def test_a_missing_browser_fails_the_test_when_it_is_required(monkeypatch):
    monkeypatch.setenv(BROWSER_FLAG, "1")
    with pytest.raises(pytest.fail.Exception, match="ITP_REQUIRE_BROWSER=1 but browser tests: /nonexistent"):
        require_browser(NO_CHROMIUM)


def test_a_missing_browser_skips_the_test_saying_why_when_it_is_not_required(monkeypatch):
    monkeypatch.delenv(BROWSER_FLAG, raising=False)
    with pytest.raises(pytest.skip.Exception, match="/nonexistent/chromium is missing"):
        require_browser(NO_CHROMIUM)


def test_an_installed_browser_is_no_reason_to_skip(monkeypatch):
    """The rule must not skip everything either: here Chromium and Playwright are installed."""
    monkeypatch.setenv(BROWSER_FLAG, "1")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no Chromium on this machine")
    require_browser(Path("/usr/bin/chromium"))
