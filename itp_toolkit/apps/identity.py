"""Who a page acts for: one rule for every page, so no page can be talked into acting as someone else.

1. Under JupyterHub, ``$JUPYTERHUB_USER`` always wins: the hub logged that person in and started this server
   for them. Asking (in code or with ``?as=``) for anyone else is refused.
2. ``?as=<username>`` in the page's address (Voila hands the query string to the kernel as
   ``$QUERY_STRING``) is honoured only in a *demo* workspace (``demo: true`` in ``itp-workspace.yaml``, set by
   ``itp demo``), so a visitor can try each role. Anywhere else it is refused with a message saying why:
   on a real server, a URL must never choose the user.
3. Otherwise: the person the code asked for (``user=``), else the workspace's configured user.

In a preheated kernel (``itp serve --preheat``: Voila starts it and runs the page before anyone asks for it)
the query string is not known yet; the first question "who is this page for?" waits until Voila hands the
request over (``voila.utils.wait_for_request``), so a pre-started page is never built for the wrong person.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import parse_qs

from ..errors import PermissionDenied
from ..store.records import USERNAME_PATTERN

HUB_USER_VAR = "JUPYTERHUB_USER"
QUERY_STRING_VAR = "QUERY_STRING"
AS_PARAMETER = "as"
PREHEAT_VAR = "VOILA_PREHEAT"
_request_received = False


def _await_request(environ: Mapping[str, str] | None) -> None:
    """In a preheated Voila kernel, wait (once) for the request's details to reach this environment."""
    global _request_received
    if environ is None and not _request_received and os.environ.get(PREHEAT_VAR) == "True":
        from voila.utils import wait_for_request

        wait_for_request()
        _request_received = True


def requested_in_address(environ: Mapping[str, str] | None = None) -> str | None:
    """The ``?as=`` username in the page's address, if any (last one wins, as in a browser form)."""
    _await_request(environ)
    env = os.environ if environ is None else environ
    values = parse_qs(env.get(QUERY_STRING_VAR, "") or "", keep_blank_values=True).get(AS_PARAMETER)
    if not values:
        return None
    return values[-1].strip()


def resolve_user(
    requested: str | None,
    configured: str | None,
    *,
    demo: bool = False,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The username a page acts for (see the module docstring for the rules, in order)."""
    _await_request(environ)
    env = os.environ if environ is None else environ
    hub_user = env.get(HUB_USER_VAR) or None
    in_address = requested_in_address(env)
    if hub_user is not None:
        for asked in (requested, in_address):
            if asked is not None and asked != hub_user:
                raise PermissionDenied(f"this server belongs to {hub_user}; it cannot act as {asked}")
        return hub_user
    if in_address is not None:
        if not demo:
            raise PermissionDenied(
                "?as= only works in a demo workspace (made by `itp demo`); "
                "here the page acts for the workspace's user. Remove ?as= from the address."
            )
        if not re.fullmatch(USERNAME_PATTERN, in_address):
            raise PermissionDenied("?as= needs a username (letters, digits and . _ @ + -)")
        return in_address
    user = requested or configured
    if not user:
        raise PermissionDenied(
            "no user: run under JupyterHub, set the workspace's user, or pass user= to the page"
        )
    return user


def workspace_user(
    ws: object | None, requested: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str:
    """``resolve_user`` with the configured user and the demo flag read from an opened workspace."""
    config = getattr(ws, "config", None)
    configured = getattr(config, "user", None) or getattr(ws, "user", None)
    demo = bool(getattr(config, "demo", False))
    return resolve_user(requested, configured, demo=demo, environ=environ)
