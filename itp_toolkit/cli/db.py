"""``itp db secure|grant|revoke``: PostgreSQL roles and row-level security for a shared store.

Run by the database administrator with a *superuser* URL (``--database-url``, else ``ITP_DATABASE_URL``,
else the workspace's). Trainees and supervisors then connect with their own role's URL; see docs/deploy.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputProblem, InvalidInput


def register(sub) -> None:
    p = sub.add_parser("db", help="PostgreSQL roles and row-level security (shared deployments)")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION")
    dsub.required = True

    def common(q) -> None:
        q.add_argument(
            "--database-url",
            dest="database_url",
            help="an admin (superuser) URL; default: ITP_DATABASE_URL or the workspace's",
        )
        q.add_argument("--prefix", default="itp", help="role-name prefix of this deployment (default: itp)")

    s = dsub.add_parser(
        "secure",
        help="create group roles, hand tables to the owner role, install policies "
        "(idempotent; run again after every upgrade)",
    )
    common(s)
    s.set_defaults(handler=run_secure)

    g = dsub.add_parser("grant", help="give USERNAME their own login role in the right group")
    g.add_argument("username")
    g.add_argument(
        "--password-file",
        dest="password_file",
        type=Path,
        help="file holding the role's password (first line); never pass a password as an argument",
    )
    common(g)
    g.set_defaults(handler=run_grant)

    r = dsub.add_parser("revoke", help="drop USERNAME's login role")
    r.add_argument("username")
    common(r)
    r.set_defaults(handler=run_revoke)


def _admin_url(args) -> str:
    url = args.database_url or os.environ.get("ITP_DATABASE_URL")
    if not url:
        from ..services.workspace import Workspace

        url = Workspace.open().database_url
    if not url.startswith("postgresql"):
        raise InvalidInput(
            [InputProblem("database roles need PostgreSQL; SQLite has no users", field="database_url")]
        )
    return url


def _run(args, work):
    from ..store import PlanStore
    from ..store.db_security import RoleNames

    names = RoleNames(args.prefix)
    store = PlanStore.open(_admin_url(args))  # brings the schema to head first
    try:
        with store._db.engine.begin() as conn:
            return work(conn, names)
    finally:
        store.close()


def run_secure(args) -> int:
    from ..store.db_security import install

    _run(args, install)
    print(
        f"row-level security installed; groups {args.prefix}_trainee, {args.prefix}_supervisor; "
        f"tables owned by {args.prefix}_owner"
    )
    return 0


def run_grant(args) -> int:
    from ..store.db_security import grant

    password = None
    if args.password_file is not None:
        try:
            lines = args.password_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InvalidInput(
                [InputProblem(f"cannot read it: {exc.strerror}", file=str(args.password_file))]
            ) from None
        password = lines[0] if lines else ""
    role = _run(args, lambda conn, names: grant(conn, args.username, names, password=password))
    print(f"{args.username} connects as role {role}")
    return 0


def run_revoke(args) -> int:
    from ..store.db_security import revoke

    role = _run(args, lambda conn, names: revoke(conn, args.username, names))
    print(f"dropped role {role}" if role else f"{args.username} had no role")
    return 0
