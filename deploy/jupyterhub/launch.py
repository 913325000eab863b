"""Bring up a JupyterHub over the toolkit on this machine: the database, the demo roster, then the hub.

``./dev.sh hub`` runs this (and so does the end-to-end test, with its own ports, database and folders):

1. creates the PostgreSQL database named by the admin URL if it does not exist, or reuses it;
2. opens the store there (creating or upgrading the schema) and, for the demo, seeds the demo roster (the
   demo workspace's people, cohort, cases and drafts) unless the store already has it;
3. adds the projector board's own person (an admin who only reads) and runs ``itp db secure``'s install;
4. writes the workspace file every user's server opens (no database URL in it: each server gets its own);
5. starts ``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` with configurable-http-proxy from
   ``.hub/node`` on its PATH, prints where to sign in, and stays in the foreground until Ctrl-C.

The admin URL reaches the hub process only (``ITP_HUB_ADMIN_URL``); the hub never passes it on.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONFIG = HERE / "jupyterhub_config.py"
DEFAULT_STATE = REPO / ".hub"
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/itp_hub"
ADMIN_USER = "director"
BOARD_USER = "projector"
BOARD_NAME = "Projector board"


def proxy_bin(state: Path) -> Path | None:
    """configurable-http-proxy: the project-local install (``./dev.sh hub``), else one on PATH."""
    local = REPO / ".hub" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return local
    found = shutil.which("configurable-http-proxy")
    return Path(found) if found else None


def ensure_database(admin_url: str) -> bool:
    """Create the admin URL's database if it is missing; True when it was created."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    name = url.database
    if not name:
        raise SystemExit("the admin URL names no database")
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                return False
            conn.exec_driver_sql('CREATE DATABASE "{}"'.format(name.replace('"', '""')))
            return True
    finally:
        engine.dispose()


def prepare_store(admin_url: str, prefix: str, *, demo: bool) -> None:
    """Schema at head, the demo roster (once), the board's person, row-level security installed."""
    from itp_toolkit.errors import NotFound
    from itp_toolkit.library.cases import load_case_library
    from itp_toolkit.services.workspace import seed_demo
    from itp_toolkit.store import PlanStore
    from itp_toolkit.store.db_security import RoleNames, install

    store = PlanStore.open(admin_url)
    try:
        store.ensure_admin(ADMIN_USER, "Training Director")
        if demo:
            known = {p.username for p in store.list_people(actor=ADMIN_USER)}
            if known == {ADMIN_USER}:
                seed_demo(store, load_case_library(), admin=ADMIN_USER)
        try:
            store.find_person(BOARD_USER, actor=ADMIN_USER)
        except NotFound:
            store.add_person(BOARD_USER, BOARD_NAME, "supervisor", is_admin=True, actor=ADMIN_USER)
        with store._db.engine.begin() as conn:  # what `itp db secure` runs
            install(conn, RoleNames(prefix))
    finally:
        store.close()


def write_workspace(folder: Path, user: str) -> Path:
    """A workspace file with no database URL: each server's own ITP_DATABASE_URL says where the store is."""
    from itp_toolkit.formats import files
    from itp_toolkit.services.workspace import CONFIG_NAME, WorkspaceConfig

    folder.mkdir(parents=True, exist_ok=True)
    header = (
        "# Written by deploy/jupyterhub/launch.py. The database URL comes from each server's environment.\n"
    )
    (folder / CONFIG_NAME).write_text(header + files.dump_yaml(WorkspaceConfig(user=user)), encoding="utf-8")
    return folder


def secret_file(path: Path, given: str | None = None) -> str:
    """A secret kept in a 0600 file (made once, reused), or the given one."""
    if given:
        return given
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(12)
    path.touch(mode=0o600)
    path.write_text(value + "\n", encoding="utf-8")
    return value


def wait_until_up(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"jupyterhub exited ({process.returncode}); see the log above")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.HTTPError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"the hub did not answer at {url} within {timeout:.0f} s")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--state", type=Path, default=DEFAULT_STATE, help="folder for the hub's own files")
    p.add_argument("--admin-url", default=os.environ.get("ITP_HUB_ADMIN_URL") or DEFAULT_ADMIN_URL)
    p.add_argument("--prefix", default="itp", help="database role prefix (default: itp)")
    p.add_argument("--port", type=int, default=8000, help="where people sign in (127.0.0.1)")
    p.add_argument("--hub-port", type=int, default=8081)
    p.add_argument("--proxy-api-port", type=int, default=8001)
    p.add_argument("--board-port", type=int, default=8071)
    p.add_argument("--no-demo", dest="demo", action="store_false", help="no demo roster or demo sign-in")
    p.add_argument("--demo-password", default=os.environ.get("ITP_HUB_DEMO_PASSWORD"))
    p.add_argument("--prepare-only", action="store_true", help="set up the database and files; no hub")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    state = args.state.resolve()
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    chp = proxy_bin(state)
    if chp is None and not args.prepare_only:
        raise SystemExit(
            "configurable-http-proxy is missing: run ./dev.sh hub (it installs it into .hub/node)"
        )
    created = ensure_database(args.admin_url)
    prepare_store(args.admin_url, args.prefix, demo=args.demo)
    write_workspace(state / "workspace", ADMIN_USER)
    write_workspace(state / "board-workspace", BOARD_USER)
    if args.prepare_only:
        return 0
    env = dict(os.environ)
    env.pop("ITP_DATABASE_URL", None)  # the hub's own environment names no store but the admin's below
    env.update(
        ITP_HUB_ADMIN_URL=args.admin_url,
        ITP_HUB_STATE=str(state),
        ITP_HUB_ROLE_PREFIX=args.prefix,
        ITP_HUB_PORT=str(args.port),
        ITP_HUB_API_PORT=str(args.hub_port),
        ITP_HUB_PROXY_API_PORT=str(args.proxy_api_port),
        ITP_HUB_BOARD_PORT=str(args.board_port),
        ITP_HUB_DEMO="1" if args.demo else "0",
        CONFIGPROXY_AUTH_TOKEN=secret_file(state / "proxy-token"),
        PATH=f"{chp.parent}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    if args.demo:
        env["ITP_HUB_DEMO_PASSWORD"] = secret_file(state / "demo-password", args.demo_password)
    command = [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG)]
    process = subprocess.Popen(command, env=env, cwd=state)
    stop = lambda *_: process.send_signal(signal.SIGTERM)  # noqa: E731
    signal.signal(signal.SIGTERM, stop)
    try:
        wait_until_up(f"http://127.0.0.1:{args.port}/hub/health", process, 120)
        print(
            f"\nITP Toolkit on JupyterHub: sign in at http://127.0.0.1:{args.port}/hub/login\n"
            f"  store: {'new' if created else 'existing'} database, roles {args.prefix}_u_<name>\n",
            flush=True,
        )
        if args.demo:
            print(
                "  demo people (one password for all, in "
                f"{state / 'demo-password'}: {env['ITP_HUB_DEMO_PASSWORD']}):\n"
                "    trainees ana, ben, chen, dee; supervisors dr.okafor, dr.lind; admin director\n"
                "  trainee page:    /user/<name>/voila/render/pages/trainee_workspace.ipynb\n"
                "                   (or pages/trainee_workspace.ipynb in JupyterLab, /user/<name>/lab)\n"
                "  supervisor page: /user/<name>/voila/render/pages/supervisor_review.ipynb\n"
                f"  projector board (supervisors): http://127.0.0.1:{args.port}/services/projector/\n"
                "  Ctrl-C stops the hub, every server and the proxy.",
                flush=True,
            )
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
