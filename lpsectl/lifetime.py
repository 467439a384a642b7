"""What a process leaves behind lives no longer than the process.

A file a process writes for a while before putting it in place (the
index's first build) is *held*: made with a name that says which host and
which process made it (``<prefix><host>-<pid>-<token>``), and locked
(``flock``) until its name is gone. A process that dies, however it dies,
lets go of its locks, so a later process tells a file left by the dead
from one still being written by the lock alone, whatever process has
taken the dead one's pid since: :func:`remove_left` removes only the
former. A lock taken on another host may not be seen here (a shared folder
whose file system carries no locks between hosts), so a file made there is
removed only once nothing wrote it for :data:`FOREIGN_STALE` seconds, and
so is one whose lock cannot be asked. On Windows, a file another process
has open cannot be removed at all: that is the lock there.

Worker processes forked while a file is held do not hold its lock, and
:func:`exit_with_parent` makes a worker exit once the process that started
it is gone: a killed parent's workers would otherwise wait for work for
ever, holding its files open (and their disk space with them).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

# Locks of whole files (flock), POSIX only: on Windows an open file cannot be removed, which serves instead.
_POSIX = os.name != "nt"
# A file made on another host (or whose lock cannot be asked) that nothing wrote for this long is taken
# as left by a process that died: a first build writes its file all along, as its pages leave the cache.
FOREIGN_STALE = 3600.0
# How often a worker looks whether the process that started it is still there.
PARENT_POLL = 0.5

# The descriptors of the files this process holds: a forked child closes its copies (_forget_held).
_HELD: set[int] = set()
_AT_FORK = False


def host_tag() -> str:
    """This host's name as it goes into a held file's name: ASCII letters, digits, '.' and '_' only."""
    node = os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")
    return "".join(c if c.isascii() and (c.isalnum() or c in "._") else "_" for c in node)[:64] or "_"


@dataclass
class Held:
    """A file this process made and holds until :meth:`drop`."""

    path: str
    fd: int

    def drop(self, remove: Callable[[str], None]) -> None:
        """Its name removed by ``remove(path)`` (which ignores a name already gone), and the lock let go."""
        _HELD.discard(self.fd)
        if not _POSIX:  # pragma: no cover - an open file cannot be removed there, even by its holder
            os.close(self.fd)
            remove(self.path)
            return
        try:
            remove(self.path)
        finally:
            os.close(self.fd)


def hold_new(prefix: str, mode: int = 0o644) -> Held:
    """A new empty file ``<prefix><host>-<pid>-<token>``, held by this process until :meth:`Held.drop`.

    ``mode`` before the umask (SQLite's for a database it makes). Raises
    OSError when no such file can be made.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(8):
        path = f"{prefix}{host_tag()}-{os.getpid()}-{os.urandom(4).hex()}"
        fd = os.open(path, flags, mode)
        # Between the open and the lock, a :func:`remove_left` elsewhere may have taken the file for one
        # left by the dead: it removes it under its own lock, so the lock fails or the name is gone.
        if _lock(fd) is not False and _same(fd, path):
            _remember(fd)
            return Held(path, fd)
        os.close(fd)
    raise OSError(f"cannot make a file of its own beside {prefix}")


def remove_left(folder: str, names: Iterable[str], prefix: str, remove: Callable[[str], None],
                sidecars: Iterable[str] = (), beside: Optional[str] = None) -> None:
    """Remove each held file of ``names`` (a listing of ``folder``) whose process is gone, by ``remove(path)``.

    ``sidecars``: the endings of the files that go with one (a database's
    ``-wal``), removed by ``remove`` with it. ``beside``: a file never to
    open (the index others read through SQLite, whose locks any descriptor
    this process closes on it would drop): a held file that is the same file
    (linked into place, its maker killed before it removed the name) only
    loses that name. What cannot be opened, asked or removed stays.
    """
    ends = tuple(sidecars)
    here = host_tag()
    seen: set[str] = set()
    for name in names:
        if not name.startswith(prefix):
            continue
        base = next((name[:-len(e)] for e in ends if name.endswith(e)), name)
        if base in seen:
            continue
        seen.add(base)
        path = os.path.join(folder, base)
        try:
            if beside is not None and os.path.samefile(path, beside):
                remove(path)
                continue
        except OSError:
            pass
        parts = base[len(prefix):].split("-")  # [host..., pid, token]; an older lpsectl's: [pid, token]
        _remove_if_gone(path, len(parts) > 2 and "-".join(parts[:-2]) == here, remove)


def _remove_if_gone(path: str, made_here: bool, remove: Callable[[str], None]) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        remove(path)  # its sidecars alone
        return
    except OSError:
        return  # another user's file, or no permission here: it stays
    try:
        locked = _lock(fd)
        if locked is False:
            return  # its maker is at work
        if locked is None or not made_here:
            if time.time() - os.fstat(fd).st_mtime < FOREIGN_STALE:
                return
        if not _same(fd, path):
            return  # removed and made again meanwhile: not the file judged
        if _POSIX:
            remove(path)  # under the lock: its maker, if it was just made, finds the name gone
            return
    finally:
        os.close(fd)
    remove(path)  # pragma: no cover - Windows: once closed here; refused while its maker has it open


def _lock(fd: int) -> Optional[bool]:
    """Take the lock of the file ``fd`` without waiting: True, False when held, None when it cannot be asked."""
    if not _POSIX:  # pragma: no cover
        return None
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError:
        return None  # a file system without locks


def _same(fd: int, path: str) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _remember(fd: int) -> None:
    global _AT_FORK
    _HELD.add(fd)
    if not _AT_FORK and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_forget_held)
        _AT_FORK = True


def _forget_held() -> None:
    """In a forked child: close its copies of the held files, so the lock lasts only as long as its holder."""
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


def exit_with_parent() -> None:
    """In a worker process: exit once the process that started it is gone (killed, it tells nobody).

    Where a parent's death does not change the worker's parent pid
    (Windows), nothing is watched.
    """
    if os.name == "nt":  # pragma: no cover
        return
    import threading

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="lpsectl-parent", daemon=True).start()
