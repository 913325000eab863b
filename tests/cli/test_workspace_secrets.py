"""``itp init`` keeps the database password to its owner (issue 13, item 12).

The workspace file can hold a PostgreSQL URL with the admin password, and ``itp.sqlite`` holds every plan:
both are created readable by their owner only, whatever the umask.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from itp_toolkit.cli import main
from itp_toolkit.services.workspace import CONFIG_NAME, DEFAULT_DB_NAME


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_init_creates_the_workspace_file_and_the_sqlite_store_owner_only(
    tmp_path: Path, open_umask: None
) -> None:
    ws = tmp_path / "ws"
    assert main(["init", str(ws), "--user", "sup"]) == 0
    assert _mode(ws / CONFIG_NAME) == 0o600
    assert _mode(ws / DEFAULT_DB_NAME) == 0o600
    for sibling in ws.glob(f"{DEFAULT_DB_NAME}-*"):  # WAL and shared-memory files follow the database's mode
        assert _mode(sibling) & 0o077 == 0, sibling


@pytest.mark.postgres
def test_init_with_a_database_password_writes_it_owner_only(
    tmp_path: Path, open_umask: None, request
) -> None:
    from sqlalchemy.engine import make_url

    from tests.store.conftest import postgres_schema_url

    # A throw-away schema in the session's throw-away database (tests/store/conftest.py), never a shared one.
    url, _ = postgres_schema_url(request.getfixturevalue("pg_server_url"))
    rendered = make_url(url).set(password="s3cret-pw").render_as_string(hide_password=False)
    ws = tmp_path / "ws"
    # Trust authentication ignores the password; the point is where it is written.
    assert main(["init", str(ws), "--user", "sup", "--database-url", rendered]) == 0
    config = ws / CONFIG_NAME
    assert "s3cret-pw" in config.read_text(encoding="utf-8")
    assert _mode(config) == 0o600
