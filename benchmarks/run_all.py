"""Run every ``bench_*.py`` in this folder and print ONE table of figures, goals and verdicts, with the
machine it ran on above it (one command for the README's benchmark table, which is generated, never typed).

Each benchmark runs as its own subprocess with ``--json``: Playwright event loops, worker processes and
memory stay apart, and one benchmark that crashes or hangs cannot take the others down. A benchmark that
cannot run here (no browser, no PostgreSQL) says so in its results and shows as a "skipped" row with the
reason; one that crashes, times out or writes no results shows as a "crashed" row, and only then does this
exit non-zero (a missed goal is a result, not a failure).

    ./dev.sh bench [--quick] [--only NAME ...] [--markdown PATH] [--update-readme]
    .venv/bin/python benchmarks/run_all.py ...   (the same, without the setup)

``--quick`` runs small sizes (about 2-3 minutes) to check the runner itself; its figures are marked quick
and are not comparable with a full run, so ``--update-readme`` refuses them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks._results import NO_GOAL, Figure, Report  # noqa: E402

README = ROOT / "README.md"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
CHROMIUM = Path("/usr/bin/chromium")  # the browser tests' and dev.sh's Chromium
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
OK, SKIPPED, CRASHED = "ok", "skipped", "crashed"
QUICK: dict[str, list[str]] = {
    # Small enough that the whole run takes a few minutes on the 2-core machine, big enough to use every path.
    "critique": ["--runs", "50"],
    "voila_tti": ["--loads", "1"],
    "cohort": ["20", "50"],
    "autosave_load": [
        "--duration",
        "5",
        "--interval",
        "1",
        "--processes",
        "2",
        "--sqlite-trainees",
        "4",
        "--pg-trainees",
        "4",
    ],
    "concurrent_pages": ["--pages", "3", "--limit", "120"],
    "hub_capacity": ["--trainees", "1"],
}
PG_URL_OPTION = {"autosave_load"}
"""Benchmarks that take ``--pg-url``: they get the runner's, so the table and the machine line agree."""


@dataclass
class Outcome:
    """One benchmark's run as the table shows it."""

    name: str
    status: str  # ok, skipped (could not run here) or crashed
    seconds: float
    arguments: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    reason: str = ""  # why it crashed


ORDER = ["voila_tti", "cohort", "autosave_load", "critique", "concurrent_pages"]
"""The issue's order for the table; a benchmark not named here comes after these, by name."""


def discover(folder: Path = HERE) -> dict[str, Path]:
    """Every benchmark script, by name (``bench_cohort.py`` -> ``cohort``): a new script is run without
    registering it anywhere."""
    found = {p.stem.removeprefix("bench_"): p for p in folder.glob("bench_*.py")}
    rank = {name: i for i, name in enumerate(ORDER)}
    return {name: found[name] for name in sorted(found, key=lambda n: (rank.get(n, len(ORDER)), n))}


def _last_line(log: Path) -> str:
    try:
        lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return "no output"
    return next((line for line in reversed(lines) if line), "no output")[:300]


