"""``itp publish``: a page as a Voila app folder to run behind JupyterHub, or a debrief/feedback as one
self-contained HTML file that opens offline.

``itp publish NOTEBOOK --out DIR`` writes DIR/NOTEBOOK, DIR/voila.json (sources stripped, tracebacks
hidden, idle kernels culled) and DIR/README.md with a ``jupyterhub_config.py`` snippet for running it as a
hub service. ``itp publish --html debrief --workshop N --out FILE`` and ``--html feedback --draft N --out FILE``
write HTML with inline CSS and plots as data: URIs (``views.reports``): no scripts, no CDN, no network.
They act for the workspace's user (``$JUPYTERHUB_USER`` under a hub), through the store's checks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..errors import ITPError, NotFound

SERVICE_PORT = 10101


def register(sub) -> None:
    p = sub.add_parser("publish", help="a page as a Voila app folder, or a debrief/feedback as offline HTML")
    p.add_argument("notebook", nargs="?", type=Path, help="page notebook to publish as a Voila app folder")
    p.add_argument("--out", type=Path, required=True, help="output folder (app) or .html file (--html)")
    p.add_argument("--html", choices=("debrief", "feedback"), help="write self-contained HTML instead")
    p.add_argument("--workshop", type=int, help="workshop id (--html debrief)")
    p.add_argument("--draft", type=int, help="draft id (--html feedback)")
    p.add_argument(
        "--cull-idle", type=int, default=600, help="seconds before an idle page's kernel is stopped"
    )
    p.add_argument("--name", default="itp-pages", help="JupyterHub service name for the README snippet")
    p.add_argument("--workspace", type=Path, default=None)
    p.add_argument("--force", action="store_true", help="write into a non-empty folder")
    p.set_defaults(handler=run)


def voila_config(cull_idle: int) -> dict:
    """What voila.json holds: read by Voila from the folder it is started in."""
    return {
        "VoilaConfiguration": {"strip_sources": True, "show_tracebacks": False},
        "MappingKernelManager": {
            "cull_idle_timeout": cull_idle,
            "cull_interval": 60,
            "cull_connected": False,
        },
    }


def readme(notebook: str, name: str) -> str:
    return f"""# {notebook}: an ITP Toolkit page, published with `itp publish`

This folder is a standalone Voila app: `{notebook}`, and `voila.json` (sources stripped, tracebacks
hidden, idle kernels culled after their timeout). Standalone Voila lets a browser send widget messages
only, never code; do not serve it through a Jupyter server's `/voila/render` route.

## Try it on this machine

    cd this-folder
    ITP_WORKSPACE=/path/to/workspace voila {notebook} --no-browser --Voila.ip=127.0.0.1

## Run it as a JupyterHub service

Add to `jupyterhub_config.py` (paths and the port are examples):

```python
c.JupyterHub.services = [
    {{
        "name": "{name}",
        "url": "http://127.0.0.1:{SERVICE_PORT}",
        "cwd": "/srv/itp/{name}",  # this folder
        "command": [
            "voila", "{notebook}", "--no-browser",
            "--Voila.ip=127.0.0.1", "--Voila.port={SERVICE_PORT}",
            "--Voila.base_url=/services/{name}/",
        ],
        "environment": {{
            "ITP_WORKSPACE": "/srv/itp/workspace",
            # Shared PostgreSQL store; see docs/deploy.md for roles and row-level security.
            "ITP_DATABASE_URL": "postgresql+psycopg://itp_pages@db.internal/itp",
        }},
    }},
]
# Only signed-in hub users reach the service through the hub's proxy:
c.JupyterHub.load_roles = [
    {{"name": "user", "scopes": ["self", "access:services!service={name}"]}},
]
```

Identity: a service runs as one account, and its kernels see no `JUPYTERHUB_USER` of the visitor.
Publish this way pages that need no person (the case library) or that the workspace's user may show
(a facilitator's projector). Pages that act for the visitor (the trainee workspace, supervision) belong in
each user's own server, where JupyterHub sets `JUPYTERHUB_USER`. `?as=` is refused unless the workspace
is a demo (`demo: true`), so a published page cannot be told to act as someone else.
"""


def run(args) -> int:
    if args.html:
        return _html(args)
    if args.notebook is None:
        raise ITPError("give a NOTEBOOK to publish as an app folder, or --html debrief|feedback")
    nb = args.notebook
    if not nb.is_file() or nb.suffix != ".ipynb":
        raise NotFound(f"{nb}: no such notebook (.ipynb)")
    out = args.out
    if out.exists() and any(out.iterdir()) and not args.force:
        raise ITPError(f"{out} is not empty; use --force to write into it")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(nb, out / nb.name)
    (out / "voila.json").write_text(
        json.dumps(voila_config(args.cull_idle), indent=2) + "\n", encoding="utf-8"
    )
    (out / "README.md").write_text(readme(nb.name, args.name), encoding="utf-8")
    print(f"wrote {out}: {nb.name}, voila.json, README.md")
    return 0


def _html(args) -> int:
    from ..services.workspace import Workspace

    if args.out.suffix.lower() not in (".html", ".htm"):
        raise ITPError(f"{args.out}: --html writes an .html file")
    ws = Workspace.open(args.workspace)
    store, user, cases = ws.store(), ws.user, ws.load_cases()
    if args.html == "debrief":
        from ..compare.debrief import debrief_html, gather_debrief

        if args.workshop is None:
            raise ITPError("--html debrief needs --workshop ID")
        workshop = store.get_workshop(args.workshop, actor=user)
        if workshop.case_id not in cases:
            raise NotFound(f"workshop {workshop.id} is on case {workshop.case_id!r}, not in the case library")
        debrief = gather_debrief(store, workshop.id, cases[workshop.case_id], actor=user)
        text = debrief_html(debrief, title=f"Debrief: {workshop.title}")
        what = f"{debrief.group_size} plans, {len(debrief.exemplars)} exemplars"
    else:
        from ..checks.rubrics import default_rubric
        from ..views.reports import gather_report, report_html

        if args.draft is None:
            raise ITPError("--html feedback needs --draft ID")
        summary = store.get_draft(args.draft, actor=user)
        if summary.case_id not in cases:
            raise NotFound(f"draft {args.draft} is for case {summary.case_id!r}, not in the case library")
        report = gather_report(
            store, args.draft, case=cases[summary.case_id], rubric=default_rubric(), actor=user
        )
        text = report_html(report)
        what = f"{len(report.annotations)} comments, {len(report.scores)} scores"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({what})")
    return 0
