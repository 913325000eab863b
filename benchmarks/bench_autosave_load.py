"""Autosave under load: many trainees spread over worker processes (one thread and, as each page kernel
has, one store with its own connections per trainee; ``--shared-store``: one store per process), saving
through ``DraftSession`` every few seconds for a bounded time. Prints p50/p95/max save latency and the
lost revisions (saves the session reported as done that are not in the store, or not in order): goal 0.

    .venv/bin/python benchmarks/bench_autosave_load.py [--duration 60] [--interval 5]
        [--processes 4] [--sqlite-trainees 30] [--pg-trainees 100] [--shared-store] [--no-pgbouncer]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--json PATH]

PostgreSQL runs in a throw-away database created and dropped here; it is skipped (and said) if the
server is unreachable. It runs twice: straight to PostgreSQL, and through PgBouncer in transaction mode
(Debian's ``pgbouncer``, started here as a process of this benchmark: ``_pgbouncer.py``; skipped, and said,
when it is not installed). No asserts: this prints a table.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._pgbouncer import PgBouncer, find_binary  # noqa: E402
from benchmarks._results import Report, add_json_option  # noqa: E402
from itp_toolkit.library.cases import load_case_library  # noqa: E402
from itp_toolkit.store import PlanStore  # noqa: E402

CASE_ID = "case-college-anxiety"


def setup(url: str, trainees: int) -> list[tuple[str, int]]:
    store = PlanStore.open(url)
    store.ensure_admin("admin", "Admin")
    cohort = store.add_cohort("Load cohort", actor="admin").id
    out = []
    for n in range(trainees):
        user = f"t{n:03d}"
        store.add_person(user, f"Trainee {n}", "trainee", actor="admin")
        store.add_to_cohort(cohort, user, actor="admin")
    store.assign_case(CASE_ID, cohort_id=cohort, actor="admin")
    for n in range(trainees):
        user = f"t{n:03d}"
        out.append((user, store.start_draft(CASE_ID, actor=user).id))
    store.close()
    return out


def trainee(
    store: PlanStore, user: str, draft_id: int, duration: float, interval: float, start_at: float, out: list
) -> None:
    """One trainee's kernel: edit, save through DraftSession, wait; then check every reported save."""
    from itp_toolkit.model import Problem
    from itp_toolkit.services.drafting import DraftSession

    case = load_case_library()[CASE_ID]
    latencies: list[float] = []
    saved, errors = [], []
    try:
        session = DraftSession(store, draft_id, user, case=case)
        rng = random.Random(user)
        time.sleep(
            max(0.0, start_at - time.time()) + rng.uniform(0, interval)
        )  # trainees do not type in step
        end = start_at + duration
        n = 0
        while time.time() < end:
            n += 1
            plan = session.plan.model_copy(deep=True)
            plan.problems = [*plan.problems, Problem(statement=f"{user} edit {n}")]
            session.edit(plan)
            started = time.perf_counter()
            info = session.save()
            latencies.append(time.perf_counter() - started)
            if info is None:
                errors.append(session.status.message)
            else:
                saved.append((info.number, f"{user} edit {n}"))
            time.sleep(max(0.0, interval - latencies[-1]))
        # Lost: a save reported as done whose revision is missing or holds something else.
        lost = 0
        for number, statement in saved:
            stored = store.get_revision(draft_id, number, actor=user)
            if not stored.problems or stored.problems[-1].statement != statement:
                lost += 1
        lost += max(0, len(saved) - store.get_draft(draft_id, actor=user).latest_revision)
    except Exception as exc:  # noqa: BLE001 - a trainee who could not work is a result, not a crash
        errors.append(f"{type(exc).__name__}: {exc}")
        lost = 0
    out.append((user, latencies, len(saved), len(errors), lost, errors[:1]))


