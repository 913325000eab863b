"""Stopping ``itp serve`` stops all of it (issue 13, item 4): Voila and every kernel it started.

Kernels run in sessions of their own, so a signal to ``itp serve``'s process group does not reach them; before
the fix SIGTERM left Voila and each kernel running, re-parented to init. Pages are opened (their kernels
start), one keeps its websocket open, then ``itp serve`` is signalled and every process recorded under it
must be gone within the bound (zombies, which run nothing, count as gone).
"""

from __future__ import annotations

import signal
import time

import psutil
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

STOP_GUARD = 90
"""Seconds allowed for the whole stop (a hang guard: Voila gets 20 s, then the rest is killed)."""


def _running(processes: dict[int, psutil.Process]) -> list[str]:
    left = []
    for proc in processes.values():
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{proc.pid} {' '.join(proc.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            pass
    return left


def _open_pages(server) -> dict[int, psutil.Process]:
    server.open_page("case_library.ipynb")
    kept = server.kernel_socket(server.open_page("index.ipynb"))
    kept.recv()
    processes = server.processes()
    assert len(server.kernels()) == 2 and len(processes) >= 3, processes  # Voila and two kernels
    return processes


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_stop_signal_to_itp_serve_leaves_no_process_of_the_server(served, demo_workspace, sig):
    server = served(demo_workspace)
    processes = _open_pages(server)
    server.process.send_signal(sig)
    server.process.wait(timeout=STOP_GUARD)
    deadline = time.monotonic() + STOP_GUARD
    while _running(processes) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _running(processes) == [], "left running after itp serve stopped"
    assert server.process.returncode == 0


def test_killing_itp_serve_outright_still_stops_voila_and_its_kernels(served, demo_workspace):
    """SIGKILL cannot be caught: Voila is started to get SIGTERM when its parent dies, and stops its
    kernels."""
    server = served(demo_workspace)
    processes = _open_pages(server)
    server.process.kill()
    server.process.wait(timeout=STOP_GUARD)
    deadline = time.monotonic() + STOP_GUARD
    while _running(processes) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _running(processes) == [], "left running after itp serve was killed"
