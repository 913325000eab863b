"""``itp publish``: a page as a Voila app folder to run behind JupyterHub, or a debrief/feedback as one
self-contained HTML file that opens offline.

``itp publish NOTEBOOK --out DIR`` writes DIR/NOTEBOOK, DIR/voila.json (sources stripped, tracebacks
hidden, idle kernels culled, the toolkit's Voila template ``itp`` (no CDN), and the server protections of
``itp_toolkit.server`` that plain Voila can take from its configuration: websocket frames checked before
parsing, a frame-size limit, a cap on live kernels, short culling for pages that never connect), DIR/voila.py
(puts the installed toolkit's Jupyter data folder, where the ``itp`` template is, on Voila's template search
path) and DIR/README.md with a ``jupyterhub_config.py`` snippet for running it as a hub service.
``itp publish --html debrief --workshop N --out FILE`` and ``--html feedback --draft N --out FILE`` write HTML
with inline CSS and plots as data: URIs (``views.reports``): no scripts, no CDN, no network.
They act for the workspace's user (``$JUPYTERHUB_USER`` under a hub), through the store's checks.

An educator's own notebook (one that composes ``itp_toolkit.widgets``) is published the same way. Its cases
come along: every case id the notebook's code names (a string such as ``"case-college-anxiety"``) that is
in the case library (``--workspace``'s, else ``$ITP_CASE_LIBRARY`` or the shipped one) is copied into
DIR/case_studies/, and a first, hidden cell points ``$ITP_CASE_LIBRARY`` there, so the app shows the
cases it was written against. Files it names by a path relative to its folder (a plan it loads) are copied
too. ``--cases library`` copies no case and leaves the app reading the library it is started with.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
from pathlib import Path

from ..errors import ITPError, NotFound
from ..server.frames import MAX_FRAME_BYTES
from .serve import (
    CULL_UNCONNECTED,
    IOPUB_TIMEOUT,
    KERNEL_CONNECTION,
    KERNEL_MANAGER,
    KERNEL_SPECS,
    MAX_KERNELS,
    TEMPLATE,
    count,
    cull_interval,
)

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
    p.add_argument(
        "--max-kernels", type=count, default=MAX_KERNELS, help="open pages (kernels) at most; 0: no cap"
    )
    p.add_argument(
        "--max-kernels-per-client",
        type=count,
        default=0,
        help="open pages one client address may have (default 0, no cap: behind the hub's proxy "
        "a whole classroom can share one address)",
    )
    p.add_argument("--name", default="itp-pages", help="JupyterHub service name for the README snippet")
    p.add_argument(
        "--cases",
        choices=("bundle", "library"),
        default="bundle",
        help="bundle: copy the cases the notebook names into the app (default); library: read the library "
        "the app is started with ($ITP_CASE_LIBRARY or the workspace's)",
    )
    p.add_argument("--workspace", type=Path, default=None)
    p.add_argument("--force", action="store_true", help="write into a non-empty folder")
    p.set_defaults(handler=run)


def voila_config(cull_idle: int, max_kernels: int = MAX_KERNELS, max_kernels_per_client: int = 0) -> dict:
    """What voila.json holds: read by Voila from the folder it is started in. The connection and kernel
    manager classes come from ``itp_toolkit.server``, so the service's Python must have the toolkit
    installed. The template is the one ``itp serve`` uses; ``VOILA_PY`` tells Voila where it is."""
    return {
        "Voila": {
            "kernel_websocket_connection_class": KERNEL_CONNECTION,
            "tornado_settings": {"websocket_max_message_size": MAX_FRAME_BYTES},
        },
        "VoilaConfiguration": {
            "template": TEMPLATE,
            "strip_sources": True,
            "show_tracebacks": False,
            "multi_kernel_manager_class": KERNEL_MANAGER,
            "kernel_spec_manager_class": KERNEL_SPECS,  # page kernels with room for a large page's messages
        },
        "VoilaExecutor": {"iopub_timeout": IOPUB_TIMEOUT},
        "MappingKernelManager": {
            "cull_idle_timeout": cull_idle,
            "cull_interval": cull_interval(CULL_UNCONNECTED),
            "cull_connected": False,
        },
        "GuardedKernelManager": {
            "max_kernels": max_kernels,
            "max_kernels_per_client": max_kernels_per_client,
            "cull_unconnected_timeout": CULL_UNCONNECTED,
        },
    }


VOILA_PY = f"""\
# Written by `itp publish`. Voila reads this file, with voila.json, from the folder it is started in.
# voila.json asks for ITP Toolkit's page template "{TEMPLATE}" (Voila's lab template without its Font Awesome
# links to a CDN, as `itp serve` uses). Voila looks for templates only in the Jupyter data folders
# (JUPYTER_PATH, then the user's and the environment's), so this puts the installed toolkit's own data folder
# first: the template always matches the toolkit (and Voila) that serve the app.
import os

from itp_toolkit.server.app import with_template_path

