"""``itp init``, ``itp demo`` and ``itp workspace show``: creating and inspecting workspaces."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import InputProblem, InvalidInput


def register(sub) -> None:
    p = sub.add_parser("init", help="make a new workspace (config file + SQLite store) in DIR")
    p.add_argument("directory", type=Path)
    p.add_argument(
        "--user", help="who the tools act for outside JupyterHub (becomes the first admin supervisor)"
    )
    p.add_argument("--display-name", dest="display_name")
    p.add_argument(
        "--database-url", dest="database_url", help="e.g. postgresql+psycopg://... (default: SQLite file)"
    )
    p.add_argument(
        "--case-library", dest="case_library", type=Path, help="folder of case files (default: shipped)"
    )
    p.set_defaults(handler=run_init)

    d = sub.add_parser(
        "demo", help="make a demo workspace: a cohort, trainees, drafts at every stage, feedback"
    )
    d.add_argument("directory", type=Path)
    d.add_argument("--force", action="store_true", help="replace DIR if it is already a demo workspace")
    d.set_defaults(handler=run_demo)

    w = sub.add_parser("workspace", help="inspect a workspace")
    wsub = w.add_subparsers(dest="workspace_command", metavar="ACTION")
    wsub.required = True
    s = wsub.add_parser("show", help="people, cohorts, assignments and drafts in the workspace")
    s.add_argument("directory", type=Path, nargs="?", default=None)
    s.set_defaults(handler=run_show)


def run_init(args) -> int:
    from ..services.workspace import Workspace

    ws = Workspace.init(
        args.directory,
        user=args.user,
        display_name=args.display_name,
        database_url=args.database_url,
        case_library=args.case_library,
    )
    print(f"workspace ready in {ws.path} (user {ws.user}; store {redact(ws.database_url)})")
    return 0


def run_demo(args) -> int:
    from ..services.workspace import CONFIG_NAME, build_demo_workspace

    target = args.directory.resolve()
    if target.exists() and any(target.iterdir()):
        if not args.force:
            raise InvalidInput(
                [
                    InputProblem(
                        "folder is not empty; use --force to rebuild a demo workspace", file=str(target)
                    )
                ]
            )
        if not (target / CONFIG_NAME).is_file():
            # --force never deletes a folder that is not a workspace: it may hold someone's work.
            raise InvalidInput(
                [
                    InputProblem(
                        f"not a workspace (no {CONFIG_NAME}); refusing to replace it", file=str(target)
                    )
                ]
            )
        shutil.rmtree(target)
    ws = build_demo_workspace(target)
    print(describe(ws))
    return 0


def run_show(args) -> int:
    from ..services.workspace import Workspace

    print(describe(Workspace.open(args.directory)))
    return 0


def redact(url: str) -> str:
    """A database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def describe(ws) -> str:
    """What is in a workspace, as a supervisor with admin rights sees it."""
    store = ws.store()
    actor = ws.user
    lines = [f"Workspace {ws.path}", f"  store: {redact(ws.database_url)}", f"  acting as: {actor}", ""]
    people = store.list_people(actor=actor)
    lines.append(f"People ({len(people)}):")
    lines += [
        f"  {p.username:<12} {p.role:<10} {p.display_name}{'  (admin)' if p.is_admin else ''}" for p in people
    ]
    for cohort in store.list_cohorts(actor=actor):
        members = store.list_cohort_members(cohort.id, actor=actor)
        lines += ["", f"Cohort {cohort.name!r}: {', '.join(m.username for m in members)}"]
    assignments = store.list_assigned_cases(actor=actor)
    lines += ["", f"Case assignments ({len(assignments)}):"]
    lines += [
        f"  {a.case_id:<32} -> {'cohort ' + str(a.cohort_id) if a.cohort_id else a.trainee}"
        for a in assignments
    ]
    drafts = store.list_drafts(actor=actor)
    lines += ["", f"Drafts ({len(drafts)}):"]
    for d in drafts:
        notes = len(store.list_annotations(d.id, actor=actor))
        lines.append(
            f"  #{d.id:<3} {d.owner:<8} {d.case_id:<32} {d.status:<12} rev {d.latest_revision}  annotations "
            f"{notes}"
        )
    return "\n".join(lines)
