"""When the preheated pool is refilled (``server.kernels.PooledKernels``): once the room has stopped arriving,
never while pages are still taking kernels, and never past ``max_kernels``.

Voila's own refill starts a kernel a second after each page takes one, so a room paid for its replacements in
the same minute as its own pages. These tests drive the mix-in over a stand-in for Voila's pooling manager
(its pool of tasks, ``kernel_pools_config`` and ``fill_if_needed`` as Voila has them); the real server is in
``test_kernel_pool.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

import pytest

from itp_toolkit.server.kernels import PooledKernels

PAGE = "trainee_workspace.ipynb"
QUIET = 0.02
"""Seconds of quiet before a refill, in these tests."""
GUARD = 10.0
"""Seconds a test waits for a refill before it fails (a hang guard, not a timing measure)."""


class VoilaPool:
    """What ``PooledKernels`` uses of Voila's ``VoilaKernelManager``: a pool is a list of tasks whose result
    names a kernel, and ``fill_if_needed`` starts kernels until the pool has the configured size."""

    def __init__(self, *, pool: int, max_kernels: int):
        self.log = logging.getLogger("itp.test.pool")
        self.max_kernels = max_kernels
        self.refill_after_quiet = QUIET
        self.kernel_pools_config: dict[str, dict[str, Any]] = {
            "default": {"pool_size": 0},
            PAGE: {"pool_size": pool},
        }
        self._pools: dict[str | None, list[asyncio.Future[dict[str, Any]]]] = {}
        self._kernels: dict[str, Any] = {}
        self._client_of: dict[str, str] = {}
        self._starting: Counter[str] = Counter()
        self.pages: list[str] = []
        self.fills: list[int] = []  # kernels each fill started
        self.stopped = False
        self.fill_if_needed(delay=0, notebook_name=PAGE)  # Voila's start-up fill, before the mix-in
        self.fills.clear()

    def fill_if_needed(
        self, delay: float | None = None, notebook_name: str | None = None, **kwargs: Any
    ) -> None:
        size = self.kernel_pools_config.get(notebook_name or "default", {}).get("pool_size", 0)
        pool = self._pools.setdefault(notebook_name, [])
        started = 0
        for _ in range(size - len(pool)):
            task: asyncio.Future[dict[str, Any]] = asyncio.get_event_loop().create_future()
            task.set_result({"kernel_id": f"k{len(self._kernels)}"})
            self._kernels[task.result()["kernel_id"]] = object()
            pool.append(task)
            started += 1
        self.fills.append(started)

    def get_pool_size(self, notebook_name: str) -> int:
        return len(self._pools.get(notebook_name, []))

    def _over_cap(self, client: str, *, pool_counts: bool = True) -> tuple[str | None, str]:
        return None, ""

    def _live(self) -> list[str]:
        return list(self._kernels)

    async def shutdown_all(self) -> None:
        self.stopped = True


def pooled(*, pool: int, max_kernels: int) -> Any:
    manager = type("PooledVoilaPool", (PooledKernels, VoilaPool), {})(pool=pool, max_kernels=max_kernels)
    manager._refill_timers = {}
    return manager


def take(manager: Any) -> None:
    """A page takes a pool kernel as Voila's ``get_rendered_notebook`` does: pop one, ask for a refill."""
    kernel = manager._pools[PAGE].pop(0).result()["kernel_id"]
    manager.pages.append(kernel)
    manager.fill_if_needed(delay=None, notebook_name=PAGE)


async def refilled(manager: Any) -> None:
    """Until the waiting refill has run (its timer gone: the refill itself is synchronous)."""
    deadline = asyncio.get_event_loop().time() + GUARD
    while manager._refill_timers and asyncio.get_event_loop().time() < deadline:
        await asyncio.sleep(QUIET)


def test_pages_taking_pool_kernels_start_none_until_no_page_has_taken_one_for_a_while():
    async def room() -> Any:
        manager = pooled(pool=3, max_kernels=20)
        take(manager)
        first = manager._refill_timers[PAGE]
        take(manager)
        assert manager.fills == []  # nothing started while the room is arriving
        assert first.cancelled()  # the second page started the wait again
        await refilled(manager)
        return manager

    manager = asyncio.run(room())
    assert manager.fills == [2]  # one refill, for both pages
    assert manager.get_pool_size(PAGE) == 3
    assert manager._refill_timers == {}


def test_a_refill_after_the_room_stops_at_the_kernel_cap(caplog: pytest.LogCaptureFixture):
    async def room() -> Any:
        manager = pooled(pool=3, max_kernels=4)
        take(manager)
        take(manager)  # 2 pages + 1 in the pool: room for one more under the cap of 4
        await refilled(manager)
        return manager

    with caplog.at_level(logging.INFO, logger="itp.test.pool"):
        manager = asyncio.run(room())
    assert manager.fills == [1]
    assert len(manager.pages) + manager.get_pool_size(PAGE) == 4
    assert manager.kernel_pools_config[PAGE]["pool_size"] == 3  # the configured size, unchanged
    assert "refilled in part (2 of its 3 kernels)" in caplog.text


def test_a_full_server_is_not_refilled(caplog: pytest.LogCaptureFixture):
    async def room() -> Any:
        manager = pooled(pool=2, max_kernels=2)
        take(manager)  # 1 page + 1 in the pool: the cap
        await refilled(manager)
        return manager

    with caplog.at_level(logging.INFO, logger="itp.test.pool"):
        manager = asyncio.run(room())
    assert manager.fills == []
    assert "not refilled" in caplog.text


def test_an_explicit_fill_is_not_put_off():
    async def start() -> Any:
        manager = pooled(pool=2, max_kernels=10)
        manager._pools[PAGE].clear()
        manager.fill_if_needed(delay=0, notebook_name=PAGE)
        return manager

    manager = asyncio.run(start())
    assert manager.fills == [2] and manager._refill_timers == {}


def test_stopping_the_server_drops_a_waiting_refill():
    async def stop() -> Any:
        manager = pooled(pool=2, max_kernels=10)
        take(manager)
        waiting = manager._refill_timers[PAGE]
        await manager.shutdown_all()
        await asyncio.sleep(QUIET * 5)
        return manager, waiting

    manager, waiting = asyncio.run(stop())
    assert manager.stopped and waiting.cancelled() and manager.fills == []
