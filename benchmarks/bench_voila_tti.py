"""Time to an interactive trainee page in Voila, against a bare one-widget page, measured in the same run.

"Interactive" = the page's first control a person uses is visible and enabled: the case picker on the
trainee page, the button on the bare page. Each page is loaded LOADS times in a fresh browser context;
the table gives the median and the ratio (goal: trainee page within 1.3x of the bare one).

    .venv/bin/python benchmarks/bench_voila_tti.py [--loads 5] [--preheat] [--json PATH]

Measured on the shared dev machine (busy with other test runs, so seconds are noisy; the ratio less so),
5 interleaved loads, median:

    before (3a5004a)                     bare 5.93 s  trainee 12.44 s  ratio 2.10x  (first measured 1.75x)
    lazy pages/widgets/matplotlib,
      cached case library                bare 4.79 s  trainee  7.98 s  ratio 1.66x
    + workshop entry without pandas      bare 3.52 s  trainee  5.76 s  ratio 1.64x
    + no Alembic when schema at head     bare 4.09 s  trainee  5.35 s  ratio 1.31x
    same, --preheat (pool of 1 each)     bare 2.52 s  trainee  2.69 s  ratio 1.07x

Preheated kernels run the notebook before any request, so a per-request ``?as=`` ($QUERY_STRING)
identity cannot apply to them; ``$ITP_WORKSPACE`` and ``$JUPYTERHUB_USER`` (server-wide) do.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks._results import RATIO, Report, add_json_option, skip_whole  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS  # noqa: E402
from tests.browser.servers import VoilaServer  # noqa: E402
from tests.browser.site import build_trainee_site, write_bare_notebook  # noqa: E402

GOAL_RATIO = 1.3


def time_loads(browser, url: str, selector: str, loads: int) -> list[float]:
    times = []
    for _ in range(loads):
        context = browser.new_context()
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        page.locator(selector).wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function(f"() => !document.querySelector({selector!r}).disabled", timeout=TIMEOUT_MS)
        times.append(time.perf_counter() - start)
        context.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument(
        "--preheat",
        action="store_true",
        help="both servers keep a preheated kernel (--preheat_kernel=True --pool_size=1)",
    )
    add_json_option(parser)
    args = parser.parse_args()
    report = Report("voila_tti")
    if not CHROMIUM.exists():
        return skip_whole(report, f"{CHROMIUM} is missing (apt-get install chromium)", args.json)
    work = Path(tempfile.mkdtemp(prefix="itp-bench-"))
    site = build_trainee_site(work / "site")
    bare = write_bare_notebook(work)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        with (
            VoilaServer(bare, {}, work, preheat=args.preheat) as bare_server,
            VoilaServer(site.notebook, site.env, work, preheat=args.preheat) as trainee_server,
        ):
            # One warm-up load each (imports into the OS cache), not counted.
            time_loads(browser, bare_server.base_url + "/", "button.itp-bare-ready", 1)
            time_loads(browser, trainee_server.base_url + "/", ".itp-case-picker select", 1)
            bare_times, trainee_times = [], []
            for _ in range(args.loads):  # interleaved, so drift in machine load hits both alike
                bare_times += time_loads(browser, bare_server.base_url + "/", "button.itp-bare-ready", 1)
                trainee_times += time_loads(
                    browser, trainee_server.base_url + "/", ".itp-case-picker select", 1
                )
        browser.close()
    bare_median, trainee_median = statistics.median(bare_times), statistics.median(trainee_times)
    ratio = trainee_median / bare_median
    print(f"{'page':<28}{'loads':>6}{'median s':>10}{'min s':>8}{'max s':>8}")
    for name, times in (("bare one-widget page", bare_times), ("trainee workspace page", trainee_times)):
        print(
            f"{name:<28}{len(times):>6}{statistics.median(times):>10.2f}{min(times):>8.2f}{max(times):>8.2f}"
        )
    verdict = "within" if ratio <= GOAL_RATIO else "OVER"
    print(f"ratio trainee/bare: {ratio:.2f}x ({verdict} the {GOAL_RATIO}x goal)")
    how = f"median of {args.loads} loads" + (", preheated kernels" if args.preheat else "")
    report.add("bare one-widget page, time to interactive", bare_median, "s", note=how)
    report.add("trainee page, time to interactive", trainee_median, "s", note=how)
    report.add(
        "ratio trainee/bare" + (" (--preheat)" if args.preheat else ""),
        ratio,
        RATIO,
        f"≤ {GOAL_RATIO}{RATIO}",
        ratio <= GOAL_RATIO,
    )
    report.write(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
