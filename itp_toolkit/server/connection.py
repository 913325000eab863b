"""The kernel websocket connection Voila uses for the toolkit's pages
(``Voila.kernel_websocket_connection_class``).

jupyter_server's ``ZMQChannelsWebsocketConnection`` with two changes, both in ``frames``: a frame from the
browser is checked before it is parsed (a bad one closes the connection, code 1008), and frames to the
browser bypass Voila's ``write_message``, which misreads legacy binary frames; its one job, holding back
``execute_input`` (the code a cell ran), is done here within the frame's bounds.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.websocket import WebSocketHandler
from traitlets import Int

from .frames import MAX_FRAME_BYTES, V1_PROTOCOL, FrameRefused, check_incoming, is_execute_input

POLICY_VIOLATION = 1008


class GuardedKernelConnection(ZMQChannelsWebsocketConnection):
    """A kernel websocket connection that refuses frames it cannot parse safely."""

    max_frame_bytes = Int(
        MAX_FRAME_BYTES, config=True, help="Largest frame a browser may send a kernel (bytes)."
    )

    _refused = False

    @property
    def _v1(self) -> bool:
        return self.subprotocol == V1_PROTOCOL

    def handle_incoming_message(self, incoming_msg: Any) -> None:
        if self._refused:
            return
        try:
            check_incoming(incoming_msg, v1=self._v1, max_bytes=self.max_frame_bytes)
        except FrameRefused as refused:
            self._refused = True
            self.log.warning(
                "Closed the websocket of kernel %s from %s: %s",
                self.kernel_id,
                self.websocket_handler.request.remote_ip,
                refused,
            )
            self.websocket_handler.close(POLICY_VIOLATION, "message refused")
            return
        super().handle_incoming_message(incoming_msg)

    @property
    def write_message(self):
        """What the connection sends the browser with (jupyter_server calls ``self.write_message``)."""
        return self._write_to_browser

    def _write_to_browser(self, message: Any, binary: bool = False) -> Any:
        if is_execute_input(message, v1=self._v1):
            return None
        # tornado's own write, not Voila's override (``VoilaKernelWebsocketHandler.write_message``): see
        # frames.
        return WebSocketHandler.write_message(self.websocket_handler, message, binary=binary)
