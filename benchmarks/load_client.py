"""A trainee page opened without a browser: what Voila's page and its widget manager do, message by message.

``open_page`` fetches a page as a browser does (the Voila-rendered HTML, with the server's token in the URL
when it has one; Host and Origin those of the address served), opens the page's kernel websocket and then does
what ipywidgets' manager does on page open (``@jupyter-widgets/base-manager`` 8, which Voila 0.5 runs):

1. a ``kernel_info_request``, as the kernel connection does when it connects;
2. the widgets' states in one message over the ``jupyter.widget.control`` comm (``request_states``); when the
   kernel does not answer within 4 s (a busy server), the manager falls back to a ``comm_info_request`` and a
   ``request_state`` to every model at once: the burst of requests (and replies) the browser then makes;
3. "interactive" when the models include the case picker and the workshop join box, both enabled (what the
   browser benchmark waits for on screen);
4. the first interaction: picking a case in the case picker and pressing "Open case", which opens the
   trainee's plan in the editor, and waiting for the kernel to finish with it.

Every message is counted. A widget that another widget names (``IPY_MODEL_...``) but whose state never
arrived is a *missing model* (what a browser shows as "widget model not found"). With the kernel numbering
its IOPub messages (``ITP_IOPUB_SEQ=1``, ``itp_toolkit.server.page_kernel``) the messages published while the
client listened but never received are counted exactly: *lost*.

    .venv/bin/python benchmarks/load_client.py URL [URL ...]   # each URL opened at once; prints one line each
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import struct
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

SEQ_HEADER = (
    "itp_iopub_seq"  # itp_toolkit.server.page_kernel.SEQ_HEADER (benchmarks do not import the server)
)
CONTROL_TIMEOUT = 4.0
"""Seconds the widget manager waits for ``update_states`` before falling back to one request per model."""
PICKER_CLASS = "itp-case-picker"
JOIN_CLASS = "itp-join-code"
OPEN_CLASS = "itp-open-case"
HEADER_CLASS = "itp-trainee-header"
SYNC_TIMEOUT = 60.0
Starve = Callable[[], Awaitable[None]]
MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


@dataclass
class PageOpen:
    """What one page open took and what arrived."""

    url: str
    kernel_id: str = ""
    fetched: float | None = None  # s from start: the page's HTML complete
    states: float | None = None  # s: every widget's state received
    interactive: float | None = None  # s: case picker and join box present and enabled
    opened_plan: float | None = None  # s: the kernel finished opening the picked case's plan
    fallback: bool = False  # the control comm did not answer in time: one request per model
    control_started: float | None = None  # s from sending request_states to the kernel's busy for it
    control_reply: float | None = None  # s from sending request_states to its reply (even a late one)
    models: int = 0
    requested: int = 0  # request_state messages sent (fallback only)
    replies: int = 0  # their replies received
    plan_models: int = 0  # widgets opened by the first interaction
    iopub: int = 0  # IOPub messages received
    lost: int | None = None  # numbered IOPub messages never received (None: the kernel does not number them)
    missing_models: int = 0  # widgets named by another widget, never received
    header: str = ""  # the page's heading (whose plans these are): identity reached the kernel
    control_sent: float = 0.0  # perf_counter when request_states was sent
    control_request: str = ""  # its message id
    errors: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return not self.errors and not self.lost and not self.missing_models and self.interactive is not None


class KernelSocket:
    """A kernel websocket (jupyter_server's legacy JSON protocol) that records everything the kernel sends."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, session: str):
        self.ws, self.session = ws, session
        self.seqs: set[int] = set()
        self.iopub = 0
        self.models: dict[str, dict[str, Any]] = {}  # comm_id -> {"model_name":..., "state": {...}}
        self.by_parent: dict[str, list[dict[str, Any]]] = {}
        self._waiters: list[tuple[Any, asyncio.Future[dict[str, Any]]]] = []
        self._reader = asyncio.create_task(self._read())

    def send(self, channel: str, msg_type: str, content: dict[str, Any], metadata: dict | None = None) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.session,
            "username": "load-client",
            "date": "",
            "version": "5.3",
        }
        message = {
            "header": header,
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": channel,
            "buffers": [],
        }
        asyncio.ensure_future(self.ws.send_str(json.dumps(message)))
        return msg_id

    def wait_for(self, predicate, timeout: float) -> asyncio.Future[dict[str, Any]]:
        """A message matching ``predicate`` (one already received counts)."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        for messages in self.by_parent.values():
            for msg in messages:
                if predicate(msg):
                    future.set_result(msg)
                    return asyncio.ensure_future(asyncio.wait_for(future, timeout))
        self._waiters.append((predicate, future))
        return asyncio.ensure_future(asyncio.wait_for(future, timeout))

    async def idle(self, msg_id: str, timeout: float) -> dict[str, Any]:
        """The kernel's idle status for request ``msg_id``: everything the request caused was published."""
        return await self.wait_for(
            lambda m: (
                m["header"]["msg_type"] == "status"
                and m["parent_header"].get("msg_id") == msg_id
                and m["content"].get("execution_state") == "idle"
            ),
            timeout,
        )

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type == aiohttp.WSMsgType.TEXT:
                msg = json.loads(frame.data)
            elif frame.type == aiohttp.WSMsgType.BINARY:
                msg = _legacy_binary(frame.data)
            else:
                break
            self._record(msg)

    def _record(self, msg: dict[str, Any]) -> None:
        msg["arrived"] = time.perf_counter()
        if msg.get("channel") == "iopub":
            self.iopub += 1
            seq = msg["header"].get(SEQ_HEADER)
            if isinstance(seq, int):
                self.seqs.add(seq)
            kind = msg["header"]["msg_type"]
            content = msg.get("content") or {}
            if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                self.models[content["comm_id"]] = dict(content.get("data") or {})
            elif kind == "comm_msg":
                data = content.get("data") or {}
                if data.get("method") == "update" and content.get("comm_id") in self.models:
                    self.models[content["comm_id"]].setdefault("state", {}).update(data.get("state") or {})
        self.by_parent.setdefault(msg.get("parent_header", {}).get("msg_id", ""), []).append(msg)
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(msg):
                future.set_result(msg)
                self._waiters.remove((predicate, future))

    def lost(self) -> int | None:
        """Numbered messages between the first and the last received that never arrived."""
        if not self.seqs:
            return None
        return max(self.seqs) - min(self.seqs) + 1 - len(self.seqs)

    def missing_models(self) -> int:
        named = set()
        for model in self.models.values():
            named.update(MODEL_REF.findall(json.dumps(model.get("state") or {})))
        return len(named - set(self.models))

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()


