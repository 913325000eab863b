"""What ``itp publish`` writes for a hub service gets the server protections plain Voila can take from its
``voila.json`` (issue 13): the frame checks and the kernel cap. Run with the README's own command."""

from __future__ import annotations

import json

import pytest

from itp_toolkit.cli import main as itp
from itp_toolkit.cli.serve import REPO_NOTEBOOKS
from tests.server.conftest import legacy_message
from tests.server.test_frame_freeze import IMAGE_PAGE, PAGES, _closed_by_server, _comms, _recv

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


@pytest.fixture
def case_library_app(tmp_path):
    out = tmp_path / "app"
    assert (
        itp(["publish", str(REPO_NOTEBOOKS / "case_library.ipynb"), "--out", str(out), "--max-kernels", "2"])
        == 0
    )
    return out


@pytest.fixture
def measures_app(tmp_path):
    """A published notebook with an Image widget (a measures plot), whose state goes back as binary."""
    out = tmp_path / "measures-app"
    notebook = PAGES / IMAGE_PAGE
    assert itp(["publish", str(notebook), "--out", str(out), "--max-kernels", "2"]) == 0
    return out


def test_a_published_app_refuses_the_freezing_frame_and_keeps_answering(
    published, measures_app, demo_workspace
):
    page = IMAGE_PAGE
    server = published(measures_app, page, demo_workspace)
    ws = server.kernel_socket(server.open_page(page), v1=True)
    ws.send_binary((2**60).to_bytes(8, "little") + bytes(64))
    assert _closed_by_server(ws) and server.answers() and not server.killed_for_memory

    legacy = server.kernel_socket(server.open_page(page))
    for comm in _comms(legacy):
        legacy.send(legacy_message("comm_msg", {"comm_id": comm, "data": {"method": "request_state"}}))
    while not isinstance(message := _recv(legacy), bytes):  # the image's state, a binary frame
        json.loads(message)
    assert server.answers() and not server.killed_for_memory


def test_a_published_app_caps_its_kernels(published, case_library_app, demo_workspace):
    server = published(case_library_app, "case_library.ipynb", demo_workspace)
    server.open_page("case_library.ipynb")
    server.open_page("case_library.ipynb")
    status, _, body = server.get("/", timeout=120)
    assert status == 503 and "Traceback" not in body
    assert len(server.kernels()) == 2
