"""``itp people ...``: who uses the toolkit. ``import`` reads a roster file; ``list``, ``add``,
``deactivate`` and ``reactivate`` manage people one by one; ``sync-hub`` brings the store in line with
JupyterHub's groups.

Every command acts as the workspace's user (``--as`` names another admin) on the workspace's store
(``--database-url`` another, e.g. the admin URL of a PostgreSQL deployment, needed for database roles).

The group convention (``itp-admins``, ``itp-supervisors``, ``itp-trainees``, ``itp-cohort-<name>``) is in
``services/hub_sync.py`` and ``docs/deploy.md``. Run by an admin, with the store's admin URL when database
roles are to be made too; the hub token is read from a file or ``$JUPYTERHUB_API_TOKEN``, never an argument.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputProblem, InvalidInput, NotFound

if TYPE_CHECKING:
    from ..store.records import Role

ROLE_CHOICES: dict[str, tuple[Role, bool]] = {
    "trainee": ("trainee", False),
    "supervisor": ("supervisor", False),
    "admin": ("supervisor", True),
}
HUB_API_URL_VAR = "JUPYTERHUB_API_URL"
HUB_TOKEN_VAR = "JUPYTERHUB_API_TOKEN"


def store_options(parser) -> None:
    """The options every administration command shares: which store, acting as whom."""
    parser.add_argument(
        "--workspace", type=Path, default=None, help="workspace (default: $ITP_WORKSPACE or .)"
    )
    parser.add_argument(
        "--database-url",
        dest="database_url",
        help="the store's URL (default: ITP_DATABASE_URL or the workspace's)",
    )
    parser.add_argument("--as", dest="actor", help="who acts (default: the workspace's user)")


def open_store(args):
    """(store, actor) from ``store_options``; the caller closes the store."""
    from ..services.workspace import DATABASE_URL_VAR, Workspace
    from ..store import PlanStore

    url = args.database_url or os.environ.get(DATABASE_URL_VAR)
    ws = None
    if not url or not args.actor:
        ws = Workspace.open(args.workspace)
        url = url or ws.database_url
    actor = args.actor or (ws.user if ws is not None else "")
    return PlanStore.open(url), actor


def workspace_cases(args):
    """The workspace's case library; without a workspace but with ``--database-url``, the shipped one."""
    from ..library.cases import load_library_user_cached
    from ..services.workspace import Workspace

    try:
        return Workspace.open(args.workspace).load_cases()
    except NotFound:
        if args.database_url is None:
            raise
        return load_library_user_cached(None)


def register(sub) -> None:
    p = sub.add_parser("people", help="the people who use the toolkit (trainees, supervisors, admins)")
    psub = p.add_subparsers(dest="people_command", metavar="ACTION")
    psub.required = True

    s = psub.add_parser(
        "import",
        help="add people, cohorts and memberships from a roster CSV (username, display_name, role, cohorts)",
    )
    s.add_argument(
        "roster", type=Path, help="CSV file; role is trainee, supervisor or admin; cohorts ';'-separated"
    )
    store_options(s)
    s.set_defaults(handler=run_import)

    s = psub.add_parser("list", help="everyone in the store, with role, cohorts and whether they are active")
    s.add_argument("--cohort", help="only this cohort's people")
    store_options(s)
    s.set_defaults(handler=run_list)

    s = psub.add_parser("add", help="add one person")
    s.add_argument("username")
    s.add_argument("display_name", metavar="DISPLAY_NAME")
    s.add_argument("--role", choices=sorted(ROLE_CHOICES), required=True)
    s.add_argument("--cohort", action="append", default=[], help="a cohort to put them in (repeatable)")
    store_options(s)
    s.set_defaults(handler=run_add)

    for name, active, what in (
        (
            "deactivate",
            False,
            "keep their history but refuse their sign-in and saves (and their database role)",
        ),
        ("reactivate", True, "let a deactivated person back in"),
    ):
        s = psub.add_parser(name, help=what)
        s.add_argument("username")
        store_options(s)
        s.set_defaults(handler=run_set_active, active=active)

    s = psub.add_parser(
        "sync-hub",
        help="add people, cohorts and memberships from JupyterHub's itp-* groups (only adds; idempotent)",
    )
    s.add_argument("--hub-url", dest="hub_url", help=f"the hub's API URL (default: ${HUB_API_URL_VAR})")
    s.add_argument(
        "--token-file",
        dest="token_file",
        type=Path,
        help=f"file holding a hub API token (first line; default: ${HUB_TOKEN_VAR})",
    )
    s.add_argument("--workspace", type=Path, default=None, help="workspace (default: $ITP_WORKSPACE or .)")
    s.add_argument(
        "--database-url",
        dest="database_url",
        help="the store's admin URL (default: ITP_DATABASE_URL or the workspace's)",
    )
    s.add_argument("--as", dest="actor", help="the admin the changes are made as (default: workspace user)")
    s.add_argument("--prefix", default="itp", help="database role prefix of this deployment (default: itp)")
    s.add_argument(
        "--no-db-roles",
        dest="db_roles",
        action="store_false",
        help="do not make database roles (PostgreSQL stores make them by default)",
    )
    s.add_argument("--dry-run", action="store_true", help="print who the hub's groups name; change nothing")
    s.set_defaults(handler=run_sync_hub)


