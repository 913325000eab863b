"""The kernel a page runs in: ipykernel with room for a page's burst of IOPub messages.

Opening a large plan sends well over a thousand widget messages at once (a ``comm_open`` per widget, state
updates, a busy/idle pair per request). They travel kernel -> server over a ZeroMQ PUB/SUB pipe whose
high-water mark is 1,000 messages on each side by default; when the server's event loop is slow to read
(many pages opening at once), ZeroMQ *drops* whatever the full pipe cannot hold, silently: the page meets
boxes whose children it never heard of and comes up without its editor (docs/deploy.md, "Lost widget
messages"). Here the kernel's IOPub socket gets a far higher mark (``IOPUB_HWM``): a bound, not
"unlimited", so a kernel cannot grow without end. The kernel's (sending) side is the one that drops:
measured with the server stopped for 15 s while a page opened a full plan, 650 messages were lost with both
marks at 1,000, 650 with only the server's raised, none with only the kernel's raised (docs/deploy.md).

With ``ITP_IOPUB_SEQ=1`` in its environment (benchmarks and the stress test only) every IOPub message's
header carries ``itp_iopub_seq``, a counter of the messages this kernel published, so a client can count
the ones that never arrived (``benchmarks/load_client.py``). Clients ignore header fields they do not know.

``PageKernelSpecManager`` (``VoilaConfiguration.kernel_spec_manager_class``) starts the Python kernel as
``python -m itp_toolkit.server.page_kernel`` instead of ``python -m ipykernel_launcher``; ``--preload``
(``PreloadingKernelSpecManager``, for preheated kernels) imports the pages' modules before the kernel
answers, so that a pre-started kernel has that work done before anyone opens a page.
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Any

import zmq
from ipykernel.iostream import BackgroundSocket, IOPubThread
from ipykernel.kernelapp import IPKernelApp
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpec, KernelSpecManager
from jupyter_client.session import Session
from traitlets import default

IOPUB_HWM = 100_000
"""Messages the kernel's IOPub socket may hold for a slow reader (ZeroMQ's default: 1,000). A full plan opens
with about 1,500; a few of those at once per kernel is the most a page sends."""
HWM_VAR = "ITP_IOPUB_HWM"
"""Environment variable overriding ``IOPUB_HWM`` in the kernel (docs/deploy.md's measurement sets 1000)."""
SEQ_VAR = "ITP_IOPUB_SEQ"
SEQ_HEADER = "itp_iopub_seq"
PRELOAD_FLAG = "--preload"
PRELOADED = ("ipywidgets", "itp_toolkit.apps.trainee", "itp_toolkit.services.workspace")
MODULE = "itp_toolkit.server.page_kernel"


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

    def init_iopub(self, context: zmq.Context) -> None:
        # The mark must be set before the socket binds; ipykernel creates and binds it in one method, so
        # it is given as the context's default for the one socket made there and taken back after.
        context.setsockopt(zmq.SNDHWM, int(os.environ.get(HWM_VAR) or IOPUB_HWM))
        try:
            super().init_iopub(context)
        finally:
            context.sockopts.pop(zmq.SNDHWM, None)


def preload() -> None:
    """The trainee page's imports (the toolkit, pydantic models, ipywidgets, SQLAlchemy), done before the
    kernel answers: a preheated kernel's head start. Only imports: nothing here depends on who opens it."""
    import importlib

    for module in PRELOADED:
        importlib.import_module(module)


class PageKernelSpecManager(KernelSpecManager):
    """Kernel specs as Jupyter finds them, except that the Python kernel runs as ``page_kernel``."""

    preload = False

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec = super().get_kernel_spec(kernel_name)
        if kernel_name.lower() == NATIVE_KERNEL_NAME:
            spec.argv = page_kernel_argv(preload=self.preload)
        return spec


class PreloadingKernelSpecManager(PageKernelSpecManager):
    """``PageKernelSpecManager`` whose kernels preload the pages' modules (for preheated kernels)."""

    preload = True


def page_kernel_argv(*, preload: bool = False) -> list[str]:
    return [sys.executable, "-m", MODULE, *([PRELOAD_FLAG] if preload else []), "-f", "{connection_file}"]


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if PRELOAD_FLAG in args:
        args.remove(PRELOAD_FLAG)
        preload()
    PageKernelApp.launch_instance(args)


if __name__ == "__main__":
    main()
