"""DNS rebinding and other sites' pages (issue 13, item 2): ``itp serve`` answers only at its own address,
and a workspace that is not a demo needs this run's token.

A raw HTTP client sets the Host header a rebinding page's requests carry (``evil.example:PORT``); a raw
websocket client sets the Origin another site's page would send.
"""

from __future__ import annotations

import pytest
import websocket

from tests.server.conftest import kernel_id

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


def _ws_refused(server, kernel: str, **options) -> bool:
    try:
        server.kernel_socket(kernel, **options).close()
    except websocket.WebSocketBadStatusException as refused:
        return refused.status_code in (401, 403)
    return False


def test_a_request_for_another_host_name_is_refused_and_starts_no_kernel(served, demo_workspace):
    server = served(demo_workspace)
    evil = {"Host": f"evil.example:{server.port}"}
    status, _, body = server.get("/voila/render/index.ipynb", headers=evil)
    assert status == 403 and "kernelId" not in body
    assert server.get("/voila/render/index.ipynb", headers={"Host": "evil.example"})[0] == 403
    assert (
        server.get(
            "/voila/render/index.ipynb?as=ana", headers={"Host": f"127.0.0.1.evil.example:{server.port}"}
        )[0]
        == 403
    )
    assert server.kernels() == []
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}"):
        assert server.get("/voila/render/index.ipynb", headers={"Host": host})[0] == 200


def test_a_kernel_websocket_from_another_sites_page_is_refused(served, demo_workspace):
    server = served(demo_workspace)
    kernel = server.open_page("case_library.ipynb")
    port = server.port
    # Rebinding: the page's own origin and Host are both the attacker's name.
    assert _ws_refused(server, kernel, host=f"evil.example:{port}", origin=f"http://evil.example:{port}")
    # Another site's page calling this server directly.
    assert _ws_refused(server, kernel, origin="http://evil.example")
    assert _ws_refused(server, kernel, origin="null")
    # The page itself (and a non-browser client, which sends no Origin) still connect.
    server.kernel_socket(kernel, origin=f"http://127.0.0.1:{port}").close()
    server.kernel_socket(kernel, suppress_origin=True).close()


def test_a_private_workspace_needs_the_token_printed_for_this_run(served, private_workspace):
    server = served(private_workspace)
    assert server.token, "itp serve printed no token for a workspace that is not a demo"
    assert not [p for p in server.processes().values() if server.token in " ".join(p.cmdline())], (
        "token shown by ps"
    )

    status, headers, body = server.get("/voila/render/index.ipynb")
    assert status in (302, 403) and "kernelId" not in body  # to the login form, no page
    assert server.kernels() == []
    assert server.get("/voila/render/index.ipynb?token=not-the-token")[0] in (302, 403)

    status, headers, body = server.get(f"/voila/render/index.ipynb?token={server.token}")
    assert status == 200 and "kernelId" in body
    cookie = headers["set-cookie"].split(";")[0]
    # The cookie carries the login to the page's links and its websocket.
    status, _, body = server.get("/voila/render/case_library.ipynb", headers={"Cookie": cookie})
    assert status == 200
    kernel = kernel_id(body)
    server.kernel_socket(kernel, cookie=cookie).close()
    assert _ws_refused(server, kernel)