def _legacy_binary(data: bytes) -> dict[str, Any]:
    """jupyter_server's legacy binary frame: count, offsets, the JSON message, then its buffers."""
    (count,) = struct.unpack_from("!I", data, 0)
    offsets = list(struct.unpack_from(f"!{count}I", data, 4))
    end = offsets[1] if count > 1 else len(data)
    return json.loads(data[offsets[0] : end])


def _with_classes(models: dict[str, dict[str, Any]], css: str) -> dict[str, Any] | None:
    for comm_id, model in models.items():
        state = model.get("state") or {}
        if css in (state.get("_dom_classes") or ()):
            return {"comm_id": comm_id, **state}
    return None


def _interactive(models: dict[str, dict[str, Any]]) -> bool:
    picker, join = _with_classes(models, PICKER_CLASS), _with_classes(models, JOIN_CLASS)
    return bool(picker and join and not picker.get("disabled") and not join.get("disabled"))


async def open_page(
    http: aiohttp.ClientSession,
    url: str,
    *,
    limit: float = 180.0,
    pick_case: bool = True,
    case_label: str = "",
    opens: int = 1,
    starve: Starve | None = None,
    before_interacting: Starve | None = None,
    hold: asyncio.Event | None = None,
) -> PageOpen:
    """Open ``url`` as a browser would (see the module docstring) and open the case's plan ``opens`` times.
    ``before_interacting`` is awaited once the page is interactive (a benchmark waits there for every page,
    to measure opening apart from the first interaction). ``starve``, if given, is awaited each time the
    kernel has started building the plan: a test stops the server there for a while (a server too busy to
    read its kernels, reproducibly). With ``hold``, keep the websocket open until it is set (the page stays
    open, as in a browser tab). Never raises: failures are in ``errors``."""
    result = PageOpen(url)
    start = time.perf_counter()
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    kernel: KernelSocket | None = None
    try:
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=limit)) as response:
            html = await response.text()
            if response.status != 200:
                result.errors.append(f"HTTP {response.status}")
                return result
        result.fetched = time.perf_counter() - start
        found = KERNEL_ID.search(html)
        if not found:
            result.errors.append("no kernel id in the page")
            return result
        result.kernel_id = found.group(1)
        session = uuid.uuid4().hex
        ws_url = (
            f"{origin.replace('http', 'ws', 1)}/api/kernels/{result.kernel_id}/channels?session_id={session}"
        )
        ws = await http.ws_connect(ws_url, headers={"Origin": origin}, max_msg_size=0)
        kernel = KernelSocket(ws, session)
        info = kernel.send("shell", "kernel_info_request", {})
        await kernel.wait_for(
            lambda m: (
                m["header"]["msg_type"] == "kernel_info_reply" and m["parent_header"].get("msg_id") == info
            ),
            limit,
        )
        await _load_states(kernel, result, limit - (time.perf_counter() - start))
        result.states = time.perf_counter() - start
        result.header = str((_with_classes(kernel.models, HEADER_CLASS) or {}).get("value", ""))
        if _interactive(kernel.models):
            result.interactive = result.states
        else:
            result.errors.append("no enabled case picker and join box among the page's widgets")
        if before_interacting is not None:
            await before_interacting()
        if pick_case and result.interactive is not None:
            before = len(kernel.models)
            if await _open_case(kernel, case_label, limit, opens, starve):
                result.opened_plan = time.perf_counter() - start
                result.plan_models = len(kernel.models) - before
            else:
                result.errors.append("no case to pick")
    except TimeoutError:
        result.errors.append(f"timed out after {time.perf_counter() - start:.0f} s")
    except (aiohttp.ClientError, OSError, KeyError, ValueError) as exc:
        result.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        if kernel is not None:
            # A last request: its idle status is the newest numbered message, so every loss before it counts.
            try:
                await kernel.idle(kernel.send("shell", "kernel_info_request", {}), SYNC_TIMEOUT)
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                result.errors.append(f"no answer to the last request ({type(exc).__name__})")
            result.iopub, result.lost = kernel.iopub, kernel.lost()
            _control_timing(kernel, result)
            result.models, result.missing_models = len(kernel.models), kernel.missing_models()
            if hold is not None and not result.errors:
                await hold.wait()
            await kernel.close()
    return result


