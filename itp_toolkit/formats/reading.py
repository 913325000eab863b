"""The one guarded way to read a file the user names: regular files only, bounded, UTF-8, one clear error.

A path given to ``itp`` may be a directory, a FIFO (reading it waits forever for a writer), a symlink to
``/dev/zero`` (which reports size 0 and never ends) or simply huge. Opening with ``O_NONBLOCK`` never waits
for a FIFO's writer; ``fstat`` on the opened descriptor (not the name, which could be swapped in between)
refuses anything but a regular file; the size is checked before reading and the read itself is bounded. Every
refusal is an InvalidInput naming the file, which the command line prints as one line.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..errors import InputProblem, InvalidInput

MAX_FILE_BYTES = 2_000_000
"""A case or plan file is a few kilobytes; anything this large is a mistake or an attack."""


def read_text(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of the regular file at ``path`` (symlinks followed), at most ``max_bytes`` long."""
    source = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise _refused("no such file", source) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refused("a symlink loop, not a file", source) from None
        raise _refused(f"cannot open it ({exc.strerror or exc})", source) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refused(f"not a regular file (a {_kind(info.st_mode)})", source)
        if info.st_size > max_bytes:
            raise _refused(f"file is larger than {_size(max_bytes)}", source)
        chunks, total = [], 0
        while True:  # bounded even if the file grows while we read
            chunk = os.read(fd, min(1 << 16, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise _refused(f"file is larger than {_size(max_bytes)}", source)
    except OSError as exc:
        raise _refused(f"cannot read it ({exc.strerror or exc})", source) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refused(f"not UTF-8 text ({exc.reason} at byte {exc.start})", source) from None


def _refused(message: str, source: str) -> InvalidInput:
    return InvalidInput([InputProblem(message, file=source)])


def _size(limit: int) -> str:
    return f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit:,} bytes"


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "directory"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "special file"
