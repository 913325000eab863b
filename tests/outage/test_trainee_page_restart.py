"""The trainee page while PostgreSQL restarts: it says the store is unreachable, keeps the text, saves it
later.

The page is built by ``trainee_workspace(...)`` exactly as a notebook does (no browser), on the private
cluster; typing goes through the plan editor's Python twins and the autosave runs on its own real timers
(the widget's default scheduler), so the retries with growing delay are the ones a trainee gets.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest

from itp_toolkit.apps import TraineeWorkspace, trainee_workspace
from itp_toolkit.library.cases import load_case_library
from itp_toolkit.store import PlanStore
from itp_toolkit.widgets.drafting import MAX_RETRY_DELAY
from tests.apps.clinic import CASE_ID
from tests.outage.conftest import PrivateCluster, revisions_in_database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

AUTOSAVE_DELAY = 0.5
HANG_GUARD_S = 120.0
"""How long a wait may last before the test fails as hung: generous, so a loaded machine cannot flake it."""


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll until ``condition()``; returns the seconds it took, fails the test saying ``what`` on timeout."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)
    return time.monotonic() - began


@pytest.fixture
def page(outage_db: str) -> Iterator[TraineeWorkspace]:
    store = PlanStore.open(outage_db)
    app = trainee_workspace(
        store=store, case_library=load_case_library(), user="ana", autosave_delay=AUTOSAVE_DELAY
    )
    assert isinstance(app, TraineeWorkspace), getattr(app, "children", app)
    app.open_case(CASE_ID)
    assert app.session is not None and app.controls is not None and app.editor is not None
    yield app
    app.controls._cancel_pending()  # no autosave timer may outlive the test
    app.close()
    store.close()


def test_page_says_the_store_is_unreachable_keeps_typing_and_saves_once_it_is_back(
    page: TraineeWorkspace, pg_cluster: PrivateCluster, outage_db: str
) -> None:
    editor, indicator = page.editor, page.controls.indicator  # type: ignore[union-attr]
    assert editor is not None
    editor.add_problem("Worry before exams")
    wait_for(lambda: indicator.state == "saved", HANG_GUARD_S, "the first autosave")
    assert "revision 1" in indicator.value

    pg_cluster.stop("immediate")
    editor.add_problem("Panic at night")
    wait_for(lambda: indicator.state == "error", HANG_GUARD_S, "the page to notice the outage")
    assert "Not saved" in indicator.value and "unreachable" in indicator.value
    assert "kept" in indicator.value
    assert "127.0.0.1" not in indicator.value, "the page shows the driver's error (host, port) to the trainee"
    assert [p.statement for p in editor.plan.problems] == ["Worry before exams", "Panic at night"]

    editor.add_problem("Skips lectures")  # typing goes on during the outage
    page.controls.save_now()  # type: ignore[union-attr]  # and the Save button says the same
    assert indicator.state == "error" and "unreachable" in indicator.value
    time.sleep(2 * AUTOSAVE_DELAY)  # a few autosave retries fail (one may be under way right now)
    wait_for(lambda: indicator.state == "error", HANG_GUARD_S, "the retry during the outage to fail")
    assert "unreachable" in indicator.value
    typed = editor.plan
    assert [p.statement for p in typed.problems] == ["Worry before exams", "Panic at night", "Skips lectures"]

    began = time.monotonic()
    server_start_s = pg_cluster.start()
    # Nobody touches the page: the autosave's own retry saves the text.
    wait_for(
        lambda: indicator.state == "saved", MAX_RETRY_DELAY + HANG_GUARD_S, "the autosave after the restart"
    )
    page_recovery_s = time.monotonic() - began
    assert "revision 2" in indicator.value
    print(
        f"\nserver up {server_start_s:.2f} s after `pg_ctl start`; page said 'Saved' {page_recovery_s:.2f} s "
        "after it"
    )

    rows = [(number, plan_json) for number, _, plan_json in revisions_in_database(outage_db)["ana"]]
    assert [n for n, _ in rows] == [1, 2], "a save was lost or made twice"
    assert [p["statement"] for p in json.loads(rows[-1][1])["problems"]] == [
        "Worry before exams",
        "Panic at night",
        "Skips lectures",
    ]
    assert page.session is not None and page.session.plan == typed
