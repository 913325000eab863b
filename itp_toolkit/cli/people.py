"""``itp people ...``: who uses the toolkit. ``sync-hub`` brings the store in line with JupyterHub's groups.

The group convention (``itp-admins``, ``itp-supervisors``, ``itp-trainees``, ``itp-cohort-<name>``) is in
``services/hub_sync.py`` and ``docs/deploy.md``. Run by an admin, with the store's admin URL when database
roles are to be made too; the hub token is read from a file or ``$JUPYTERHUB_API_TOKEN``, never an argument.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputProblem, InvalidInput

HUB_API_URL_VAR = "JUPYTERHUB_API_URL"
HUB_TOKEN_VAR = "JUPYTERHUB_API_TOKEN"


def register(sub) -> None:
    p = sub.add_parser("people", help="the people who use the toolkit (trainees, supervisors, admins)")
    psub = p.add_subparsers(dest="people_command", metavar="ACTION")
    psub.required = True

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
