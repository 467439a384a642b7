"""Reading a file only when it is a regular file of a sane size.

Ticket files, attachments and ``lpsectl.yaml`` travel between desks through
git, and anyone can drop anything into ``tickets/``: a symlink to
``/dev/zero`` would be read forever, a FIFO would block the reader. So a
file is opened without following a symlink and without waiting for a
writer, checked on the very descriptor that was opened (no race between a
check and the read), and read up to a limit.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Union

# O_NOFOLLOW and O_NONBLOCK are POSIX; Windows has neither (an lstat first
# stands in for O_NOFOLLOW there, and it has no FIFOs in the file system).
_FLAGS = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
          | getattr(os, "O_NONBLOCK", 0))


class NotRegular(Exception):
    """The path is a symlink, FIFO, device, socket or folder; ``kind`` says which."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(kind)


class TooLarge(Exception):
    """The file is larger than the limit it was read with."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"{size} bytes, more than {limit}")


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_regular(path: Union[str, Path], limit: int) -> tuple[bytes, os.stat_result]:
    """The bytes of ``path`` and the stamps of the file read.

    Raises :class:`NotRegular` for anything but a regular file (never
    following a symlink, never blocking on a FIFO), :class:`TooLarge` past
    ``limit`` bytes, and ``OSError`` as ``open`` does (a missing file).
    """
    if not hasattr(os, "O_NOFOLLOW"):  # pragma: no cover - Windows
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(kind_of(st.st_mode))
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        # ELOOP: a symlink refused by O_NOFOLLOW; ENXIO: a socket; EISDIR ...
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR, errno.EMLINK):
            try:
                st = os.lstat(path)
            except OSError:
                raise exc from None
            if not stat.S_ISREG(st.st_mode):
                raise NotRegular(kind_of(st.st_mode)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(kind_of(st.st_mode))
        if st.st_size > limit:
            raise TooLarge(st.st_size, limit)
        # As large a read as the file (a buffered read of ``limit`` bytes
        # would make a buffer that large for every small file), then on to
        # the end: the size may have grown since fstat.
        parts = []
        total = 0
        while total <= limit:
            want = min(max(st.st_size + 1 - total, 1 << 16), limit + 1 - total)
            chunk = os.read(fd, want)
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
            if len(chunk) < want and total == st.st_size:
                break  # the end, as fstat gave it: asking again would only hear so (a system call per file)
    finally:
        os.close(fd)
    if total > limit:
        raise TooLarge(total, limit)
    return (parts[0] if len(parts) == 1 else b"".join(parts)), st


def is_regular(path: Union[str, Path]) -> bool:
    """Whether ``path`` itself (not what a symlink points to) is a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
