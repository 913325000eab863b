"""Answer only at the address served: the Host header, and the Origin of browser requests, must name it.

Voila sets ``allow_remote_access`` and answers any Host. A web page on a domain that re-resolves to
127.0.0.1 (DNS rebinding) is then same-origin with ``itp serve``: it can open pages, read them and drive
their kernels as the workspace's user. Refusing every request whose Host is not ``127.0.0.1:PORT`` or
``localhost:PORT`` (or a name the operator allows, for a proxy) stops that; refusing an Origin that is not
one of those addresses stops other sites' pages from opening the kernel websockets.
A request with no Origin (not a browser's cross-site request) passes the Origin check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from markupsafe import escape
from tornado import web
from tornado.routing import Matcher

LOCAL_NAMES = ("127.0.0.1", "localhost")


def _split(host: str) -> tuple[str, str]:
    """("name", "port") of a Host value or an Origin's netloc; port "" when none is given."""
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8866
        name, _, rest = host.partition("]")
        return name + "]", rest.removeprefix(":")
    name, _, port = host.partition(":")
    return name, port


def _with_port(host: str, default_port: int) -> str:
    name, port = _split(host)
    return f"{name}:{port or default_port}"


@dataclass(frozen=True)
class Addresses:
    """The ``host:port`` pairs a server answers to."""

    hosts: frozenset[str]

    @classmethod
    def served(cls, port: int, extra: tuple[str, ...] | list[str] = ()) -> Addresses:
        """127.0.0.1 and localhost on ``port``, and the names in ``extra``: "name:port" for that port only,
        a bare "name" for the default ports (80, 443), as a proxy in front of the server is reached."""
        hosts = {f"{name}:{port}" for name in LOCAL_NAMES}
        for host in extra:
            name, given = _split(host)
            hosts.update([f"{name}:{given}"] if given else [f"{name}:80", f"{name}:443"])
        return cls(frozenset(hosts))

    def host_allowed(self, host: str | None) -> bool:
        return bool(host) and _with_port(host, 80) in self.hosts  # type: ignore[arg-type]

    def origin_allowed(self, origin: str | None) -> bool:
        if origin is None:
            return True
        parts = urlsplit(origin.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null", file:, extensions
        return _with_port(parts.netloc, 443 if parts.scheme == "https" else 80) in self.hosts

    def refusal(self, request: Any) -> str | None:
        """Why a request is refused, or None."""
        if not self.host_allowed(request.headers.get("Host")):
            return "this server answers only at its own address"
        if not self.origin_allowed(request.headers.get("Origin")):
            return "requests from other sites' pages are refused"
        return None


class RefusedRequests(Matcher):
    """Matches the requests ``Addresses.refusal`` refuses (placed before every other route)."""

    def __init__(self, addresses: Addresses):
        self.addresses = addresses

    def match(self, request: Any) -> dict[str, Any] | None:
        why = self.addresses.refusal(request)
        return None if why is None else {"target_kwargs": {"why": why}}


class RefusedHandler(web.RequestHandler):
    """403 with one sentence, for every method (websocket upgrades included)."""

    def initialize(self, why: str) -> None:
        self.why = why

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(f"<!doctype html><title>Refused</title><p>Refused: {escape(self.why)}.</p>\n")
