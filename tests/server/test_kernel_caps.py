"""Kernel floods (issue 13, item 3): live kernels are capped per server and per client address, a page beyond
the cap gets a polite HTTP 503 page, and a page that never connects its websocket loses its kernel soon.

Plain GETs, as the flood did (every GET of a page starts a kernel). Other client addresses are what a proxy on
this machine reports in X-Forwarded-For (see ``server.kernels``).
"""

from __future__ import annotations

import time

import pytest

from tests.server.conftest import ANSWER_TIMEOUT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(500)]

CULL_GUARD = 90
"""Seconds allowed for the culler (a hang guard: it runs every second with --cull-unconnected 4)."""


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def _refused_politely(server, headers=None) -> str:
    status, response_headers, body = server.get(
        "/voila/render/case_library.ipynb", headers=headers, timeout=120
    )
    assert status == 503, f"expected 503, got {status}"
    assert response_headers["content-type"].startswith("text/html")
    assert "Traceback" not in body and "kernelId" not in body
    return body


def test_pages_beyond_the_client_and_server_caps_are_refused_and_the_kernel_count_stays_bounded(
    served, demo_workspace
):
    server = served(demo_workspace, "--max-kernels", "3", "--max-kernels-per-client", "2")
    server.open_page("case_library.ipynb")
    server.open_page("case_library.ipynb")
    assert "2 pages open" in _refused_politely(server)  # this client's third page
    server.open_page("case_library.ipynb", headers=_from("10.0.0.2"))  # another client: the server's third
    assert "server is busy" in _refused_politely(server, _from("10.0.0.3"))  # the server is full for everyone
    assert len(server.kernels()) == 3
    assert server.answers()


def test_a_closed_pages_kernel_makes_room_for_the_same_clients_next_page(served, demo_workspace):
    server = served(demo_workspace, "--max-kernels-per-client", "2")
    first = server.open_page("case_library.ipynb")
    server.kernel_socket(first).close()  # the tab was open, then closed: Voila keeps its kernel
    second = server.open_page("case_library.ipynb")
    server.kernel_socket(second).recv()  # still open
    server.open_page("case_library.ipynb")  # over the cap of 2: the closed page's kernel goes instead
    assert len(server.kernels()) == 2
    assert "2 pages open" in _refused_politely(server)  # now both of this client's pages are live


def test_a_page_that_never_connects_loses_its_kernel_and_a_connected_one_keeps_it(served, demo_workspace):
    server = served(demo_workspace, "--cull-unconnected", "4")
    connected = server.open_page("case_library.ipynb")
    ws = server.kernel_socket(connected)
    server.open_page("case_library.ipynb")  # fetched by a script: its websocket never opens
    assert len(server.kernels()) == 2
    deadline = time.monotonic() + CULL_GUARD
    while len(server.kernels()) > 1 and time.monotonic() < deadline:
        ws.ping()
        time.sleep(1)
    assert len(server.kernels()) == 1, "the never-connected page's kernel was not culled"
    ws.settimeout(ANSWER_TIMEOUT)
    ws.ping()
    assert "never connected" in server.log()