async def _open_case(
    kernel: KernelSocket, case_label: str, limit: float, times: int = 1, starve: Starve | None = None
) -> bool:
    """Pick a case in the case picker (the first whose label contains ``case_label``) and press "Open case"
    (``times`` times, each after opening another case, so each builds the editor anew), as a trainee does;
    return once the kernel has finished. ``starve`` is awaited as soon as the kernel starts on each press of
    the chosen case (see ``open_page``)."""
    picker = _with_classes(kernel.models, PICKER_CLASS) or {}
    button = _with_classes(kernel.models, OPEN_CLASS)
    labels = list(picker.get("_options_labels") or [])
    chosen = next((i for i, label in enumerate(labels) if label and case_label in label), None)
    if chosen is None or button is None:
        return False
    other = next((i for i, label in enumerate(labels) if label and i != chosen), None)

    async def press(index: int, starving: Starve | None) -> None:
        pick = kernel.send(
            "shell",
            "comm_msg",
            {
                "comm_id": picker["comm_id"],
                "data": {"method": "update", "state": {"index": index}, "buffer_paths": []},
            },
        )
        await kernel.idle(pick, limit)
        click = kernel.send(
            "shell",
            "comm_msg",
            {"comm_id": button["comm_id"], "data": {"method": "custom", "content": {"event": "click"}}},
        )
        if starving is not None:
            await kernel.wait_for(
                lambda m, click=click: (
                    m["header"]["msg_type"] == "status" and m["parent_header"].get("msg_id") == click
                ),
                limit,
            )
            await starving()
        await kernel.idle(click, limit)

    for _ in range(times):
        # The page keeps an already open case as it is (and reopens the last one after a reload), so
        # another case is opened first: each press on the chosen case then builds its editor anew.
        if other is not None:
            await press(other, None)
        await press(chosen, starve)
    return True


