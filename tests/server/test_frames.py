"""Frame checks (``server.frames``): what a browser really sends passes; counts and offsets a frame cannot
hold are refused without being followed; outgoing frames are read within their bounds.

Real frames come from jupyter_server's own serializers (the browser's are the same formats)."""

from __future__ import annotations

import json
import struct

import pytest
from jupyter_client.session import Session
from jupyter_server.services.kernels.connection.base import serialize_binary_message, serialize_msg_to_ws_v1

from itp_toolkit.server.frames import MAX_FRAME_BYTES, FrameRefused, check_incoming, is_execute_input


def _msg(msg_type: str, buffers: tuple[bytes, ...] = ()) -> dict:
    content = {"comm_id": "c1", "data": {"method": "update", "state": {"value": "x"}}}
    msg = json.loads(json.dumps(Session().msg(msg_type, content=content), default=str))
    return msg | {"channel": "shell", "buffers": list(buffers)}


def _v1(msg_type: str, buffers: tuple[bytes, ...] = ()) -> bytes:
    session = Session()
    msg = _msg(msg_type)
    parts = [
        session.pack(msg["header"]),
        session.pack(msg["parent_header"]),
        session.pack(msg["metadata"]),
        session.pack(msg["content"]),
        *buffers,
    ]
    return serialize_msg_to_ws_v1(parts, "shell")


def test_frames_a_browser_sends_pass():
    check_incoming(_v1("comm_msg"), v1=True)
    check_incoming(_v1("comm_msg", (b"\x89PNG" * 1000, b"")), v1=True)
    check_incoming(serialize_binary_message(_msg("comm_msg", (b"\x00" * 100,))), v1=False)
    check_incoming(json.dumps(_msg("comm_msg")), v1=False)


@pytest.mark.parametrize(
    "frame",
    [
        (2**60).to_bytes(8, "little") + bytes(64),  # the freezing frame: 2**60 offsets in 72 bytes
        (5).to_bytes(8, "little") + bytes(64),  # too few parts for a message
        b"\x06\x00\x00",  # no room for a count
    ],
)
def test_v1_frames_with_impossible_counts_are_refused(frame):
    with pytest.raises(FrameRefused):
        check_incoming(frame, v1=True)


def test_v1_offsets_must_stay_inside_the_frame_and_never_go_backwards():
    good = bytearray(_v1("comm_msg"))
    past_end = bytearray(good)
    struct.pack_into("<Q", past_end, 8 * 6, len(good) + 1)  # the last offset
    backwards = bytearray(good)
    struct.pack_into("<Q", backwards, 8 * 3, 0)
    inside_table = bytearray(good)
    struct.pack_into("<Q", inside_table, 8, 8)
    for frame in (past_end, backwards, inside_table):
        with pytest.raises(FrameRefused):
            check_incoming(bytes(frame), v1=True)


def test_text_frames_on_v1_and_legacy_binary_frames_with_impossible_counts_are_refused():
    with pytest.raises(FrameRefused):
        check_incoming("{}", v1=True)
    for count in (2**31 - 1, 0, -1):
        with pytest.raises(FrameRefused):
            check_incoming(struct.pack("!i", count) + bytes(16), v1=False)


def test_a_frame_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(FrameRefused, match="limit"):
        check_incoming(" " * (MAX_FRAME_BYTES + 1), v1=False)
    with pytest.raises(FrameRefused, match="limit"):
        check_incoming(b"x" * 1001, v1=True, max_bytes=1000)


def test_an_outgoing_legacy_binary_frame_is_read_by_its_own_format():
    """Voila read it as v1: the first 8 bytes of a 2-buffer legacy frame make ~8.6e17 "offsets"."""
    image_update = serialize_binary_message(_msg("comm_msg", (b"\x89PNG" * 10_000,)))
    assert int.from_bytes(image_update[:8], "little") > 10**17
    assert not is_execute_input(image_update, v1=False)
    assert is_execute_input(serialize_binary_message(_msg("execute_input", (b"x",))), v1=False)


def test_execute_input_is_held_back_in_every_format():
    assert is_execute_input(_v1("execute_input"), v1=True)
    assert not is_execute_input(_v1("comm_msg"), v1=True)
    assert is_execute_input(json.dumps(_msg("execute_input")), v1=False)
    assert is_execute_input({"header": {"msg_type": "execute_input"}}, v1=False)
    assert not is_execute_input({"header": {"msg_type": "status"}}, v1=False)
    # A frame that names it but cannot be read is held back too.
    assert is_execute_input(b"execute_input" + bytes(8), v1=True)
