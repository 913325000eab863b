"""The session's throw-away PostgreSQL database (tests/store/conftest.py), for the command-line tests."""

from tests.store.conftest import pg_server_url  # noqa: F401 - fixture