os.environ["JUPYTER_PATH"] = with_template_path(os.environ.get("JUPYTER_PATH"))
"""
"""What voila.py holds: Voila runs it as configuration before it looks the template up."""

BUNDLED_CASES = "case_studies"
"""Where a published app keeps the cases it brought along (next to the notebook)."""
SETUP_TAG = "itp-publish-setup"
_LITERAL = re.compile(r"""(["'])([^"'\n]{1,300})\1""")


def _literals(nb) -> set[str]:
    """Every quoted string in the notebook's code cells (what could name a case or a file)."""
    return {
        m.group(2) for cell in nb.cells if cell.cell_type == "code" for m in _LITERAL.finditer(cell.source)
    }


def _library_dir(workspace: Path | None) -> Path:
    """The case library the notebook's case ids are looked up in: the workspace's if one is given (or
    ``$ITP_WORKSPACE``), else ``$ITP_CASE_LIBRARY`` or the shipped library."""
    from ..library.cases import case_library_dir
    from ..services.workspace import WORKSPACE_VAR, Workspace

    if workspace is not None or os.environ.get(WORKSPACE_VAR):
        return Workspace.open(workspace).case_library or case_library_dir()
    return case_library_dir()


def _case_files(names: set[str], library: Path) -> dict[str, Path]:
    """Case id -> file, for the names that are cases in ``library`` (a case file is named after its id)."""
    from ..library.validation import case_files

    return {path.stem: path for path in case_files([library]) if path.stem in names}


def _side_files(names: set[str], folder: Path, notebook: Path) -> dict[str, Path]:
    """Relative path -> file, for names that are files inside the notebook's folder (never outside it)."""
    out: dict[str, Path] = {}
    root = folder.resolve()
    for name in names:
        if os.path.isabs(name) or "\x00" in name:
            continue
        path = (folder / name).resolve()
        if path.is_file() and path != notebook.resolve() and path.is_relative_to(root):
            out[path.relative_to(root).as_posix()] = path
    return out


def _setup_cell():
    import nbformat

    cell = nbformat.v4.new_code_cell(
        "# Added by `itp publish`: read the cases this app brought along (hidden by Voila).\n"
        "import os as _os, pathlib as _pathlib\n"
        f'_os.environ["ITP_CASE_LIBRARY"] = str(_pathlib.Path("{BUNDLED_CASES}").resolve())'
    )
    cell.metadata["tags"] = [SETUP_TAG]
    return cell


def readme(notebook: str, name: str, bundled: list[str] | None = None) -> str:
    cases = (
        f"""
## Cases

The notebook's cases came along in `{BUNDLED_CASES}/` ({", ".join(bundled)}); a first, hidden cell of
`{notebook}` points `ITP_CASE_LIBRARY` there, so the app shows the cases it was written against whatever
library the service is started with. To change a case, edit it there and run
`itp cases validate {BUNDLED_CASES}`.
"""
        if bundled
        else ""
    )
    return f"""# {notebook}: an ITP Toolkit page, published with `itp publish`

This folder is a standalone Voila app: `{notebook}`, `voila.json` (sources stripped, tracebacks
hidden, idle kernels culled after their timeout, the toolkit's page template) and `voila.py` (where Voila
finds that template: in the installed ITP Toolkit). The template loads nothing from another site (no CDN), so
the page works offline and tells no third party who opened it. Standalone Voila lets a browser send widget
messages only, never code; do not serve it through a Jupyter server's `/voila/render` route.

Voila reads both files from the folder it is started in, so start it here (`cwd` of the hub service).
`voila.json` also names two classes of `itp_toolkit.server`, so run Voila from a Python environment where
ITP Toolkit is installed: a kernel websocket connection that checks every frame before jupyter_server
parses it (one crafted frame froze an unprotected server), and a kernel manager that caps live kernels
(`max_kernels`, a polite HTTP 503 beyond it) and stops the kernel of a page that never connected after
60 s. Frames over 2 MiB are refused.

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
```

Who can open it: **anyone who can reach the hub's address**. The hub's proxy forwards `/services/{name}/`
to the service without checking who is signed in; a service has to check that itself (JupyterHub's
HubOAuth), and standalone Voila does not. So publish this way only pages that show nothing personal (the
case library). A facilitator's projector (names of trainees) and every page that acts for the visitor (the
trainee workspace, supervision) belong in each user's own server, where the hub does sign people in and
sets `JUPYTERHUB_USER`.
{cases}
Identity: a service runs as one account, and its kernels see no `JUPYTERHUB_USER` of the visitor. `?as=`
is refused unless the workspace is a demo (`demo: true`), so a published page cannot be told to act as
someone else.

Not applied here (they are `itp serve`'s own, see `docs/deploy.md`): the Host/Origin check (behind the hub
the Host is the hub's public name) and the per-run token. The per-client cap is off by default
(`--max-kernels-per-client`): behind the proxy a whole classroom can arrive from one address.
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
    # Imported here: nbformat's schema validator costs about a second to import, which every `itp` command
    # would otherwise pay (the parser imports each command's module).
    import nbformat

    notebook = nbformat.read(nb, as_version=4)
    names = _literals(notebook)
    cases = _case_files(names, _library_dir(args.workspace)) if args.cases == "bundle" else {}
    side = _side_files(names - set(cases), nb.parent, nb)
    out.mkdir(parents=True, exist_ok=True)
    if cases:
        published = copy.deepcopy(notebook)
        published.cells.insert(0, _setup_cell())
        nbformat.write(published, out / nb.name)
        (out / BUNDLED_CASES).mkdir(exist_ok=True)
        for path in cases.values():
            shutil.copyfile(path, out / BUNDLED_CASES / path.name)
    else:
        shutil.copyfile(nb, out / nb.name)
    for relative, path in sorted(side.items()):
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out / relative)
    config = voila_config(args.cull_idle, args.max_kernels, args.max_kernels_per_client)
    (out / "voila.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (out / "voila.py").write_text(VOILA_PY, encoding="utf-8")
    (out / "README.md").write_text(readme(nb.name, args.name, sorted(cases)), encoding="utf-8")
    extra = [f"{BUNDLED_CASES}/ ({len(cases)} case{'s' if len(cases) != 1 else ''})"] if cases else []
    extra += sorted(side)
    print(f"wrote {out}: {', '.join([nb.name, 'voila.json', 'voila.py', 'README.md', *extra])}")
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
