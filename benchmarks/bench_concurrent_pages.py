"""A workshop room opening the trainee page at once against ONE ``itp serve`` Voila server on this machine.

A demo workspace with PAGES extra trainees in the demo cohort, each with a draft holding the largest
reference plan. Each page is opened as a different trainee (``?as=``), all at once, by the load client
(``load_client.py``: what a browser's page and widget manager send, without a browser), with a few real
headless Chromium pages (``--browsers``) beside them. "Interactive" = the case picker and the workshop join
box are there and enabled. Then every page takes its first interaction (pick the case, "Open case": the
plan's editor opens) and the IOPub messages that never arrived are counted (the kernels number them).

Reported per run: time to interactive (median, slowest), the server's CPU-seconds (Voila and its kernels)
per page to open the pages and, apart, for the first interaction; the browsers' own figures apart.
Goals: ≤ 0.5 CPU-s of server time per page open, 30 pages interactive within 60 s, 0 lost messages.
Each size runs twice by default: kernels started on request, and with a pool of preheated trainee-page
kernels (``itp serve --preheat``, what a workshop room runs) started before the room arrives; the pool's
start-up is measured on its own (it happens before the workshop, not when the room opens the page).
``--preheat only`` or ``--preheat no`` runs one of the two.

    .venv/bin/python benchmarks/bench_concurrent_pages.py [--pages 30 100] [--preheat both|only|no]
        [--browsers 2] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # type: ignore[import-untyped]  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from benchmarks._results import Report, add_json_option  # noqa: E402
from benchmarks._room import build_room  # noqa: E402
from benchmarks.load_client import PageOpen, open_page  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.servers import ServeServer  # noqa: E402

GOAL_SECONDS = 60.0
GOAL_CPU_PER_PAGE = 0.5
PAGE_MEMORY = 300 * 2**20
"""Bytes an open trainee page's kernel may take (bench_hub_capacity: ~280 MB PSS with a plan open): a run that
would not fit in the memory available is skipped, not started."""
READY = (
    "() => { const s = document.querySelector('.itp-case-picker select'); "
    "const j = document.querySelector('.itp-join-code input'); return s && j && !s.disabled && !j.disabled; }"
)
POOL_FILLED = re.compile(r"Kernel pool of trainee_workspace.ipynb is filled")


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


async def open_browser_page(browser, url: str, limit: float, contexts: list) -> tuple[float | None, str]:
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


class Barrier:
    """Released once every page is interactive or has failed: the CPU reading between opening and acting."""

    def __init__(self, count: int):
        self.left, self.event, self.at = count, asyncio.Event(), 0.0

    def arrive(self) -> None:
        self.left -= 1
        if self.left <= 0 and not self.event.is_set():
            self.at = time.perf_counter()
            self.event.set()

    async def wait(self) -> None:
        self.arrive()
        await self.event.wait()


async def load_page(
    url: str, limit: float, barrier: Barrier, case_title: str, hold: asyncio.Event
) -> PageOpen:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        done = False

        async def interactive() -> None:
            nonlocal done
            done = True
            await barrier.wait()

        result = await open_page(
            http, url, limit=limit, case_label=case_title, before_interacting=interactive, hold=hold
        )
        if not done:
            barrier.arrive()  # failed before it was interactive
        return result


def wait_for_pool(server: ServeServer, limit: float) -> bool:
    """Until Voila says the pool is filled and its kernels have gone quiet (each has run the page up to the
    point where it waits for a request: the server's processes use under 0.1 CPU-s a second)."""
    assert server.process is not None
    pid = server.process.pid
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and not POOL_FILLED.search(server.log_path.read_text(errors="replace")):
        time.sleep(1)
    while time.monotonic() < deadline:
        before = cpu_seconds(server_processes(pid))
        time.sleep(5)
        if used(before, cpu_seconds(server_processes(pid))) < 0.5:
            return True
    return False


def quantile90(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) >= 2 else (values or [0])[0]
    )


