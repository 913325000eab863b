"""Preheated kernels within the caps (issue 18): ``itp serve --preheat N`` keeps pages + pool within
``--max-kernels`` (``server.kernels.PooledKernels``). As the server fills, its pool shrinks rather than the
server passing its cap; a page that does not fit is refused politely; and a page that arrives when the pool
is empty but the server has room (a page's kernel was culled) gets an ordinary kernel, not an error.

Plain GETs of the trainee page (``?as=`` in a demo workspace), kernels counted as processes under the server.
"""

from __future__ import annotations

import time

import pytest

from itp_toolkit.cli.serve import PREHEATED

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

CAP = 4
POOL = 2
SETTLE_GUARD = 240
"""Seconds allowed for the pool to start or refill its kernels (a hang guard: each runs the trainee page)."""


def settled_kernel_count(server, *, expected: int | None = None) -> int:
    """The number of kernels once it stops changing (or reaches ``expected``), checked against the cap at
    every look: pages + pool may never pass it, not even for a moment."""
    deadline = time.monotonic() + SETTLE_GUARD
    last, steady_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = len(server.kernels())
        assert now <= CAP, f"{now} kernels under a cap of {CAP}"
        if now != last:
            last, steady_since = now, time.monotonic()
        elif now == expected or (expected is None and time.monotonic() - steady_since > 8):
            return now
        time.sleep(0.5)
    return last


def page(server, who: str) -> str:
    return server.open_page(PREHEATED, query=f"as={who}")


def test_the_pool_shrinks_as_pages_fill_the_server_and_pages_plus_pool_never_pass_the_cap(
    served, demo_workspace
):
    server = served(
        demo_workspace,
        "--preheat",
        str(POOL),
        "--max-kernels",
        str(CAP),
        "--max-kernels-per-client",
        "0",
        "--cull-unconnected",
        "4",
        "--refill-after",
        "1",
    )
    assert settled_kernel_count(server, expected=POOL) == POOL  # the pool, before anyone asks
    sockets = []
    for n, expected in ((1, 3), (2, 4), (3, 4)):  # 1 page + 2 pool; 2 + 2; 3 + 1 (not refilled: cap)
        kernel = page(server, "ana")
        sockets.append(server.kernel_socket(kernel))  # a page someone has open: never culled
        assert settled_kernel_count(server, expected=expected) == expected, f"after page {n}"
    # The refill waits for a second without a page taking a pool kernel (--refill-after 1), then finds the
    # server at its cap: the pool is not refilled, and the log says so.
    deadline = time.monotonic() + SETTLE_GUARD
    while "not refilled" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "not refilled" in server.log()
    assert settled_kernel_count(server) == CAP

    # The fourth page takes the last pool kernel: 4 pages, no pool. It is fetched by a script and never
    # connects, so the culler stops it soon: 3 pages, an empty pool, room for one more.
    page(server, "ana")
    assert settled_kernel_count(server, expected=3) == 3
    assert "never connected" in server.log()

    # An empty pool with room on the server: the page gets an ordinary kernel (HTTP 200, not Voila's
    # "Kernel pool is empty" error) ...
    kernel = page(server, "ana")
    sockets.append(server.kernel_socket(kernel))
    assert settled_kernel_count(server, expected=CAP) == CAP
    # ... and the next one, over the cap with no closed page to stop, is refused politely.
    status, _, body = server.get(f"/voila/render/{PREHEATED}?as=ana", timeout=120)
    assert status == 503 and "server is busy" in body and "Traceback" not in body
    assert len(server.kernels()) == CAP
    for ws in sockets:
        ws.close()
