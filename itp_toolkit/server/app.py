"""Voila as ``itp serve`` runs it: ``python -m itp_toolkit.server NOTEBOOKS --Voila.port=... ...``.

Standalone Voila (``voila.app.Voila``) with:

- a refusal placed before every route for a Host or Origin that is not the address served (``hosts``);
- the token of this run, when ``itp serve`` hands it one (``ITP_SERVE_TOKEN``; workspaces that are not demos):
  Voila's own token login (jupyter_server's identity provider): ``?token=`` once, then a login cookie that
  the page's links and websockets carry; without either a page redirects to a login form;
- tornado's websocket frame-size limit set to ``frames.MAX_FRAME_BYTES``;
- a plain page for HTTP 503 (the kernel caps of ``kernels``) that says why, where Voila shows only the code.

The frame checks and kernel caps are in the connection and kernel-manager classes named on the command line
(``voila_command``), so that a published app (``itp publish``, plain ``voila`` with ``voila.json``) has them too.
"""

from __future__ import annotations

import os
from pathlib import Path

from tornado.routing import Rule
from traitlets import List, Unicode
from voila.app import Voila  # type: ignore[import-untyped]

from . import TOKEN_VAR
from .frames import MAX_FRAME_BYTES
from .hosts import Addresses, RefusedHandler, RefusedRequests

TEMPLATES = Path(__file__).with_name("templates")
"""The page for HTTP 503 (``503.html``: the server or this client has its kernel cap), found after Voila's own."""


class ITPVoila(Voila):
    """Standalone Voila that answers only at its own address, with a per-run token when given one."""

    allowed_hosts = List(
        Unicode(),
        config=True,
        help="Extra Host names to answer to (a proxy in front): 'name' or 'name:port'.",
    )

    def initialize(self, argv=None):
        super().initialize(argv)
        token = os.environ.pop(TOKEN_VAR, "")  # popped: kernels get a copy of this process's environment
        if token:
            self.token = token

    def setup_template_dirs(self):
        super().setup_template_dirs()
        self.template_paths.append(str(TEMPLATES))

    def init_settings(self):
        settings = super().init_settings()
        settings["websocket_max_message_size"] = MAX_FRAME_BYTES
        return settings

    def listen(self):
        """Put the Host/Origin refusal before every route Voila added, then serve."""
        addresses = Addresses.served(self.port, self.allowed_hosts)
        self.app.default_router.rules.insert(0, Rule(RefusedRequests(addresses), RefusedHandler))
        super().listen()


def main(argv: list[str] | None = None) -> None:
    ITPVoila.launch_instance(argv)