def worker(
    url: str,
    people: list[tuple[str, int]],
    duration: float,
    interval: float,
    per_trainee: bool,
    ready,
    go,
    start,
    results,
) -> None:
    """A process holding several trainees' kernels' worth of sessions: a store each (``per_trainee``, as
    page kernels have), or one shared store (one pool)."""
    import threading

    try:
        store = PlanStore.open(url, upgrade=False)
        load_case_library()
    except Exception as exc:  # noqa: BLE001
        ready.put(None)
        for user, _ in people:
            results.put((user, [], 0, 1, 0, [f"{type(exc).__name__}: {exc}"]))
        return
    ready.put(len(people))
    go.wait()
    out: list = []
    # One store per trainee, as each trainee's page kernel has its own (and so its own connections).
    stores = [PlanStore.open(url, upgrade=False) for _ in people] if per_trainee else [store] * len(people)
    threads = [
        threading.Thread(target=trainee, args=(s, u, d, duration, interval, start.value, out))
        for s, (u, d) in zip(stores, people, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in {id(s): s for s in stores}.values():
        s.close()
    store.close()
    for row in out:
        results.put(row)


def run(
    url: str, trainees: int, duration: float, interval: float, processes: int, per_trainee: bool = True
) -> dict:
    people = setup(url, trainees)
    ctx = mp.get_context("spawn")
    results, ready, go, start = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    groups = [people[i::processes] for i in range(min(processes, trainees))]
    procs = [
        ctx.Process(target=worker, args=(url, g, duration, interval, per_trainee, ready, go, start, results))
        for g in groups
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=600)
    start.value = time.time() + 0.5
    go.set()
    rows = [results.get(timeout=duration + 600) for _ in people]
    for p in procs:
        p.join(timeout=60)
    lat = sorted(x for r in rows for x in r[1])
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else [0.0] * 99
    return {
        "processes": len(groups),
        "trainees": trainees,
        "saves": sum(r[2] for r in rows),
        "refused": sum(r[3] for r in rows),
        "lost": sum(r[4] for r in rows),
        "p50": q[49],
        "p95": q[94],
        "max": lat[-1] if lat else 0.0,
        "example_error": next((r[5][0] for r in rows if r[5]), ""),
    }


@contextmanager
def throwaway_database(pg_url: str) -> Iterator[str]:
    """A new database on ``pg_url``'s server for one run, dropped afterwards."""
    from sqlalchemy import create_engine, make_url, text

    admin_url = make_url(pg_url)
    name = f"itp_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def record(report: Report, store: str, r: dict, interval: float, duration: float) -> None:
    """One store's figures: the p95 save latency (with p50/max/saves/refused beside it) and the lost saves."""
    who = f"{store}, {r['trainees']} trainees"
    refused = f"{r['refused']} refused" + (f", e.g. {r['example_error']}" if r["example_error"] else "")
    p95 = r["p95"] * 1000 if r["saves"] else None
    report.add(
        f"save latency p95, {who}",
        p95,
        "ms",
        note=f"p50 {r['p50'] * 1000:.0f}, max {r['max'] * 1000:.0f} ms; {r['saves']} saves, one every "
        f"{interval:g} s for {duration:g} s over {r['processes']} processes; {refused}",
    )
    report.add(f"lost revisions, {who}", r["lost"], "", "0", r["lost"] == 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--sqlite-trainees", type=int, default=30)
    parser.add_argument("--pg-trainees", type=int, default=100)
    parser.add_argument(
        "--processes",
        type=int,
        default=4,
        help="trainees are spread over this many processes, each with one store (pool)",
    )
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--shared-store",
        dest="per_trainee",
        action="store_false",
        help="one store (one connection pool) per process instead of one per trainee as page kernels have",
    )
    parser.add_argument(
        "--no-pgbouncer",
        dest="pgbouncer",
        action="store_false",
        help="skip the run through PgBouncer (transaction pooling, started here on a free port)",
    )
    add_json_option(parser)
    args = parser.parse_args()
    report = Report("autosave_load")
    table = []
    work = Path(tempfile.mkdtemp(prefix="itp-autosave-"))
    if args.sqlite_trainees:
        table.append(
            (
                "SQLite",
                run(
                    f"sqlite:///{work / 'itp.sqlite'}",
                    args.sqlite_trainees,
                    args.duration,
                    args.interval,
                    args.processes,
                    args.per_trainee,
                ),
            )
        )
    if args.pg_trainees:
        rows: list[tuple[str, type[PgBouncer] | None]] = [("PostgreSQL", None)]
        if args.pgbouncer and find_binary() is None:
            print("PgBouncer skipped: pgbouncer is not installed (apt-get install pgbouncer)")
            report.skip("PostgreSQL via PgBouncer", "pgbouncer is not installed (apt-get install pgbouncer)")
        elif args.pgbouncer:
            rows.append(("PgBouncer", PgBouncer))
        for name, pooler in rows:
            try:
                with throwaway_database(args.pg_url) as url:
                    if pooler is None:
                        result = run(
                            url,
                            args.pg_trainees,
                            args.duration,
                            args.interval,
                            args.processes,
                            args.per_trainee,
                        )
                    else:
                        with pooler(url) as pooled:
                            result = run(
                                pooled,
                                args.pg_trainees,
                                args.duration,
                                args.interval,
                                args.processes,
                                args.per_trainee,
                            )
                table.append((name, result))
            except Exception as exc:  # noqa: BLE001 - an unreachable server is reported, not a crash
                print(f"{name} skipped: {exc}")
                report.skip(name, str(exc).strip().splitlines()[0])
    print(
        f"\nAutosave under load: a save every {args.interval:g} s per trainee for {args.duration:g} s, "
        "trainees spread over processes (threads per trainee; "
        + ("a store per trainee, as each page kernel has)" if args.per_trainee else "one store per process)")
    )
    print(
        f"{'store':<11}{'procs':>6}{'trainees':>9}{'saves':>8}{'refused':>9}{'lost':>6}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    )
    for name, r in table:
        print(
            f"{name:<11}{r['processes']:>6}{r['trainees']:>9}{r['saves']:>8}{r['refused']:>9}{r['lost']:>6}"
            f"{r['p50'] * 1000:>9.0f}{r['p95'] * 1000:>9.0f}{r['max'] * 1000:>9.0f}"
        )
        if r["example_error"]:
            print(f"   e.g. refused: {r['example_error']}")
        record(report, name, r, args.interval, args.duration)
    print("goal: lost = 0")
    report.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
