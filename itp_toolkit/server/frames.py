"""Kernel websocket frames, checked within their own bounds before anything parses them.

jupyter_server (2.21.1 here) trusts the counts a frame declares. ``deserialize_msg_from_ws_v1`` reads the
first 8 bytes of a v1 frame as a number of offsets and loops that many times on the server's event loop: a
count of 2**60 in a 72-byte frame stopped the server answering and grew it by ~55 MB/s. The legacy binary
format (``deserialize_binary_message``) builds a struct format string as long as its declared count (up to
2**31). Voila's ``VoilaKernelWebsocketHandler.write_message`` reads every *outgoing* binary frame as v1, also
on the legacy protocol, where the first 8 bytes (a 4-byte big-endian count and the first offset) make a
number near 8.6e17: one image widget's state sent to a legacy client froze the server the same way.

Here a frame's offsets must lie inside the frame and never go backwards, and a frame has a size limit.
"""

from __future__ import annotations

import json
import struct
from typing import Any

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
MAX_FRAME_BYTES = 2 * 1024 * 1024
"""Largest frame a browser may send a kernel. A page sends widget changes (the largest, a plan's text, is
under the store's 500 kB plan limit even JSON-escaped twice); tornado's default is 10 MiB."""
V1_MIN_OFFSETS = 6
"""A v1 frame holds a channel and at least header, parent header, metadata and content: six offsets."""


class FrameRefused(ValueError):
    """A frame that cannot be a kernel message; the connection that sent it is closed."""


def _v1_offsets(frame: bytes) -> tuple[int, ...]:
    if len(frame) < 8:
        raise FrameRefused(f"a v1 frame of {len(frame)} bytes has no offset count")
    count = int.from_bytes(frame[:8], "little")
    table_end = 8 * (count + 1)
    if count < V1_MIN_OFFSETS or table_end > len(frame):
        raise FrameRefused(f"a v1 frame of {len(frame)} bytes declares {count} offsets")
    offsets: tuple[int, ...] = struct.unpack_from(f"<{count}Q", frame, 8)
    _check_offsets(offsets, table_end, len(frame))
    return offsets


def _legacy_offsets(frame: bytes) -> tuple[int, ...]:
    if len(frame) < 4:
        raise FrameRefused(f"a binary frame of {len(frame)} bytes has no buffer count")
    count = struct.unpack_from("!i", frame)[0]
    table_end = 4 * (count + 1)
    if count < 1 or table_end > len(frame):
        raise FrameRefused(f"a binary frame of {len(frame)} bytes declares {count} buffers")
    offsets: tuple[int, ...] = struct.unpack_from(f"!{count}I", frame, 4)
    _check_offsets(offsets, table_end, len(frame))
    return offsets


def _check_offsets(offsets: tuple[int, ...], table_end: int, size: int) -> None:
    if offsets[0] < table_end:
        raise FrameRefused("a frame's first part starts inside its offset table")
    previous = offsets[0]
    for offset in offsets[1:]:
        if offset < previous:
            raise FrameRefused("a frame's offsets go backwards")
        previous = offset
    if previous > size:
        raise FrameRefused(f"a frame's offsets point past its {size} bytes")


def check_incoming(frame: bytes | str, *, v1: bool, max_bytes: int = MAX_FRAME_BYTES) -> None:
    """Refuse a frame from the browser that jupyter_server could not parse safely (``FrameRefused``)."""
    if len(frame) > max_bytes:
        raise FrameRefused(f"a frame of {len(frame)} bytes (the limit is {max_bytes})")
    if v1:
        if not isinstance(frame, bytes):
            raise FrameRefused("a text frame on the v1 protocol, which sends binary frames only")
        _v1_offsets(frame)
    elif isinstance(frame, bytes):
        _legacy_offsets(frame)


def _msg_type(message: bytes | str | dict[str, Any], v1: bool) -> str | None:
    if isinstance(message, dict):
        header = message.get("header")
    elif isinstance(message, bytes):
        if v1:
            offsets = _v1_offsets(message)
            header = json.loads(message[offsets[1] : offsets[2]])
        else:
            offsets = _legacy_offsets(message)
            end = offsets[1] if len(offsets) > 1 else len(message)
            header = json.loads(message[offsets[0] : end]).get("header")
    else:
        header = json.loads(message).get("header")
    return header.get("msg_type") if isinstance(header, dict) else None


def is_execute_input(message: bytes | str | dict[str, Any], *, v1: bool) -> bool:
    """Whether a message going to the browser is an ``execute_input`` (the code a cell ran), which Voila
    never shows. Read within the frame's bounds; a frame that names it but cannot be read is held back too."""
    if not isinstance(message, dict):
        marker: bytes | str = b"execute_input" if isinstance(message, bytes) else "execute_input"
        if marker not in message:  # type: ignore[operator]
            return False
    try:
        return _msg_type(message, v1) == "execute_input"
    except (FrameRefused, ValueError, AttributeError, TypeError):
        return True
