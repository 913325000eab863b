"""Code that runs in child processes for the concurrency tests (importable, so 'spawn' can start it)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from itp_toolkit.errors import StaleRevision
from itp_toolkit.store import PlanStore

from .conftest import make_plan


def save_many(
    url: str, draft_id: int, actor: str, writer: str, saves: int, barrier: Any, results: Any
) -> None:
    """Save ``saves`` times as ``actor``; when another tab saved first (stale), start again from the
    latest."""
    store = PlanStore.open(url, upgrade=False)
    plan = make_plan()
    stale = 0
    barrier.wait()
    started = time.perf_counter()
    for i in range(saves):
        while True:
            latest = store.get_draft(draft_id, actor=actor).latest_revision
            plan.notes = f"{writer}:{i}"
            try:
                store.save_revision(draft_id, plan, based_on=latest, actor=actor)
                break
            except StaleRevision:
                stale += 1
    results.put((writer, stale, time.perf_counter() - started))
    store.close()


class _ClockThatHangs:
    """Stamps a save, but on the first reading signals the test and hangs there, mid-transaction."""

    def __init__(self, ready: Path):
        self.ready = ready

    def __call__(self) -> dt.datetime:
        self.ready.write_text("inside the save transaction")
        time.sleep(3600)
        raise AssertionError("should have been killed")


def hang_inside_save(url: str, draft_id: int, based_on: int, ready: str) -> None:
    store = PlanStore.open(url, upgrade=False, clock=_ClockThatHangs(Path(ready)))
    store.save_revision(draft_id, make_plan("never committed"), based_on=based_on, actor="ana")


def save_forever(url: str, draft_id: int) -> None:
    """Save as fast as possible until killed."""
    store = PlanStore.open(url, upgrade=False)
    plan = make_plan()
    i = 0
    while True:
        latest = store.get_draft(draft_id, actor="ana").latest_revision
        plan.notes = f"loop:{i}"
        store.save_revision(draft_id, plan, based_on=latest, actor="ana")
        i += 1
