"""One websocket frame must not freeze ``itp serve`` (issue 13, item 1), on either kernel protocol.

Against a real ``itp serve`` and a raw websocket client, as an attacker would do it: open a page (its kernel
starts), connect to the kernel's websocket, send what no browser sends, then ask the server for a static file.
Before the fix the server stopped answering at once and grew without bound (the conftest's watchdog kills it).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
import websocket

from tests.server.conftest import legacy_message

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


PAGES = Path(__file__).with_name("pages")
"""A folder of pages for these tests, served with ``itp serve --notebooks``."""
IMAGE_PAGE = "image_widget.ipynb"
"""A page with an ipywidgets Image (binary state), as a notebook author may compose one. (The toolkit's
own pages, the measures example among them, show their plots as HTML images with a text alternative.)"""


def _closed_by_server(ws: websocket.WebSocket) -> bool:
    """Whether the server closes the socket (read until it does, within the hang guard)."""
    try:
        while True:
            opcode, _ = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return True
    except websocket.WebSocketTimeoutException:
        return False


def test_a_v1_frame_declaring_2_to_the_60_offsets_is_refused_and_the_server_keeps_answering(
    served, demo_workspace
):
    server = served(demo_workspace)
    ws = server.kernel_socket(server.open_page("case_library.ipynb"), v1=True)
    assert ws.subprotocol == "v1.kernel.websocket.jupyter.org"
    ws.send_binary((2**60).to_bytes(8, "little") + bytes(64))
    closed = _closed_by_server(ws)  # waits (within the hang guard) for the server to deal with the frame
    assert server.answers(), "the server stopped answering after one websocket frame"
    assert closed, "the connection that sent the frame stays open"
    assert not server.killed_for_memory


@pytest.mark.parametrize(
    "frame",
    [
        struct.pack("!i", 2**31 - 1) + bytes(16),  # legacy binary: 2**31-1 buffers declared
        struct.pack("!i", 2) + struct.pack("!II", 12, 10**9) + b"{}",  # an offset past the frame's end
    ],
)
def test_a_legacy_binary_frame_with_impossible_offsets_is_refused(served, demo_workspace, frame):
    server = served(demo_workspace)
    ws = server.kernel_socket(server.open_page("case_library.ipynb"))
    ws.send_binary(frame)
    assert _closed_by_server(ws)
    assert server.answers() and not server.killed_for_memory


def _recv(ws: websocket.WebSocket) -> str | bytes:
    try:
        return ws.recv()
    except websocket.WebSocketTimeoutException:
        pytest.fail("the server stopped sending on the websocket (frozen?)")


def _comms(ws: websocket.WebSocket) -> list[str]:
    ws.send(legacy_message("comm_info_request", {"target_name": "jupyter.widget"}))
    while True:
        message = _recv(ws)
        if isinstance(message, str) and json.loads(message)["header"]["msg_type"] == "comm_info_reply":
            return list(json.loads(message)["content"]["comms"])


def _legacy_binary_json(frame: bytes) -> dict:
    count = struct.unpack_from("!i", frame)[0]
    offsets = struct.unpack_from(f"!{count}I", frame, 4)
    return json.loads(frame[offsets[0] : offsets[1]])


def test_an_image_widget_state_sent_on_the_legacy_protocol_does_not_freeze_the_server(served, demo_workspace):
    """An Image widget's state goes back as a binary frame, which Voila's write_message misread as v1 and
    looped ~8.6e17 times on. (The toolkit's pages showed one until their plots became HTML images.)"""
    server = served(demo_workspace, "--notebooks", str(PAGES))
    ws = server.kernel_socket(server.open_page(IMAGE_PAGE))
    assert ws.subprotocol is None  # the legacy protocol
    comms = _comms(ws)
    for comm in comms:
        ws.send(legacy_message("comm_msg", {"comm_id": comm, "data": {"method": "request_state"}}))
    images = []
    replies = 0
    while replies < len(comms):
        message = _recv(ws)
        msg = _legacy_binary_json(message) if isinstance(message, bytes) else json.loads(message)
        if msg["header"]["msg_type"] == "comm_msg" and msg["content"]["data"].get("method") == "update":
            replies += 1
            if msg["content"]["data"]["state"].get("_model_name") == "ImageModel":
                images.append(message)
    assert images and all(isinstance(m, bytes) for m in images), "the image's state came back as binary"
    assert server.answers() and not server.killed_for_memory


def test_a_burst_of_image_state_requests_leaves_the_server_answering_with_bounded_memory(
    served, demo_workspace
):
    server = served(demo_workspace, "--notebooks", str(PAGES))
    ws = server.kernel_socket(server.open_page(IMAGE_PAGE))
    comms = _comms(ws)
    for comm in comms:  # find the image's comm
        ws.send(legacy_message("comm_msg", {"comm_id": comm, "data": {"method": "request_state"}}))
    image = None
    while image is None:
        message = _recv(ws)
        if isinstance(message, bytes):
            msg = _legacy_binary_json(message)
            if msg["content"]["data"]["state"].get("_model_name") == "ImageModel":
                image = msg["content"]["comm_id"]
    request = legacy_message("comm_msg", {"comm_id": image, "data": {"method": "request_state"}})
    for _ in range(2000):  # and never read the answers
        ws.send(request)
    assert server.answers(), "the server stopped answering during a burst of state requests"
    assert not server.killed_for_memory
