"""Voila as ``itp serve`` runs it: ``python -m itp_toolkit.server NOTEBOOKS --Voila.port=... ...``.

Standalone Voila (``voila.app.Voila``) with:

- a refusal placed before every route for a Host or Origin that is not the address served (``hosts``);
- the token of this run, when ``itp serve`` hands it one (``ITP_SERVE_TOKEN``; workspaces that are not demos):
  Voila's own token login (jupyter_server's identity provider): ``?token=`` once, then a login cookie that
  the page's links and websockets carry; without either a page redirects to a login form;
- tornado's websocket frame-size limit set to ``frames.MAX_FRAME_BYTES``;
- with preheated kernels (Voila's pool), the kernel caps kept for the pool too (``kernels.PooledKernels``);
- a plain page for HTTP 503 (the kernel caps of ``kernels``) that says why, where Voila shows only the code;
- the toolkit's Voila template ``itp`` (``jupyter/voila/templates/itp``: Voila's lab template without its
  Font Awesome links to a CDN) on its template search path, for ``--VoilaConfiguration.template=itp``;
- ``/`` answered with a redirect to the landing page (``index.ipynb``, query string kept, so a first
  ``/?token=...`` still logs in), not Voila's raw list of files.

The frame checks and kernel caps are in the connection and kernel-manager classes named on the command line
(``voila_command``), so that a published app (``itp publish``, plain ``voila`` with ``voila.json``) has them
too.
"""

from __future__ import annotations

import os
from pathlib import Path

from tornado.routing import PathMatches, Rule
from tornado.web import RequestHandler
from traitlets import List, Unicode
from voila.app import Voila

from . import TOKEN_VAR
from .frames import MAX_FRAME_BYTES
from .hosts import Addresses, RefusedHandler, RefusedRequests
from .kernels import with_pool_caps

TEMPLATES = Path(__file__).with_name("templates")
"""The page for HTTP 503 (``503.html``: the server or this client has its kernel cap), after Voila's own."""
JUPYTER_DATA = Path(__file__).with_name("jupyter")
"""A Jupyter data folder holding the ``itp`` Voila template (``voila/templates/itp``)."""
LANDING = "index.ipynb"


class LandingRedirect(RequestHandler):
    """``/`` -> the landing page, keeping the query string (``?token=``, ``?as=``)."""

    def initialize(self, target: str) -> None:
        self.target = target

    def get(self) -> None:
        query = self.request.query
        self.redirect(self.target + (f"?{query}" if query else ""))


def with_template_path(current: str | None) -> str:
    """``JUPYTER_PATH`` with the toolkit's data folder first, so Voila finds the ``itp`` template."""
    parts = [p for p in (current or "").split(os.pathsep) if p and p != str(JUPYTER_DATA)]
    return os.pathsep.join([str(JUPYTER_DATA), *parts])


class ITPVoila(Voila):
    """Standalone Voila that answers only at its own address, with a per-run token when given one."""

    allowed_hosts = List(
        Unicode(),
        config=True,
        help="Extra Host names to answer to (a proxy in front): 'name' or 'name:port'.",
    )

    def initialize(self, argv=None):
        os.environ["JUPYTER_PATH"] = with_template_path(os.environ.get("JUPYTER_PATH"))
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
        with_pool_caps(self.kernel_manager)  # preheated kernels: the pool keeps within the kernel caps
        return settings

    def listen(self):
        """Host/Origin refusal before every route Voila added, then ``/`` -> the landing page; serve."""
        addresses = Addresses.served(self.port, self.allowed_hosts)
        rules = self.app.default_router.rules
        rules.insert(0, Rule(RefusedRequests(addresses), RefusedHandler))
        if not self.notebook_path and (Path(self.root_dir) / LANDING).is_file():
            target = f"{self.base_url}voila/render/{LANDING}"
            rules.insert(1, Rule(PathMatches(r"/?"), LandingRedirect, {"target": target}))
        super().listen()


def main(argv: list[str] | None = None) -> None:
    ITPVoila.launch_instance(argv)
