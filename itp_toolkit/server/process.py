"""Run the server as a child and stop all of it: Voila and every kernel it started.

A kernel is started in a session of its own (jupyter_client's ``start_new_session``), so it is in neither
Voila's process group nor ``itp serve``'s: killing ``itp serve`` (what a service manager's SIGTERM did)
left Voila and every kernel running, re-parented to init. Here ``itp serve``:

- becomes a child subreaper (Linux ``PR_SET_CHILD_SUBREAPER``): a kernel whose parent dies is re-parented
  to ``itp serve``, not to init, so it can still be found and stopped;
- starts Voila with ``PR_SET_PDEATHSIG``: if ``itp serve`` itself is killed (SIGKILL), Voila gets SIGTERM
  and stops its kernels;
- on SIGTERM, SIGINT or SIGHUP forwards SIGTERM to Voila (which shuts its kernels down), waits up to
  ``grace`` seconds, then SIGKILLs it, and then stops every process still under it (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PROC = Path("/proc")


def _prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False  # not Linux: fall back to the snapshot of Voila's descendants


def _die_with_parent() -> None:  # runs in the child between fork and exec
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, or None if it is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def alive(pid: int, started: int | None = None) -> bool:
    """Whether ``pid`` runs (a zombie does not), and is the process that started at ``started`` if given."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z" and (started is None or stat[2] == started)


def descendants(root: int) -> dict[int, int]:
    """Every live process under ``root`` (children, their children, ...), as {pid: start time}."""
    children: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] != "Z":
                children.setdefault(stat[1], []).append(int(entry.name))
                starts[int(entry.name)] = stat[2]
    found: dict[int, int] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if pid not in found:
            found[pid] = starts[pid]
            todo.extend(children.get(pid, []))
    return found


def _reap() -> None:
    """Collect exit statuses of re-parented children (we are their subreaper) so none stays a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def stop_processes(processes: dict[int, int], grace: float) -> None:
    """SIGTERM each process still alive (same pid and start time), wait up to ``grace`` s, then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        left = [pid for pid, started in processes.items() if alive(pid, started)]
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while left and time.monotonic() < deadline:
            _reap()
            left = [pid for pid in left if alive(pid, processes[pid])]
            if left:
                time.sleep(0.1)
        if not left:
            return


def run_supervised(command: list[str], env: dict[str, str], *, grace: float = 20.0) -> int:
    """Run ``command`` until it exits or this process is told to stop; leave nothing of it running.

    Returns the command's exit status, or 0 when it was stopped by a signal to this process."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    # preexec_fn is safe here: ``itp serve`` runs no other thread when it forks.
    child = subprocess.Popen(command, env=env, start_new_session=True, preexec_fn=_die_with_parent)  # noqa: PLW1509
    snapshot: dict[int, int] = {}
    asked_at: list[float] = []

    def stop(signum, frame) -> None:
        snapshot.update(descendants(child.pid))  # Voila's kernels, found before Voila goes and they move
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL if asked_at else signal.SIGTERM)  # a second signal: at once
        asked_at.append(time.monotonic())

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        while True:
            try:
                code = child.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if asked_at and time.monotonic() - asked_at[0] > grace:
                    child.kill()  # Voila did not stop (a frozen event loop cannot): the rest is done below
    finally:
        # Whatever is left: kernels re-parented to us (subreaper) or found before Voila went.
        stop_processes({**snapshot, **descendants(os.getpid())}, grace=5.0)
        _reap()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if asked_at else code