def collect(
    name: str,
    returncode: int | None,
    json_path: Path,
    log: Path,
    seconds: float,
    arguments: list[str],
    timeout: float | None = None,
) -> Outcome:
    """Turn one subprocess's exit code and results file into an outcome (``returncode`` None: timed out)."""

    def crashed(reason: str) -> Outcome:
        return Outcome(name, CRASHED, seconds, arguments, reason=f"{reason} (log: {log})")

    if returncode is None:
        return crashed(f"timed out after {timeout:g} s")
    if returncode != 0:
        return crashed(f"exit code {returncode}: {_last_line(log)}")
    try:
        report = Report.read(json_path)
    except (OSError, ValueError) as exc:
        return crashed(f"exited 0 but wrote no usable results: {exc}")
    if not report.figures and not report.skipped:
        return crashed("exited 0 but reported no figures")
    status = SKIPPED if not report.figures else OK
    return Outcome(name, status, seconds, arguments, report.figures, report.skipped)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def run_one(
    name: str, script: Path, arguments: list[str], extra: list[str], workdir: Path, timeout: float
) -> Outcome:
    """Run one script in its own session (it may start servers and workers: a timeout ends them all)."""
    json_path, log = workdir / f"{name}.json", workdir / f"{name}.log"
    json_path.unlink(missing_ok=True)
    command = [sys.executable, str(script), *arguments, *extra, "--json", str(json_path)]
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
            _signal_group(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
            _signal_group(proc.pid, signal.SIGKILL)  # whatever of its servers and workers is left
            proc.wait()
    return collect(name, code, json_path, log, time.monotonic() - started, arguments, timeout)


HEADER = ("benchmark", "figure", "value", "goal", "verdict", "details")


def rows(outcomes: list[Outcome]) -> list[tuple[str, ...]]:
    """One row a figure; a skipped part or a crashed benchmark is a row too, its reason under details."""
    out = []
    for o in outcomes:
        mine = [(f.figure, f.shown(), f.goal or NO_GOAL, f.verdict, f.note) for f in o.figures]
        mine += [(s["what"], SKIPPED, NO_GOAL, SKIPPED, s["reason"]) for s in o.skipped]
        if o.status == CRASHED:
            mine = [("whole benchmark", CRASHED, NO_GOAL, CRASHED, o.reason)]
        out += [(o.name if i == 0 else "", *row) for i, row in enumerate(mine)]
    return out


def text_table(outcomes: list[Outcome]) -> str:
    table = [HEADER, *rows(outcomes)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(outcomes: list[Outcome]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows(outcomes)]
    return "\n".join(lines)


def sizes_line(outcomes: list[Outcome], quick: bool) -> str:
    if not quick:
        return "sizes: each benchmark's defaults (see its docstring)"
    given = "; ".join(f"{o.name} {' '.join(o.arguments) or '(its defaults)'}" for o in outcomes)
    return f"sizes: QUICK ({given})"


def took_line(outcomes: list[Outcome]) -> str:
    each = ", ".join(f"{o.name} {o.seconds:.0f} s" for o in outcomes)
    return f"took: {each}, {sum(o.seconds for o in outcomes) / 60:.1f} min in all"


QUICK_BANNER = "QUICK RUN: small sizes to check the runner; these figures are not comparable with a full run"


def text_report(outcomes: list[Outcome], machine: dict[str, str], quick: bool) -> str:
    head = [QUICK_BANNER if quick else "Benchmarks: full run", "machine:"]
    width = max(map(len, machine), default=0)
    head += [f"  {k:<{width}}  {v}" for k, v in machine.items()]
    return "\n".join([*head, "", text_table(outcomes), "", sizes_line(outcomes, quick), took_line(outcomes)])


def markdown_report(outcomes: list[Outcome], machine: dict[str, str], quick: bool) -> str:
    """The table and one paragraph naming the machine: what ``--update-readme`` puts between the markers."""
    facts = "; ".join(f"{k}: {v}" for k, v in machine.items())
    parts = [f"**{QUICK_BANNER}.**\n"] if quick else []
    parts += [
        markdown_table(outcomes),
        "",
        f"Measured by `benchmarks/run_all.py{' --quick' if quick else ''}` on: {facts}. "
        f"{sizes_line(outcomes, quick)}; {took_line(outcomes)}. Generated by "
        "`./dev.sh bench --update-readme`; do not edit by hand.",
    ]
    return "\n".join(parts)


def replace_marked(text: str, block: str) -> str:
    """``text`` with everything between the two marker comments replaced by ``block``."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise ValueError(f"README.md needs exactly one {START} followed by one {END}")
    before, rest = text.split(START)
    _, after = rest.split(END)
    return f"{before}{START}\n{block.strip()}\n{END}{after}"


def _read(path: str, key: str, sep: str) -> str:
    """The value of the first ``key<sep>value`` line of a /proc or /etc file ("" if none)."""
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(key) and sep in line:
                return line.split(sep, 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


def _command(*command: str) -> tuple[bool, str]:
    """(ran and exited 0, its output or why not)."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"unknown ({exc})"
    if done.returncode:
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return False, f"unknown ({why})"
    return True, done.stdout.strip()


def postgres_version(url: str) -> str:
    """Asked of the server the benchmarks use, not read from the client library."""
    from sqlalchemy import create_engine, make_url, text

    where = make_url(url)
    try:
        engine = create_engine(where, connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                version = conn.execute(text("SHOW server_version")).scalar()
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - a server that does not answer is a fact about the machine
        return f"not reachable at {where.host}:{where.port} ({str(exc).strip().splitlines()[0][:160]})"
    return f"{version} ({where.host}:{where.port})"


LOAD = "load average (1/5/15 min)"


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def machine_facts(pg_url: str) -> dict[str, str]:
    """What the figures depend on, read at the start of the run (the load average again at the end)."""
    cpus = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    mem_kib = _read("/proc/meminfo", "MemTotal", ":").split()
    ram = f"{int(mem_kib[0]) / 1024**2:.1f} GiB" if mem_kib else "unknown"
    _, commit = _command("git", "rev-parse", "--short=12", "HEAD")
    clean, changes = _command("git", "status", "--porcelain", "--untracked-files=no")
    if clean and changes:
        commit += " + uncommitted changes to tracked files"
    chromium = (
        _command(str(CHROMIUM), "--version")[1].removeprefix("Chromium ")
        if CHROMIUM.exists()
        else f"{CHROMIUM} missing"
    )
    cpu = _read("/proc/cpuinfo", "model name", ":") or platform.processor() or "unknown"
    system = _read("/etc/os-release", "PRETTY_NAME", "=") or platform.system()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": f"{cpu}, {cpus} cores" + (f" ({usable} usable)" if usable != cpus else ""),
        "RAM": ram,
        LOAD: f"{load_average()} at start",
        "OS": f"{system}, kernel {platform.release()} {platform.machine()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "Chromium": chromium,
        "PostgreSQL": postgres_version(pg_url),
        "commit": commit,
    }


def main(argv: list[str] | None = None, folder: Path = HERE) -> int:
    found = discover(folder)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, to check the runner (a few minutes)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=sorted(found),
        help=f"run only these ({', '.join(found)})",
    )
    parser.add_argument(
        "--markdown", type=Path, metavar="PATH", help="also write the table and the machine as Markdown"
    )
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help=f"replace the text between {START} and {END} in README.md (a full run of every benchmark only)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600.0,
        help="seconds before a benchmark is stopped and counted as crashed",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("ITP_TEST_POSTGRES_URL", DEFAULT_PG_URL),
        help="PostgreSQL for the benchmarks that use one (default: $ITP_TEST_POSTGRES_URL)",
    )
    parser.add_argument(
        "--logs",
        type=Path,
        metavar="DIR",
        help="keep each benchmark's output and results here (default: a temp dir)",
    )
    args = parser.parse_args(argv)
    if args.update_readme and (args.quick or args.only):
        parser.error("--update-readme takes a full run of every benchmark: the README's table is one run")
    names = args.only or list(found)
    workdir = args.logs or Path(tempfile.mkdtemp(prefix="itp-bench-run-"))
    workdir.mkdir(parents=True, exist_ok=True)
    machine = machine_facts(args.pg_url)
    outcomes = []
    for name in names:
        arguments = QUICK.get(name, []) if args.quick else []
        extra = ["--pg-url", args.pg_url] if name in PG_URL_OPTION else []
        print(f"==> {name} {' '.join(arguments)}".rstrip(), flush=True)
        outcome = run_one(name, found[name], arguments, extra, workdir, args.timeout)
        why = f": {outcome.reason}" if outcome.reason else ""
        print(f"    {outcome.status} in {outcome.seconds:.0f} s{why}", flush=True)
        outcomes.append(outcome)
    machine[LOAD] += f", {load_average()} at end"
    print()
    print(text_report(outcomes, machine, args.quick))
    print(f"logs and results: {workdir}")
    crashed = [o.name for o in outcomes if o.status == CRASHED]
    markdown = markdown_report(outcomes, machine, args.quick)
    if args.markdown:
        args.markdown.write_text(markdown + "\n", encoding="utf-8")
        print(f"Markdown written to {args.markdown}")
    if args.update_readme:
        if crashed:
            print(f"README.md not updated: {', '.join(crashed)} crashed")
        else:
            README.write_text(replace_marked(README.read_text(encoding="utf-8"), markdown), encoding="utf-8")
            print("README.md updated between the benchmark markers")
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
