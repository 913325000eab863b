"""30 trainee pages opened at once against ONE ``itp serve`` Voila server on this machine.

A demo workspace with PAGES extra trainees in the demo cohort; each page is opened as a different trainee
(``?as=``) in its own browser context, all navigations started together. "Interactive" = the case picker
and the workshop join box are visible and enabled. Prints each page's time, the slowest, and errors.
Goal: every page interactive within 60 s.

The browsers run on this machine's cores too (in a clinic they run on the trainees' own computers), so the
CPU each side used is measured and printed apart: the server side (the Voila process and its kernels) and
the 30 headless Chromium pages.

    .venv/bin/python benchmarks/bench_concurrent_pages.py [--pages 30] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from benchmarks._results import Report, add_json_option, skip_whole  # noqa: E402
from itp_toolkit.services.workspace import DEMO_COHORT, build_demo_workspace  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.servers import ServeServer  # noqa: E402

GOAL_SECONDS = 60.0
READY = (
    "() => { const s = document.querySelector('.itp-case-picker select'); "
    "const j = document.querySelector('.itp-join-code input'); return s && j && !s.disabled && !j.disabled; }"
)


def cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    """User + system CPU seconds each live process has used so far."""
    out = {}
    for proc in processes:
        try:
            times = proc.cpu_times()
            out[proc.pid] = times.user + times.system
        except psutil.Error:
            pass
    return out


def server_processes(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def browser_processes() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if "chrom" in p.name().lower()]


def used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings (processes started in between count from zero)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


async def open_page(browser, url: str, limit: float, contexts: list) -> tuple[float | None, str]:
    """Open one page in its own context and time it to interactive. The context stays open (closed by the
    caller after the CPU reading: a closed page's renderer process is gone, and its CPU with it)."""
    context = await browser.new_context()
    contexts.append(context)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.perf_counter()
    try:
        await page.goto(url, wait_until="commit", timeout=limit * 1000)
        await page.wait_for_function(READY, timeout=limit * 1000)
        elapsed: float | None = time.perf_counter() - start
        message = (
            await page.locator(".itp-app-message").first.inner_text()
            if await page.locator(".itp-app-error").count()
            else ""
        )
        return elapsed, "; ".join(errors + ([message] if message else []))
    except Exception as exc:  # noqa: BLE001 - a page that never became interactive is the result
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


async def run(pages: int, limit: float, report: Report) -> int:
    work = Path(tempfile.mkdtemp(prefix="itp-bench-pages-"))
    ws = build_demo_workspace(work / "demo")
    store = ws.store()
    cohort = next(c for c in store.list_cohorts(actor=ws.config.user) if c.name == DEMO_COHORT)
    users = []
    for n in range(pages):
        user = f"load{n:02d}"
        store.add_person(user, f"Load Trainee {n}", "trainee", actor=ws.config.user)
        store.add_to_cohort(cohort.id, user, actor=ws.config.user)
        users.append(user)
    ws.close()
    # One machine plays 30 trainees: no per-client cap, and room for every page.
    with ServeServer(ws.path, work, max_kernels=pages + 5, max_kernels_per_client=0) as server:
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            server_before = cpu_seconds(server_processes(server.process.pid))
            browser_before = cpu_seconds(browser_processes())
            started = time.perf_counter()
            contexts: list = []
            results = await asyncio.gather(
                *(
                    open_page(browser, server.page("trainee_workspace.ipynb", u), limit, contexts)
                    for u in users
                )
            )
            wall = time.perf_counter() - started
            server_cpu = used(server_before, cpu_seconds(server_processes(server.process.pid)))
            browser_cpu = used(browser_before, cpu_seconds(browser_processes()))
            for context in contexts:
                await context.close()
            await browser.close()
    times = [t for t, _ in results if t is not None]
    failed = [(u, e) for u, (t, e) in zip(users, results, strict=True) if t is None or e]
    print(f"\n{pages} trainee pages opened at once against one Voila server ({CHROMIUM.name}, headless)")
    print(f"{'interactive':<14}{'median s':>9}{'p90 s':>8}{'slowest s':>10}{'all done s':>11}{'errors':>7}")
    p90 = statistics.quantiles(times, n=10, method="inclusive")[8] if len(times) >= 2 else (times or [0])[0]
    print(
        f"{len(times)}/{pages:<12}{statistics.median(times) if times else 0:>9.1f}{p90:>8.1f}"
        f"{max(times) if times else 0:>10.1f}{wall:>11.1f}{len(failed):>7}"
    )
    for user, error in failed[:5]:
        print(f"   {user}: {error}")
    ok = len(times) == pages and max(times) <= GOAL_SECONDS
    print(f"goal: all {pages} interactive within {GOAL_SECONDS:g} s -> {'met' if ok else 'NOT met'}")
    median = statistics.median(times) if times else 0.0
    report.add(
        f"slowest of {pages} pages opened at once",
        max(times) if times else None,
        "s",
        f"all {pages} interactive ≤ {GOAL_SECONDS:g} s",
        ok,
        note=f"{len(times)}/{pages} interactive, median {median:.1f} s, p90 {p90:.1f} s, "
        f"all done {wall:.1f} s",
    )
    report.add(
        "pages that failed or showed an error",
        len(failed),
        "",
        "0",
        not failed,
        note="; ".join(f"{u}: {e}" for u, e in failed[:2])[:300],
    )
    cores = os.cpu_count() or 1
    print(
        f"CPU used: server side (Voila + kernels) {server_cpu:.0f} s ({server_cpu / pages:.1f} s a page, "
        f"at least {server_cpu / cores:.0f} s of wall on {cores} cores); "
        f"the {pages} headless browsers {browser_cpu:.0f} s, on the same cores here"
    )
    report.add(
        "server-side CPU (Voila + kernels), all pages",
        server_cpu,
        "s",
        note=f"{server_cpu / pages:.1f} s a page; at least {server_cpu / cores:.0f} s of wall on {cores} "
        "cores "
        "if the browsers ran elsewhere",
    )
    total = server_cpu + browser_cpu
    report.add(
        f"CPU of the {pages} headless browsers, same cores",
        browser_cpu,
        "s",
        note=f"{browser_cpu / total:.0%} of all CPU the run used; in a clinic browsers run on trainees' "
        "computers"
        if total
        else "",
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument(
        "--limit", type=float, default=180.0, help="give up on a page after this many seconds"
    )
    add_json_option(parser)
    args = parser.parse_args()
    report = Report("concurrent_pages")
    if not CHROMIUM.exists():
        return skip_whole(report, f"{CHROMIUM} is missing (apt-get install chromium)", args.json)
    code = asyncio.run(run(args.pages, args.limit, report))
    report.write(args.json)
    return code


if __name__ == "__main__":
    sys.exit(main())
