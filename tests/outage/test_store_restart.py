"""PostgreSQL goes down while five trainees are drafting: typed work is kept, saved once it is back, exactly
once.

Real processes only: a private PostgreSQL cluster (see conftest) that the test stops with ``pg_ctl -m
immediate`` (clients see a crash) and starts again; each trainee is a thread with its own PlanStore (its own
connection pool), as each trainee has their own kernel in a deployment. Nothing is mocked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from itp_toolkit.model import TreatmentPlan
from itp_toolkit.model import editing as e
from itp_toolkit.services.drafting import UNREACHABLE_MESSAGE, DraftSession
from itp_toolkit.store import PlanStore
from tests.apps.clinic import CASE_ID
from tests.outage.conftest import PrivateCluster, revisions_in_database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TRAINEES = [f"trainee{n}" for n in range(1, 6)]
HANG_GUARD_S = 120.0
"""How long any wait may last before the test fails as hung: generous, so a loaded machine cannot flake it.
No figure is asserted; the recovery time is printed (benchmarks measure it)."""


@dataclass
class Typist:
    """One trainee typing and saving in a loop; records what the page would have shown."""

    username: str
    session: DraftSession
    typed: int = 0
    typed_during_outage: int = 0
    failed_during_outage: int = 0
    outage_messages: set[str] = field(default_factory=set)
    lost_text: list[str] = field(default_factory=list)
    """Each time a failed save did not leave the just-typed plan in the session (must stay empty)."""
    errors: list[BaseException] = field(default_factory=list)
    last_typed: TreatmentPlan | None = None
    saved_again_at: float | None = None

    def type_one(self) -> TreatmentPlan:
        self.typed += 1
        plan = e.add_problem(
            self.session.plan,
            f"{self.username} note {self.typed}",
            element_id=f"prb-{self.username}-{self.typed}",
        )
        self.session.edit(plan)
        self.last_typed = plan
        return plan

    def run(self, stop_typing: threading.Event, server_down: threading.Event, deadline: float) -> None:
        try:
            while not stop_typing.is_set():
                plan = self.type_one()
                if server_down.is_set():
                    self.typed_during_outage += 1
                self.session.save()
                if self.session.state == "error":
                    self.outage_messages.add(self.session.status.message)
                    if self.session.plan != plan:
                        self.lost_text.append(f"after note {self.typed}")
                    if server_down.is_set():
                        self.failed_during_outage += 1
                time.sleep(0.03)
            # Stopped typing: the autosave keeps trying until the store takes the last text.
            while self.session.state != "saved" and time.monotonic() < deadline:
                self.session.save()
                if self.session.state == "error":
                    self.outage_messages.add(self.session.status.message)
                    time.sleep(0.1)
            self.saved_again_at = time.monotonic() if self.session.state == "saved" else None
        except BaseException as exc:  # noqa: BLE001 - reported by the test, with the trainee's name
            self.errors.append(exc)


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll until ``condition()``; only a hang (HANG_GUARD_S) fails, saying what never happened."""
    give_up = time.monotonic() + HANG_GUARD_S
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"hung: no {what} within {HANG_GUARD_S:.0f} s")
        time.sleep(0.05)


def _add_trainees(url: str) -> None:
    with PlanStore.open(url) as store:
        cohort = store.add_cohort("Outage cohort", actor="admin").id
        for username in TRAINEES:
            store.add_person(username, username.title(), "trainee", actor="admin")
            store.add_to_cohort(cohort, username, actor="admin")
        store.assign_case(CASE_ID, cohort_id=cohort, actor="admin")


def test_crash_restart_while_five_trainees_type_keeps_their_text_and_saves_each_change_once(
    pg_cluster: PrivateCluster, outage_db: str
) -> None:
    _add_trainees(outage_db)
    stores = [PlanStore.open(outage_db) for _ in TRAINEES]
    typists = []
    for username, store in zip(TRAINEES, stores, strict=True):
        draft = store.start_draft(CASE_ID, actor=username)
        typists.append(Typist(username, DraftSession(store, draft.id, username)))
    stop_typing, server_down = threading.Event(), threading.Event()
    deadline = time.monotonic() + 2 * HANG_GUARD_S
    threads = [
        threading.Thread(target=t.run, args=(stop_typing, server_down, deadline), name=t.username)
        for t in typists
    ]
    try:
        for thread in threads:
            thread.start()
        _wait_until(lambda: all(t.session.revision >= 1 for t in typists), "everyone's first save")

        pg_cluster.stop("immediate")  # saves are in flight: connections are cut mid-transaction
        server_down.set()
        # The outage: every trainee's saves fail and they keep typing (several notes each).
        _wait_until(lambda: all(t.failed_during_outage >= 5 for t in typists), "five failed saves each")

        stop_typing.set()  # last keystrokes are in; the database comes back while the autosave retries
        time.sleep(0.2)
        server_down.clear()
        started_at = time.monotonic()
        server_start_s = pg_cluster.start()
        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        stop_typing.set()
        if not pg_cluster.running():
            server_start_s = pg_cluster.start()
        for thread in threads:
            thread.join(timeout=30)
        for store in stores:
            store.close()

    for t in typists:
        assert not t.errors, f"{t.username} raised {t.errors[0]!r}"
        assert not t.lost_text, f"{t.username}: a failed save dropped the typed text {t.lost_text}"
        assert t.typed_during_outage > 0, f"{t.username} typed nothing during the outage"
        assert UNREACHABLE_MESSAGE in t.outage_messages, f"{t.username} saw {t.outage_messages}"
        assert t.session.state == "saved", f"{t.username} never saved after the restart: {t.session.status}"
        # Order, not speed: the last text was saved after the restart began (nothing "saved" into the outage).
        assert t.saved_again_at is not None and t.saved_again_at >= started_at
    recovery = max(t.saved_again_at or 0.0 for t in typists) - started_at
    print(
        f"\nserver up (crash recovery done) {server_start_s:.2f} s after `pg_ctl start`; all {len(typists)} "
        f"trainees' last text saved {recovery:.2f} s after it was called; notes typed in the outage: "
        f"{[t.typed_during_outage for t in typists]}"
    )

    saved = revisions_in_database(outage_db)
    for t in typists:
        revisions = saved[t.username]
        numbers = [n for n, _, _ in revisions]
        assert numbers == list(range(1, len(numbers) + 1)), f"{t.username}: revisions {numbers}"
        assert [b for _, b, _ in revisions] == [n - 1 for n in numbers], f"{t.username}: not a single chain"
        plans = [json.loads(p) for _, _, p in revisions]
        twins = [n for n, a, b in zip(numbers[1:], plans, plans[1:], strict=False) if a == b]
        assert not twins, f"{t.username}: revision(s) {twins} duplicate the one before"
        assert t.last_typed is not None
        assert TreatmentPlan.model_validate(plans[-1]) == t.last_typed, f"{t.username}'s last text was lost"
        assert t.session.revision == numbers[-1]
