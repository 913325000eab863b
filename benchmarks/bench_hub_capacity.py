"""What one trainee costs on a real JupyterHub: the figures behind docs/deploy.md's capacity table.

Starts the one-machine hub (``deploy/jupyterhub/launch.py`` through ``tests/deploy/hub.py``: its own ports,
database and folder), signs the demo trainees in through the hub's login page in Chromium one after another,
and for each measures, on their own single-user server and its kernels:

- memory (PSS, and RSS) of the server with the trainee page open and a case open in it;
- CPU-seconds the server side spent on opening that page (server + kernel, user + system time);
- database connections the person's role holds while the page is open (``pg_stat_activity``).

It also measures the hub, the proxy and the projector service together (the fixed part), then prints the
table for 30, 100 and 500 trainees worked out from the per-trainee medians. No timing here is a test.

    .venv/bin/python benchmarks/bench_hub_capacity.py [--trainees N] [--json PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._results import Report, add_json_option, skip_whole  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
TRAINEES = ["ana", "ben", "chen", "dee"]  # the demo roster's trainees
SIZES = (30, 100, 500)
TIMEOUT_MS = 180_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PG_DEFAULT_MAX_CONNECTIONS = 100


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            out.setdefault(ppid, []).append(int(entry.name))
    return out


def tree(pid: int) -> list[int]:
    """A process and all its descendants (a server and its kernels)."""
    children, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of live processes, with what their finished children used."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return total / CLOCK_TICKS


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """(PSS, RSS) in MB: PSS shares pages between processes fairly; RSS counts shared pages in each."""
    pss = rss = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss += int(line.split()[1])
    return pss / 1024, rss / 1024


def connections(admin_url: str, role: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE usename = :r"), {"r": role}
            ).scalar_one()
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=len(TRAINEES), help=f"1-{len(TRAINEES)}")
    add_json_option(parser)
    args = parser.parse_args()
    report = Report("hub_capacity")
    if not CHROMIUM.exists():
        return skip_whole(report, f"{CHROMIUM} is missing (apt-get install chromium)", args.json)
    from tests.deploy.hub import PASSWORD, HubRun, missing_prerequisites, pick

    missing = missing_prerequisites()
    if missing:
        return skip_whole(report, f"no hub here: missing {', '.join(missing)}", args.json)
    from playwright.sync_api import sync_playwright

    from itp_toolkit.library.cases import load_case_library
    from itp_toolkit.store.db_security import RoleNames

    case_title = next(iter(load_case_library().values())).title
    people = TRAINEES[: max(1, min(args.trainees, len(TRAINEES)))]
    rows = []
    with tempfile.TemporaryDirectory(prefix="itp-bench-hub-") as work:
        run = HubRun(Path(work))
        with run, sync_playwright() as p:
            names = RoleNames(run.prefix)
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            launcher = run.process.pid if run.process else os.getpid()
            time.sleep(5)  # let the board service finish starting
            fixed_pss, fixed_rss = memory_mb([q for q in tree(launcher) if q != launcher])
            for user in people:
                context = browser.new_context(viewport={"width": 1500, "height": 1100})
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                page.goto(f"{run.url}/hub/login", wait_until="commit")
                page.locator("#username_input").fill(user)
                page.locator("#password_input").fill(PASSWORD)
                page.locator("#login_submit").click()
                page.wait_for_url(f"**/user/{user}/**", wait_until="commit", timeout=TIMEOUT_MS)
                server = run.server_pids()[user]
                time.sleep(3)  # the server's own start-up settles (JupyterLab's first page)
                idle_pss, _ = memory_mb(tree(server))
                before = cpu_seconds(tree(server))
                started = time.monotonic()
                page.goto(
                    f"{run.url}/user/{user}/voila/render/pages/trainee_workspace.ipynb", wait_until="commit"
                )
                pick(page, ".itp-case-picker", case_title)
                page.locator("button.itp-open-case").click()
                page.locator(".itp-plan-editor").wait_for()
                wall = time.monotonic() - started
                time.sleep(2)
                used = cpu_seconds(tree(server)) - before
                pss, rss = memory_mb(tree(server))
                conns = connections(run.admin_url, names.user(user))
                rows.append((user, idle_pss, pss, rss, used, conns, wall))
                context.close()  # the kernel stays until culled: it is counted in the next person's run too
            hub_pss, hub_rss = memory_mb([q for q in tree(launcher) if q not in _server_trees(run)])
            browser.close()
    print(
        f"{'trainee':<8}{'idle MB':>9}{'page PSS MB':>13}{'page RSS MB':>13}"
        f"{'CPU s':>8}{'DB conns':>10}{'wall s':>8}"
    )
    for user, idle, pss, rss, cpu, conns, wall in rows:
        print(f"{user:<8}{idle:>9.0f}{pss:>13.0f}{rss:>13.0f}{cpu:>8.2f}{conns:>10}{wall:>8.1f}")
    per_pss = statistics.median(r[2] for r in rows)
    per_rss = statistics.median(r[3] for r in rows)
    per_cpu = statistics.median(r[4] for r in rows)
    per_conn = max(r[5] for r in rows)
    fixed = max(fixed_pss, hub_pss)
    print(f"hub + proxy + projector board: {fixed:.0f} MB PSS ({max(fixed_rss, hub_rss):.0f} MB RSS)")
    print(
        f"\n{'trainees':>8}{'memory GB (PSS)':>17}{'memory GB (RSS)':>17}{'CPU s to open all':>19}"
        f"{'cores for 60 s':>16}{'DB connections':>16}"
    )
    for n in SIZES:
        mem_pss = (fixed + n * per_pss) / 1024
        mem_rss = (fixed + n * per_rss) / 1024
        cpu = n * per_cpu
        conns = n * per_conn + 2  # + the hub's admin store and the board
        print(f"{n:>8}{mem_pss:>17.1f}{mem_rss:>17.1f}{cpu:>19.0f}{cpu / 60:>16.1f}{conns:>16}")
        report.add(f"{n} trainees: memory (RSS)", round(mem_rss, 1), "GB", note=f"{fixed:.0f} MB fixed")
        report.add(
            f"{n} trainees: database connections",
            int(conns),
            "",
            f"≤ {PG_DEFAULT_MAX_CONNECTIONS} without PgBouncer",
            conns <= PG_DEFAULT_MAX_CONNECTIONS,
        )
    report.add(
        "user server with trainee page open (PSS)", round(per_pss), "MB", note=f"median of {len(rows)}"
    )
    report.add(
        "user server with trainee page open (RSS)", round(per_rss), "MB", note=f"median of {len(rows)}"
    )
    report.add("server CPU per trainee page open", per_cpu, "s", note="server + kernel, user + system")
    report.add("database connections per trainee", int(per_conn), "", note="page open, case open")
    report.write(args.json)
    return 0


def _server_trees(run) -> set[int]:  # type: ignore[no-untyped-def]
    return {q for pid in run.server_pids().values() for q in tree(pid)}


if __name__ == "__main__":
    raise SystemExit(main())
