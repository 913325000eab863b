"""The trainee page from a preheated kernel (``itp serve --preheat``) in Chromium, as a room gets it.

A preheated kernel runs the page up to the request before anyone asks; the page must then come up for the
person who asked (their plan reopened, their name in the heading), and the browser's widget manager must get
every widget's state in its one bulk request. Until the page kernel registered ipywidgets' comm targets
itself, that request went unanswered in preheated kernels (ipywidgets was imported before the kernel
existed), and every page waited 4 s and then asked for each widget apart (Voila's widget manager falls
back silently; this test reads what the page sends on its kernel websocket). Screenshots at 1280x720 and
1440x900 go to test-artifacts/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from itp_toolkit.services.workspace import DEMO_TRAINEES, build_demo_workspace
from tests.browser.conftest import ARTIFACTS, TIMEOUT_MS, _require_browser, record_failure
from tests.browser.servers import ServeServer

POOL = 2
POOL_GUARD = 600
"""Seconds allowed for the pool to start (a hang guard: each pool kernel runs the trainee page)."""
BULK, ONE = re.compile(rb'"request_states"'), re.compile(rb'"request_state"')
"""The widget manager's request for every widget's state, and its fallback's request for one widget's."""
VIEWPORTS = ((1280, 720), (1440, 900))


@pytest.fixture(scope="module")
def preheated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeServer]:
    _require_browser()
    root = tmp_path_factory.mktemp("preheated-site")
    ws = build_demo_workspace(root / "demo")
    ws.close()
    with ServeServer(ws.path, root, preheat=POOL) as server:
        deadline = time.monotonic() + POOL_GUARD
        while "Kernel pool of trainee_workspace.ipynb is filled" not in whole_log(server):
            assert time.monotonic() < deadline, "the pool never filled:\n" + server.log()[-3000:]
            time.sleep(1)
        yield server


def whole_log(server: ServeServer) -> str:
    return server.log_path.read_text(errors="replace")


def pool_kernels_used(server: ServeServer) -> int:
    return whole_log(server).count("Using pre-heated kernel")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_a_preheated_trainee_page_comes_up_for_its_person_with_every_widget_state_in_one_request(
    browser, preheated, viewport, request
):
    width, height = viewport
    user, name = DEMO_TRAINEES[3]  # dee: her returned plan is reopened on load
    used = pool_kernels_used(preheated)
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    sent: list[bytes] = []

    def on_socket(ws) -> None:
        ws.on(
            "framesent",
            lambda payload: sent.append(payload.encode() if isinstance(payload, str) else payload),
        )

    pg.on("websocket", on_socket)
    try:
        pg.goto(preheated.page("trainee_workspace.ipynb", user), wait_until="commit")
        pg.locator(".itp-case-picker select:enabled").wait_for()
        pg.locator(".itp-plan-outline-view").first.wait_for()  # her plan, reopened as its outline
        assert name in pg.locator(".itp-trainee-header").inner_text()
        assert pool_kernels_used(preheated) == used + 1, "the page did not get a preheated kernel"
        asked_all = sum(1 for frame in sent if BULK.search(frame))
        asked_one = sum(1 for frame in sent if ONE.search(frame))
        assert (asked_all, asked_one) == (1, 0), f"{asked_all} bulk requests, {asked_one} for one widget"
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"preheated-trainee-{width}x{height}.png"))
    except BaseException:
        print(record_failure({"page": pg}, request.node.name))
        raise
    finally:
        context.close()
