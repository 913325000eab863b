"""Live kernels, capped: per server and per client address, with short culling for pages never connected.

Every page load starts a kernel (about 85 MB each): 60 unauthenticated loads started 60 kernels (5.1 GB), and
Voila culls idle kernels only after ``cull_idle_timeout`` (600 s). This kernel manager (``VoilaConfiguration.
multi_kernel_manager_class``) refuses a new kernel with HTTP 503 (Voila shows its error page, no traceback)
when the server or the client already has its cap. Before refusing it stops a kernel whose page was closed
(its websocket connected once and has none now: the oldest first, the client's own for the client's cap),
because Voila leaves a kernel behind for every closed tab. A kernel whose page never opened its websocket
(a script that only fetches pages) is stopped after ``cull_unconnected_timeout`` seconds of quiet; a page
that connected and went idle keeps ``cull_idle_timeout``.

With preheated kernels (``itp serve --preheat N``, Voila's kernel pool) the pool's kernels count against the
server cap: they hold memory like open pages. A pool kernel is started without a request and is never refused;
instead ``PooledKernels`` (mixed into Voila's pooling manager by ``app``) hands one to a page only while that
page fits both caps (pool kernels not counted: a page that takes one does not add a kernel), and refills the
pool only while pages + pool stay within ``max_kernels``: as a server fills up its pool shrinks, and pages +
pool never exceed the cap. The pool is refilled once the room has stopped arriving (no page has taken a pool
kernel for ``refill_after_quiet`` seconds), not as each page takes one: Voila's own refill starts a kernel a
second after every page, so a room of 30 paid for 30 new kernels (each started and run up to the request,
about 2 CPU-s) in the same minute as its own pages, on the same cores. A page that does not fit takes Voila's
ordinary path and meets the caps there (a closed page's kernel stopped, or HTTP 503). Voila never culls a
kernel waiting in its pool; one handed out counts from then on like any other page (its never-connected clock
starts then).

The client address is the peer's; behind a proxy on this machine (the peer is a loopback address) the last
``X-Forwarded-For`` entry, the one the proxy added. A local process can set that header itself, so the
per-client cap is a fairness rule; the server cap is the bound.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from jupyter_core.utils import ensure_async
from jupyter_server._tz import utcnow
from jupyter_server.base.call_context import CallContext
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Float, Int
from voila.utils import ENV_VARIABLE

UNKNOWN_CLIENT = "unknown"
POOL = "(preheated pool)"
"""The client a pool kernel belongs to until a page takes it."""


class ServerBusy(web.HTTPError):
    """No room for another page's kernel (HTTP 503, shown on Voila's error page)."""

    def __init__(self, message: str):
        super().__init__(503, message, reason="Server busy")


def client_address(request: Any) -> str:
    """Who a request comes from, for the per-client cap (see the module's docstring for the proxy rule)."""
    peer = request.remote_ip or UNKNOWN_CLIENT
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded:
        try:
            loopback = ipaddress.ip_address(peer).is_loopback
        except ValueError:
            loopback = False
        last = forwarded.split(",")[-1].strip()
        if loopback and last:
            return last
    return peer


def _current_client() -> str:
    handler = CallContext.get(CallContext.JUPYTER_HANDLER)
    request = getattr(handler, "request", None)
    return client_address(request) if request is not None else UNKNOWN_CLIENT


def _pool_start(kwargs: dict[str, Any]) -> bool:
    """Whether Voila is starting a kernel for its pool: only its pool sets ``VOILA_PREHEAT=True`` in the
    kernel's environment (a page's own kernel gets "False"). Not "no request being answered": a refill is
    started from within the request that took a pool kernel, and inherits that request's context."""
    env = kwargs.get("env") or {}
    return env.get(ENV_VARIABLE.VOILA_PREHEAT) == "True"


class GuardedKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with caps on live kernels and short culling for never-connected pages."""

    max_kernels = Int(40, config=True, help="Live kernels (open pages) this server runs at most; 0: no cap.")
    max_kernels_per_client = Int(
        6, config=True, help="Live kernels one client address may have at most; 0: no cap."
    )
    cull_unconnected_timeout = Int(
        60, config=True, help="Seconds a kernel whose page never connected may stay quiet; 0: off."
    )
    refill_after_quiet = Float(
        20.0,
        config=True,
        help="With preheated kernels: seconds without a page taking one before the pool is refilled.",
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._client_of: dict[str, str] = {}
        self._starting: Counter[str] = Counter()
        self._ever_connected: set[str] = set()
        self._stopping: set[str] = set()

    # -- caps ---------------------------------------------------------------------------------------------

    def _live(self) -> list[str]:
        return [k for k in self.list_kernel_ids() if k not in self._stopping]

    def _closed_pages(self, client: str | None) -> list[str]:
        """Kernels whose page connected once and has no connection now, oldest activity first."""
        closed = [
            k
            for k in self._live()
            if k in self._ever_connected
            and not self._kernel_connections.get(k, 0)
            and (client is None or self._client_of.get(k) == client)
        ]
        return sorted(closed, key=lambda k: getattr(self._kernels[k], "last_activity", utcnow()))

    def _pool_kernels(self) -> int:
        return sum(1 for k in self._live() if self._client_of.get(k) == POOL)

    def _over_cap(self, client: str, *, pool_counts: bool = True) -> tuple[str | None, str]:
        """Which cap a new kernel for ``client`` would break: ("server"|"client"|None, message)."""
        live = self._live()
        total = len(live) + sum(self._starting.values()) - (0 if pool_counts else self._pool_kernels())
        if self.max_kernels and total >= self.max_kernels:
            return "server", (
                f"This server is busy: it already runs {self.max_kernels} pages, as many as it may. "
                "Please try again in a few minutes."
            )
        mine = sum(1 for k in live if self._client_of.get(k) == client) + self._starting[client]
        if self.max_kernels_per_client and mine >= self.max_kernels_per_client:
            pages = f"{self.max_kernels_per_client} page" + ("s" if self.max_kernels_per_client != 1 else "")
            return "client", (
                f"You already have {pages} open on this server, as many as one computer may. "
                "Close a page you no longer use, then reload this one."
            )
        return None, ""

    async def _make_room(self, client: str) -> None:
        while True:
            cap, message = self._over_cap(client)
            if cap is None:
                self._starting[client] += 1  # reserved before any await: concurrent loads see it
                return
            closed = self._closed_pages(client if cap == "client" else None)
            if not closed:
                self.log.warning("Refused a page for %s: %s cap reached", client, cap)
                raise ServerBusy(message)
            victim = closed[0]
            self.log.info("Stopping kernel %s of a closed page to make room for %s", victim, client)
            self._stopping.add(victim)
            try:
                await ensure_async(self.shutdown_kernel(victim))
            finally:
                self._stopping.discard(victim)

    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: Any = None, **kwargs: Any
    ) -> str:
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        if _pool_start(kwargs):
            new_id = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
            self._client_of[new_id] = POOL
            return new_id
        client = _current_client()
        await self._make_room(client)
        try:
            new_id = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        finally:
            self._starting[client] -= 1
            if not self._starting[client]:
                del self._starting[client]
        self._client_of[new_id] = client
        return new_id

    # -- culling ------------------------------------------------------------------------------------------

    def notify_connect(self, kernel_id: str) -> None:
        self._ever_connected.add(kernel_id)
        super().notify_connect(kernel_id)

    async def cull_kernels(self) -> None:
        known = set(self._kernels)
        self._ever_connected &= known
        self._client_of = {k: c for k, c in self._client_of.items() if k in known}
        await super().cull_kernels()

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        kernel = self._kernels[kernel_id]
        quiet_for = utcnow() - getattr(kernel, "last_activity", utcnow())
        if (
            self.cull_unconnected_timeout > 0
            and kernel_id not in self._ever_connected
            and getattr(kernel, "execution_state", None) != "busy"
            and quiet_for > timedelta(seconds=self.cull_unconnected_timeout)
        ):
            self.log.warning(
                "Culling kernel %s: its page never connected (quiet for %d s)",
                kernel_id,
                quiet_for.total_seconds(),
            )
            await ensure_async(self.shutdown_kernel(kernel_id))
            return
        await super().cull_kernel_if_idle(kernel_id)


class PooledKernels:
    """Mixed in before Voila's pooling manager (``VoilaKernelManager``, itself a ``GuardedKernelManager``):
    a pool kernel goes to a page only when that page fits the caps, and then belongs to its client; the pool
    is refilled once the room has stopped arriving, within the cap."""

    if TYPE_CHECKING:  # what the Voila manager this is mixed into provides
        log: logging.Logger
        max_kernels: int
        refill_after_quiet: float
        kernel_pools_config: dict[str, dict[str, Any]]
        _pools: dict[str | None, list[asyncio.Task[dict[str, Any]]]]
        _kernels: dict[str, Any]
        _client_of: dict[str, str]
        _starting: Counter[str]

        def _over_cap(self, client: str, *, pool_counts: bool = True) -> tuple[str | None, str]: ...
        def _live(self) -> list[str]: ...

    _refill_timers: dict[str | None, asyncio.TimerHandle]
    """Per notebook, the refill waiting for the room to go quiet (set by ``with_pool_caps``)."""

    def get_pool_size(self, notebook_name: str) -> int:
        """What Voila's page handler reads to choose a pool kernel: 0 when this page does not fit the caps."""
        cap, _ = self._over_cap(_current_client(), pool_counts=False)
        return 0 if cap else super().get_pool_size(notebook_name)  # type: ignore[misc]

    def fill_if_needed(
        self, delay: float | None = None, notebook_name: str | None = None, **kwargs: Any
    ) -> None:
        """Voila calls this (``delay=None``) each time a page takes a pool kernel: the refill waits until no
        page has taken one for ``refill_after_quiet`` seconds, each take starting the wait again. An explicit
        ``delay`` fills now. (The first fill, at start-up, ran before this class was mixed in; ``itp serve``
        keeps it in the cap.)"""
        if delay is not None:
            self._refill(notebook_name, delay, kwargs)
            return
        waiting = self._refill_timers.pop(notebook_name, None)
        if waiting is not None:
            waiting.cancel()
        self._refill_timers[notebook_name] = asyncio.get_event_loop().call_later(
            self.refill_after_quiet, self._quiet_refill, notebook_name, kwargs
        )

    def _quiet_refill(self, notebook_name: str | None, kwargs: dict[str, Any]) -> None:
        self._refill_timers.pop(notebook_name, None)
        self._refill(notebook_name, 0, kwargs)

    def _refill(self, notebook_name: str | None, delay: float, kwargs: dict[str, Any]) -> None:
        """Start what the pool lacks, as far as pages + pool stay within ``max_kernels``."""
        pools = self.kernel_pools_config
        key = notebook_name if notebook_name is not None else "default"  # Voila's default for no notebook
        config = dict(pools.get(key, pools.get("default", {})))
        size = int(config.get("pool_size", 1))
        have = len(self._pools.get(notebook_name, ()))
        room = self.max_kernels - self._pages_and_pool() if self.max_kernels else size - have
        target = have + min(size - have, room)
        if size > target:
            self.log.info(
                "Kernel pool %s (%d of its %d kernels): pages and pool fill the cap of %d kernels",
                "refilled in part" if target > have else "not refilled",
                max(target, have),
                size,
                self.max_kernels,
            )
        if target <= have:
            return
        # Voila fills to the configured size; for a partial refill it is shown a smaller one for this one
        # synchronous call (nothing else runs on the event loop in between).
        self.kernel_pools_config = {**pools, key: {**config, "pool_size": target}}
        try:
            super().fill_if_needed(delay=delay, notebook_name=notebook_name, **kwargs)  # type: ignore[misc]
        finally:
            self.kernel_pools_config = pools

    async def shutdown_all(self, *args: Any, **kwargs: Any) -> None:
        for timer in self._refill_timers.values():
            timer.cancel()
        self._refill_timers.clear()
        await super().shutdown_all(*args, **kwargs)  # type: ignore[misc]

    def _pages_and_pool(self) -> int:
        """Kernels running or starting for pages, plus the pool's kernels and the pool's pending starts (a
        kernel just taken from the pool counts as a page; one starting for the pool may count twice)."""
        pooled, pending = set(), 0
        for pool in self._pools.values():
            for task in pool:
                if not task.done():
                    pending += 1
                elif not task.cancelled() and task.exception() is None:
                    pooled.add(task.result()["kernel_id"])
        pages = [k for k in self._live() if k not in pooled]
        return len(pages) + sum(self._starting.values()) + len(pooled) + pending

    async def get_rendered_notebook(self, notebook_name: str, *args: Any, **kwargs: Any) -> Any:
        render_task, rendered, kernel_id = await super().get_rendered_notebook(  # type: ignore[misc]
            notebook_name, *args, **kwargs
        )
        self._client_of[kernel_id] = _current_client()
        kernel = self._kernels.get(kernel_id)
        if kernel is not None:
            kernel.last_activity = utcnow()  # the never-connected clock starts when the page is served
        return render_task, rendered, kernel_id


def with_pool_caps(manager: Any) -> None:
    """Give a running Voila pooling manager ``PooledKernels`` (Voila builds its class inside
    ``init_settings``, so the mix-in goes onto the instance's class there)."""
    cls = type(manager)
    pooling = hasattr(manager, "get_rendered_notebook") and isinstance(manager, GuardedKernelManager)
    if pooling and not issubclass(cls, PooledKernels):
        manager.__class__ = type(f"Pooled{cls.__name__}", (PooledKernels, cls), {})
        manager._refill_timers = {}
