"""Derived bytes kept on disk between processes: each page's kernel is a new process, and a picture every
trainee of a case sees the same (the scores plot of a case at a week) need be drawn only once.

``ByteCache(folder)`` keeps one file per key (``<key>.bin``; an empty ``<key>.lock`` beside it). A file holds
a short header, the SHA-256 of its content and the content, written to a temporary sibling and moved into
place (``os.replace``), so a reader sees a whole file or none, however many kernels write at once. Anything
wrong with a file (unreadable, truncated, another format) reads as a miss, and a folder that cannot be made or
written to only means nothing is kept: a cache never turns into an error on a page.

A miss is made once, not once per process: a workshop room opens 30 pages of the same case in the same
second, and each would draw the same plot (about 0.3 CPU-s) before any had kept it. ``get_or_make`` takes
a lock (``flock`` on ``<key>.lock``) while it makes; the others wait for it, then read. The wait is bounded
(``LOCK_WAIT``): a maker that hangs or a folder where locks do not work means drawing it oneself.

``user_cache_dir(name)``: where the toolkit keeps such files when there is no workspace to keep them in
(``$ITP_CACHE_DIR``, else ``$XDG_CACHE_HOME``, else ``~/.cache``, then ``itp-toolkit/<name>``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

if sys.platform != "win32":
    import fcntl
else:  # pragma: no cover - no flock: every process makes its own
    fcntl = None

CACHE_DIR_VAR = "ITP_CACHE_DIR"
LOCK_WAIT = 20.0
"""Seconds a process waits for another to make what it needs before making it itself."""
_LOCK_POLL = 0.02
_MAGIC = b"ITP-CACHE-1\n"
_DIGEST = 32  # bytes of SHA-256
_KEY = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]{0,127}")


def user_cache_dir(name: str) -> Path:
    """The per-user cache folder for ``name`` (not created here)."""
    root = os.environ.get(CACHE_DIR_VAR) or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "itp-toolkit" / name


class ByteCache:
    """Bytes by key in ``directory``; keys are file-name safe (letters, digits, ``_ . -``; a digest)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.directory / f"{key}.bin"

    def get(self, key: str) -> bytes | None:
        """The bytes kept under ``key``, or None when there are none or the file is not whole."""
        try:
            raw = self.path(key).read_bytes()
        except OSError:
            return None
        head = len(_MAGIC) + _DIGEST
        if len(raw) < head or not raw.startswith(_MAGIC):
            return None
        data = raw[head:]
        return data if hashlib.sha256(data).digest() == raw[len(_MAGIC) : head] else None

    def put(self, key: str, data: bytes) -> bool:
        """Keep ``data`` under ``key`` (atomically); False if it could not be written."""
        path = self.path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(_MAGIC + hashlib.sha256(data).digest() + data)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            return False
        return True

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The bytes under ``key``; on a miss, ``make()``'s, kept for next time (one process makes them while
        the others wait, see the module's docstring)."""
        data = self.get(key)
        if data is not None:
            return data
        with self._making(key):
            data = self.get(key)  # made by the process that held the lock
            if data is None:
                data = make()
                self.put(key, data)
        return data

    @contextlib.contextmanager
    def _making(self, key: str) -> Iterator[None]:
        """Hold ``key``'s lock while inside, if it can be had within ``LOCK_WAIT`` (else go on without)."""
        fd = -1
        if fcntl is not None:
            with contextlib.suppress(OSError):
                self.directory.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path(key).with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fd >= 0:
                deadline = time.monotonic() + LOCK_WAIT
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            break
                        time.sleep(_LOCK_POLL)
                    except OSError:
                        break
            yield
        finally:
            if fd >= 0:
                os.close(fd)  # releases the lock


__all__ = ["CACHE_DIR_VAR", "LOCK_WAIT", "ByteCache", "user_cache_dir"]
