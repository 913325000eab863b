"""Alembic environment for the ITP store.

The toolkit runs migrations in code (``itp_toolkit.store.database.upgrade``) and hands over an open
connection in ``config.attributes["connection"]``. For a developer, ``sqlalchemy.url`` (or the
ITP_DATABASE_URL environment variable) works too, e.g. to autogenerate a new revision.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from itp_toolkit.store.schema import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by rebuilding them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("ITP_DATABASE_URL")
    if not url:
        raise SystemExit("set ITP_DATABASE_URL (or sqlalchemy.url) to the database to migrate")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
