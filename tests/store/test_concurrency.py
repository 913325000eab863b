"""Many writers at once, and writers killed mid-save, lose nothing and break nothing.

Writers are separate processes (as separate kernels would be), started with 'spawn'.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from itp_toolkit.store import PlanStore

from . import workers
from .conftest import CASE_ID, Clinic, make_plan

WRITERS = 20
SAVES_EACH = 50

spawn = multiprocessing.get_context("spawn")


def _check_history(store: PlanStore, draft: int, actor: str = "ana") -> list[str]:
    """Revisions are 1..n with no gap, each based on the one before; returns the plans' notes."""
    infos = store.list_revisions(draft, actor=actor)
    assert [r.number for r in infos] == list(range(1, len(infos) + 1))
    assert all(r.based_on == r.number - 1 for r in infos)
    if store.dialect == "sqlite":
        engine = create_engine(store.url)
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()
    return [store.get_revision(draft, r.number, actor=actor).notes for r in infos]


def _run_writers(url: str, jobs: list[tuple[int, str, str]], saves: int) -> tuple[float, float, int]:
    """Start one process per (draft, actor, writer) job at the same moment; (slowest, wall seconds, stale)."""
    barrier = spawn.Barrier(len(jobs))
    results = spawn.Queue()
    processes = [
        spawn.Process(target=workers.save_many, args=(url, draft, actor, writer, saves, barrier, results))
        for draft, actor, writer in jobs
    ]
    started = time.perf_counter()
    for p in processes:
        p.start()
    reports = [results.get(timeout=900) for _ in processes]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    wall = time.perf_counter() - started
    return max(seconds for _, _, seconds in reports), wall, sum(stale for _, stale, _ in reports)


@pytest.mark.slow
def test_twenty_writer_processes_lose_no_revision(clinic: Clinic) -> None:
    """20 trainees, each in their own process, save 50 times each at the same moment."""
    store = clinic.store
    jobs = []
    for n in range(WRITERS):
        trainee = f"t{n:02d}"
        store.add_person(trainee, f"Trainee {n}", "trainee", actor=clinic.admin)
        store.add_to_cohort(clinic.cohort_a, trainee, actor=clinic.admin)
        jobs.append((store.start_draft(CASE_ID, actor=trainee).id, trainee, trainee))
    slowest, wall, stale = _run_writers(store.url, jobs, SAVES_EACH)

    engine = create_engine(store.url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM revisions")).scalar() == WRITERS * SAVES_EACH
    engine.dispose()
    for draft, trainee, _ in jobs:
        notes = _check_history(store, draft, trainee)
        assert notes == [f"{trainee}:{i}" for i in range(SAVES_EACH)]
    assert stale == 0
    print(
        f"\n[{store.dialect}] {WRITERS} writer processes x {SAVES_EACH} saves, own drafts: "
        f"{slowest:.1f} s saving ({wall:.1f} s with process start-up)"
    )


@pytest.mark.slow
def test_tabs_racing_on_one_draft_lose_nothing_and_retry_when_stale(clinic: Clinic) -> None:
    """Several processes save the same draft: each stale save is refused and retried; none is lost."""
    store = clinic.store
    draft = store.start_draft(CASE_ID, actor="ana").id
    tabs, saves = 5, 20
    slowest, wall, stale = _run_writers(store.url, [(draft, "ana", f"tab{n}") for n in range(tabs)], saves)
    notes = _check_history(store, draft)
    assert len(notes) == tabs * saves
    assert Counter(note.split(":")[0] for note in notes) == {f"tab{n}": saves for n in range(tabs)}
    for tab in range(tabs):  # each tab's saves landed in the order it made them
        assert [int(n.split(":")[1]) for n in notes if n.startswith(f"tab{tab}:")] == list(range(saves))
    print(
        f"\n[{store.dialect}] {tabs} processes x {saves} saves on one draft: "
        f"{slowest:.1f} s, {stale} stale retries"
    )


def _wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, "the writer never reached the middle of its save"
        time.sleep(0.05)


def test_writer_killed_inside_its_save_transaction_leaves_the_last_revision_and_a_usable_store(
    clinic: Clinic, tmp_path: Path
) -> None:
    store = clinic.store
    draft = store.start_draft(CASE_ID, actor="ana").id
    store.save_revision(draft, make_plan("last committed"), based_on=0, actor="ana")
    ready = tmp_path / "ready"
    child = spawn.Process(target=workers.hang_inside_save, args=(store.url, draft, 1, str(ready)))
    child.start()
    _wait_for(ready, 60)  # the child now holds the write lock (SQLite) / the draft row lock (PostgreSQL)
    os.kill(child.pid or 0, signal.SIGKILL)
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL

    started = time.perf_counter()
    info = store.save_revision(draft, make_plan("after the crash"), based_on=1, actor="ana")
    assert time.perf_counter() - started < 10, "the dead writer's lock was not released"
    assert info.number == 2
    assert _check_history(store, draft) == ["", ""]
    assert store.get_revision(draft, 1, actor="ana").problems[0].statement == "last committed"
    assert store.get_revision(draft, 2, actor="ana").problems[0].statement == "after the crash"


@pytest.mark.slow
def test_writers_killed_at_random_moments_never_corrupt_the_history(clinic: Clinic) -> None:
    store = clinic.store
    draft = store.start_draft(CASE_ID, actor="ana").id
    rng = random.Random(20250106)
    for _ in range(3):
        before = store.get_draft(draft, actor="ana").latest_revision
        child = spawn.Process(target=workers.save_forever, args=(store.url, draft))
        child.start()
        deadline = time.monotonic() + 60
        while store.get_draft(draft, actor="ana").latest_revision < before + 3:
            assert time.monotonic() < deadline and child.is_alive()
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.3))
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join(timeout=30)
        notes = _check_history(store, draft)
        assert all(note.startswith(("loop:", "after a kill")) for note in notes)
        latest = len(notes)
        plan = make_plan()
        plan.notes = "after a kill"
        assert store.save_revision(draft, plan, based_on=latest, actor="ana").number == latest + 1
