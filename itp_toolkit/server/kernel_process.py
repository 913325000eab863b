"""The page kernel's process: ipykernel's app with a high IOPub high-water mark and, when asked, numbered
IOPub messages; in a preheated kernel, ipywidgets' comm targets registered once the kernel exists. Imported
only by ``page_kernel.main``, in the kernel process: importing ipykernel is not harmless (it changes how the
importing process makes comms)."""

from __future__ import annotations

import itertools
import os
import sys
from typing import Any

import zmq
from ipykernel.iostream import BackgroundSocket, IOPubThread
from ipykernel.kernelapp import IPKernelApp
from jupyter_client.session import Session
from traitlets import default

from .iopub import HWM_VAR, IOPUB_HWM, SEQ_HEADER, SEQ_VAR


class SequencedSession(Session):
    """A session that numbers the IOPub messages it sends (``SEQ_HEADER``), for counting losses."""

    _iopub_seq = itertools.count(1)  # next() on a count is atomic under the GIL: threads may share it

    def send(self, stream: Any, msg_or_type: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(stream, BackgroundSocket | IOPubThread):
            if isinstance(msg_or_type, dict):
                msg_or_type = {**msg_or_type, "header": dict(msg_or_type["header"])}
            else:
                msg_or_type = self.msg(
                    msg_or_type,
                    content=kwargs.pop("content", args[0] if args else None),
                    parent=kwargs.pop("parent", args[1] if len(args) > 1 else None),
                    header=kwargs.pop("header", None),
                    metadata=kwargs.pop("metadata", None),
                )
                args = args[2:]
            msg_or_type["header"][SEQ_HEADER] = next(self._iopub_seq)
        return super().send(stream, msg_or_type, *args, **kwargs)


class PageKernelApp(IPKernelApp):
    """ipykernel's app with a high IOPub high-water mark (and numbered IOPub messages when asked)."""

    @default("session")
    def _default_session(self) -> Session:
        numbered = os.environ.get(SEQ_VAR) == "1"
        return (SequencedSession if numbered else Session)(parent=self)

    def initialize(self, argv: Any = None) -> None:
        super().initialize(argv)
        widgets = sys.modules.get("ipywidgets")
        if widgets is not None:
            # Imported before the kernel existed (``page_kernel.preload``): ipywidgets registers its comm
            # targets on import only when it finds a running kernel, so without this a preheated page never
            # answers the widget manager's one request for every widget's state ("jupyter.widget.control"),
            # and the browser falls back after 4 s to one request per widget (600 messages for a page).
            widgets.register_comm_target()

    def init_iopub(self, context: zmq.Context) -> None:
        # The mark must be set before the socket binds; ipykernel creates and binds it in one method, so
        # it is given as the context's default for the one socket made there and taken back after.
        context.setsockopt(zmq.SNDHWM, int(os.environ.get(HWM_VAR) or IOPUB_HWM))
        try:
            super().init_iopub(context)
        finally:
            context.sockopts.pop(zmq.SNDHWM, None)