def _token(args) -> str:
    if args.token_file is not None:
        try:
            lines = args.token_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InvalidInput(
                [InputProblem(f"cannot read it: {exc.strerror}", file=str(args.token_file))]
            ) from None
        token = lines[0].strip() if lines else ""
    else:
        token = os.environ.get(HUB_TOKEN_VAR, "")
    if not token:
        raise InvalidInput(
            [InputProblem(f"no hub token: pass --token-file or set ${HUB_TOKEN_VAR}", field="token_file")]
        )
    return token


def run_sync_hub(args) -> int:
    from ..services import hub_sync
    from ..services.workspace import DATABASE_URL_VAR, Workspace

    hub_url = args.hub_url or os.environ.get(HUB_API_URL_VAR)
    if not hub_url:
        raise InvalidInput(
            [InputProblem(f"no hub: pass --hub-url or set ${HUB_API_URL_VAR}", field="hub_url")]
        )
    client = hub_sync.HubClient(hub_url, _token(args))
    if args.dry_run:
        people = hub_sync.roster(client.users(), client.groups())
        for p in people:
            admin = " (admin)" if p.is_admin else ""
            cohorts = ", ".join(p.cohorts) or "no cohort"
            print(f"{p.username:<16} {p.role}{admin:<8} {cohorts}")
        print(f"{len(people)} people in the hub's itp-* groups; nothing changed (--dry-run)")
        return 0
    ws = None
    url = args.database_url or os.environ.get(DATABASE_URL_VAR)
    if not url or not args.actor:
        ws = Workspace.open(args.workspace)
        url = url or ws.database_url
    actor = args.actor or (ws.config.user if ws is not None else "")
    from ..store import PlanStore

    store = PlanStore.open(url)
    try:
        report = hub_sync.sync_from_hub(
            client,
            store,
            actor=actor,
            admin_url=url if args.db_roles and url.startswith("postgresql") else None,
            prefix=args.prefix,
        )
    finally:
        store.close()
    for line in report.lines():
        print(line)
    return 0


def run_import(args) -> int:
    from ..services.roster import import_roster, result_lines

    store, actor = open_store(args)
    try:
        result = import_roster(store, args.roster, actor=actor)
    finally:
        store.close()
    for line in result_lines(result):
        print(line)
    return 0


def run_list(args) -> int:
    store, actor = open_store(args)
    try:
        people = store.list_people(actor=actor)
        cohorts = store.list_cohorts(actor=actor)
        where: dict[str, list[str]] = {}
        keep = None
        for c in cohorts:
            members = store.list_cohort_members(c.id, actor=actor)
            for m in members:
                where.setdefault(m.username, []).append(c.name)
            if args.cohort is not None and c.name == args.cohort:
                keep = {m.username for m in members}
        if args.cohort is not None and keep is None:
            raise NotFound(f"no cohort named {args.cohort!r}")
    finally:
        store.close()
    shown = [p for p in people if keep is None or p.username in keep]
    for p in shown:
        role = "admin" if p.is_admin else p.role
        state = "" if p.active else "  (deactivated)"
        print(
            f"{p.username:<20} {role:<11} {p.display_name:<28} {', '.join(where.get(p.username, []))}{state}"
        )
    print(f"{len(shown)} people")
    return 0


def run_add(args) -> int:
    from ..store.records import RosterEntry

    role, is_admin = ROLE_CHOICES[args.role]
    entry = RosterEntry(
        line=1,
        username=args.username,
        display_name=args.display_name,
        role=role,
        is_admin=is_admin,
        cohorts=tuple(args.cohort),
    )
    store, actor = open_store(args)
    try:
        if any(p.username == args.username for p in store.list_people(actor=actor)):
            raise InvalidInput([InputProblem(f"{args.username!r} already exists", field="username")])
        result = store.import_roster([entry], source="<command line>", actor=actor)
    finally:
        store.close()
    cohorts = f" in {', '.join(c for c, _ in result.memberships_added)}" if result.memberships_added else ""
    print(f"added {args.username} ({args.role}){cohorts}")
    return 0


def run_set_active(args) -> int:
    from ..services.roster import set_active

    store, actor = open_store(args)
    try:
        done = set_active(store, args.username, args.active, actor=actor)
    finally:
        store.close()
    state = "active again" if args.active else "deactivated (history kept; sign-in and saves refused)"
    role = (
        f"; database role {done.database_role} {'can' if args.active else 'can no longer'} log in"
        if done.database_role
        else ""
    )
    print(f"{done.person.display_name} ({done.person.username}) is {state}{role}")
    if done.note:
        print(f"note: {done.note}")
    return 0