def _control_timing(kernel: KernelSocket, result: PageOpen) -> None:
    """When the kernel began on the bulk state request and when its answer arrived (late ones too: the
    widget manager has given up on it by then, but the kernel did the work)."""
    for msg in kernel.by_parent.get(result.control_request, ()):
        kind, content = msg["header"]["msg_type"], msg.get("content") or {}
        if kind == "status" and content.get("execution_state") == "busy":
            result.control_started = msg["arrived"] - result.control_sent
        elif kind == "comm_msg" and (content.get("data") or {}).get("method") == "update_states":
            result.control_reply = msg["arrived"] - result.control_sent


async def _load_states(kernel: KernelSocket, result: PageOpen, limit: float) -> None:
    """The widget manager's ``_loadFromKernel``: every model's state, one message or one request each."""
    control = uuid.uuid4().hex
    kernel.send(
        "shell",
        "comm_open",
        {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
        metadata={"version": "1.0.0"},
    )
    result.control_sent = time.perf_counter()
    result.control_request = kernel.send(
        "shell", "comm_msg", {"comm_id": control, "data": {"method": "request_states"}}
    )
    try:
        reply = await kernel.wait_for(
            lambda m: (
                m["header"]["msg_type"] == "comm_msg"
                and m["content"].get("comm_id") == control
                and (m["content"].get("data") or {}).get("method") == "update_states"
            ),
            CONTROL_TIMEOUT,
        )
    except TimeoutError:
        reply = None
    if reply is not None:
        kernel.send("shell", "comm_close", {"comm_id": control, "data": {}})
        for comm_id, model in reply["content"]["data"]["states"].items():
            kernel.models.setdefault(comm_id, {}).update(model)
        return
    # Fallback, as the browser does: the comms the kernel has, then every state at once.
    result.fallback = True
    info = kernel.send("shell", "comm_info_request", {"target_name": "jupyter.widget"})
    comms = await kernel.wait_for(
        lambda m: m["header"]["msg_type"] == "comm_info_reply" and m["parent_header"].get("msg_id") == info,
        limit,
    )
    asked = {}
    for comm_id in comms["content"]["comms"]:
        asked[kernel.send("shell", "comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})] = (
            comm_id
        )
    result.requested = len(asked)

    def answered() -> int:
        return sum(
            1
            for msg_id in asked
            for m in kernel.by_parent.get(msg_id, ())
            if m["header"]["msg_type"] == "comm_msg"
            and (m["content"].get("data") or {}).get("method") == "update"
        )

    for msg_id, comm_id in asked.items():
        await kernel.idle(msg_id, limit)  # each request's idle: its reply was published before it
        kernel.models.setdefault(comm_id, {})
    for msg_id, comm_id in asked.items():
        for m in kernel.by_parent.get(msg_id, ()):
            data = m["content"].get("data") or {}
            if m["header"]["msg_type"] == "comm_msg" and data.get("method") == "update":
                kernel.models[comm_id].setdefault("state", {}).update(data.get("state") or {})
    result.replies = answered()


async def open_pages(urls: list[str], limit: float = 180.0, **options: Any) -> list[PageOpen]:
    """Every URL opened at once, each in its own HTTP session (its own cookies, as separate browsers);
    ``options`` as ``open_page`` takes them."""

    async def one(url: str) -> PageOpen:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            return await open_page(http, url, limit=limit, **options)

    return list(await asyncio.gather(*(one(u) for u in urls)))


def summary(r: PageOpen) -> str:
    def s(x: float | None) -> str:
        return f"{x:6.1f}" if x is not None else "     -"

    return (
        f"fetched {s(r.fetched)} s  interactive {s(r.interactive)} s  plan {s(r.opened_plan)} s  "
        f"models {r.models:5}  iopub {r.iopub:5}  lost {r.lost if r.lost is not None else '-':>4}  "
        f"missing {r.missing_models:3}  fallback {'yes' if r.fallback else 'no '}  "
        f"states asked: begun {s(r.control_started)} s, answered {s(r.control_reply)} s  "
        f"{'; '.join(r.errors)[:120]}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--limit", type=float, default=180.0)
    parser.add_argument("--no-pick", action="store_true", help="do not pick a case (no plan opened)")
    args = parser.parse_args()
    for r in asyncio.run(open_pages(args.urls, args.limit, pick_case=not args.no_pick)):
        print(summary(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
