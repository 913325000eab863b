"""``itp serve`` opens the landing page at ``/`` and its pages link nothing on another host (issue 15.1)."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


def test_the_root_address_redirects_to_the_landing_page_keeping_the_query(served, demo_workspace):
    server = served(demo_workspace)
    status, headers, _ = server.get("/")
    assert status == 302 and headers["location"] == "/voila/render/index.ipynb"
    status, headers, _ = server.get("/?as=ana")
    assert status == 302 and headers["location"] == "/voila/render/index.ipynb?as=ana"
    # The Host check still comes first: a rebinding request for / is refused, not redirected.
    assert server.get("/", headers={"Host": f"evil.example:{server.port}"})[0] == 403


def test_a_page_links_no_stylesheet_or_script_on_another_host(served, demo_workspace):
    server = served(demo_workspace)
    status, _, body = server.get("/voila/render/case_library.ipynb", timeout=120)
    assert status == 200
    external = re.findall(r'(?:href|src)="(https?://[^"]+)"', body)
    assert external == [], external
    assert "fontawesome" not in body.lower() and "cdn.jsdelivr" not in body