async def run(pages: int, limit: float, preheat: bool, browsers: int, report: Report) -> None:
    label = f"{pages} pages" + (", preheated" if preheat else "")
    need, free = (pages + browsers + 5) * PAGE_MEMORY, psutil.virtual_memory().available
    if free < need:
        why = f"needs ~{need / 2**30:.0f} GiB free for the kernels, {free / 2**30:.0f} GiB is"
        print(f"{label}: skipped ({why})")
        report.skip(label, why)
        return
    work = Path(tempfile.mkdtemp(prefix="itp-bench-pages-"))
    room = build_room(work / "demo", pages + browsers)
    users, browser_users = room.users[:pages], room.users[pages:]
    pool = pages + browsers if preheat else 0
    # One machine plays the whole room: no per-client cap, and room for every page (and the pool).
    with ServeServer(
        room.workspace,
        work,
        max_kernels=pages + browsers + 5,  # a pool's refills stop at the cap (server.kernels)
        max_kernels_per_client=0,
        preheat=pool,
        extra_env={"ITP_IOPUB_SEQ": "1"},
    ) as served:
        assert isinstance(served, ServeServer) and served.process is not None
        server, pid = served, served.process.pid
        if pool:
            started = time.perf_counter()
            filled = wait_for_pool(server, 900)
            pool_cpu = sum(cpu_seconds(server_processes(pid)).values(), 0.0)
            print(
                f"pool of {pool} kernels {'ready' if filled else 'NOT ready'} after "
                f"{time.perf_counter() - started:.0f} s; server CPU so far {pool_cpu:.0f} s"
            )
            report.add(
                f"{label}: server CPU to start the pool, before the room arrives",
                pool_cpu,
                "s",
                note=f"{pool_cpu / pool:.1f} s a kernel (start, imports; Voila's own start included)",
            )
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            barrier, hold = Barrier(len(users)), asyncio.Event()
            server_before = cpu_seconds(server_processes(pid))
            browser_before = cpu_seconds(browser_processes())
            started = time.perf_counter()
            contexts: list = []
            loads = asyncio.gather(
                *(
                    load_page(
                        server.page("trainee_workspace.ipynb", u), limit, barrier, room.case_title, hold
                    )
                    for u in users
                )
            )
            real = asyncio.gather(
                *(
                    open_browser_page(browser, server.page("trainee_workspace.ipynb", u), limit, contexts)
                    for u in browser_users
                )
            )
            await barrier.event.wait()
            middle = cpu_seconds(server_processes(pid))
            # Kernels that did not exist when the room arrived: a page's own kernel without a pool, or the
            # pool's refills (kernels for the next pages, not these): with a pool they are counted apart.
            refill_cpu = (
                used({}, {p: t for p, t in middle.items() if p not in server_before}) if pool else 0.0
            )
            opened_cpu = used(server_before, middle) - refill_cpu
            voila_cpu = middle.get(pid, 0.0) - server_before.get(pid, 0.0)
            from_pool = len(
                re.findall("Using pre-heated kernel", server.log_path.read_text(errors="replace"))
            )
            hold.set()
            results = await loads
            acted_cpu = used(middle, cpu_seconds(server_processes(pid)))
            browser_results = await real
            browser_cpu = used(browser_before, cpu_seconds(browser_processes()))
            for context in contexts:
                await context.close()
            await browser.close()
    times = [r.interactive for r in results if r.interactive is not None]
    failed = [(u, r) for u, r in zip(users, results, strict=True) if not r.whole]
    lost = sum(r.lost or 0 for r in results)
    missing = sum(r.missing_models for r in results)
    slowest = max(times) if times else None
    print(
        f"\n{label} opened at once by the load client against one Voila server "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"interactive {len(times)}/{pages}, median {statistics.median(times) if times else 0:.1f} s, "
        f"p90 {quantile90(times):.1f} s, slowest {slowest or 0:.1f} s; lost messages {lost}, missing widgets "
        f"{missing}; fell back to one request per widget: {sum(r.fallback for r in results)}"
    )
    answered = [r.control_reply for r in results if r.control_reply is not None]
    print(
        f"the widget manager's one request for every state: answered on {len(answered)}/{pages} pages"
        + (f", median {statistics.median(answered):.2f} s, slowest {max(answered):.2f} s" if answered else "")
    )
    for user, r in failed[:5]:
        print(f"   {user}: lost {r.lost} missing {r.missing_models} {'; '.join(r.errors)}")
    per_page = opened_cpu / (pages + len(browser_users))  # the Chromium pages are server pages too
    print(
        f"server CPU to open them: {opened_cpu:.0f} s ({per_page:.2f} s a page; goal ≤ {GOAL_CPU_PER_PAGE}; "
        f"Voila {voila_cpu:.1f} s, kernels {opened_cpu - voila_cpu:.1f} s"
        + (
            f"; {from_pool} pages had a pool kernel, the pool's refills used {refill_cpu:.0f} s more"
            if pool
            else ""
        )
        + "); "
        f"first interaction (open the plan, {room.plan_elements} plan elements): {acted_cpu:.0f} s "
        f"({acted_cpu / pages:.2f} s a page)"
    )
    ok_time = len(times) == pages and slowest is not None and slowest <= GOAL_SECONDS
    report.add(
        f"{label}: slowest to interactive (load client)",
        slowest,
        "s",
        f"all interactive ≤ {GOAL_SECONDS:g} s" if pages <= 30 else "",
        ok_time if pages <= 30 else None,
        note=f"{len(times)}/{pages} interactive, median {statistics.median(times) if times else 0:.1f} s, "
        f"p90 {quantile90(times):.1f} s; load average {os.getloadavg()[0]:.1f}",
    )
    report.add(
        f"{label}: server CPU per page open",
        per_page,
        "s",
        f"≤ {GOAL_CPU_PER_PAGE:g} s",
        per_page <= GOAL_CPU_PER_PAGE,
        note=f"{opened_cpu:.0f} s for {pages} + {len(browser_users)} pages (Voila {voila_cpu:.0f} s + "
        f"kernels {opened_cpu - voila_cpu:.0f} s, until all load-client pages were interactive)"
        + (f"; {from_pool} from the pool, whose refills used {refill_cpu:.0f} s more" if pool else ""),
    )
    report.add(
        f"{label}: server CPU per first interaction (open a full plan)",
        acted_cpu / pages,
        "s",
        note=f"{room.plan_elements} plan elements; {acted_cpu:.0f} s for {pages} pages",
    )
    fell_back = sum(r.fallback for r in results)
    report.add(
        f"{label}: pages whose widget manager asked for each widget apart",
        fell_back,
        "",
        "0",
        fell_back == 0,
        note="its one request for every state unanswered within 4 s; answered on "
        f"{len(answered)}/{pages} pages"
        + (f", median {statistics.median(answered):.2f} s" if answered else ""),
    )
    report.add(
        f"{label}: IOPub messages lost",
        lost,
        "",
        "0",
        lost == 0 and missing == 0,
        note=f"{missing} widgets named but never received; "
        + "; ".join(f"{u}: {'; '.join(r.errors)}" for u, r in failed[:2])[:200],
    )
    if browser_users:
        b_times = [t for t, _ in browser_results if t is not None]
        b_errors = [e for t, e in browser_results if t is None or e]
        print(
            f"{len(browser_users)} Chromium pages beside them: interactive {len(b_times)}, slowest "
            f"{max(b_times) if b_times else 0:.1f} s, their CPU {browser_cpu:.0f} s; errors {b_errors[:2]}"
        )
        report.add(
            f"{label}: slowest of {len(browser_users)} Chromium pages beside them",
            max(b_times) if b_times else None,
            "s",
            note=f"{len(b_times)}/{len(browser_users)} interactive; browsers' own CPU {browser_cpu:.0f} s "
            f"(on the server's cores here); {'; '.join(b_errors[:1])[:150]}",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[30, 100])
    parser.add_argument(
        "--preheat",
        choices=("both", "only", "no"),
        default="both",
        help="kernels on request, a pool of as many preheated kernels as pages, or both runs (default)",
    )
    parser.add_argument("--browsers", type=int, default=2, help="real Chromium pages opened beside them")
    parser.add_argument(
        "--limit", type=float, default=300.0, help="give up on a page after this many seconds"
    )
    add_json_option(parser)
    args = parser.parse_args()
    report = Report("concurrent_pages")
    browsers = args.browsers if CHROMIUM.exists() else 0
    if args.browsers and not browsers:
        report.skip("Chromium pages", f"{CHROMIUM} is missing (apt-get install chromium)")
    variants = {"both": (False, True), "only": (True,), "no": (False,)}[args.preheat]
    for pages in args.pages:
        for preheat in variants:
            asyncio.run(run(pages, args.limit, preheat, browsers, report))
    report.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
