"""The helpdesk lock's file: who holds it, whether that process is gone, breaking a lock left behind.

Apart from :mod:`lpsectl.store`, which takes the lock: only a command that
changes tickets or git takes it, and a listing needs none of this.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

from lpsectl.i18n import _

# A lock older than this is taken as left by a process that died on
# another machine (or whose liveness cannot be checked).
LOCK_STALE_AFTER = 600.0


def pid_alive(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def proc_start(pid: int) -> Optional[str]:
    """When process ``pid`` started (clock ticks since boot, from /proc on Linux); None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count after the last ')'.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def boot_id() -> Optional[str]:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip() or None
    except OSError:
        return None


@dataclass
class LockHolder:
    """What a lock file says of the process that took it.

    The pid alone can be fooled: after a crash the number is given to
    another process, which would keep a dead lock alive for ever. So the
    lock also records when its process started and the boot it ran in
    (Linux's /proc); where those are unknown, liveness of the pid decides.
    """

    pid: int
    host: str
    since: float
    start: Optional[str] = None
    boot: Optional[str] = None

    def text(self) -> str:
        return f"{self.pid} {self.host} {self.since:.0f} {self.start or '-'} {self.boot or '-'}\n"

    @classmethod
    def parse(cls, text: str) -> Optional["LockHolder"]:
        parts = text.split()
        if len(parts) < 2:
            return None
        try:
            pid = int(parts[0])
            since = float(parts[2]) if len(parts) > 2 else 0.0
        except ValueError:
            return None
        opt = [None if p == "-" else p for p in parts[3:5]] + [None, None]
        return cls(pid, parts[1], since, opt[0], opt[1])

    def alive(self) -> bool:
        """True unless the process that took the lock is certainly gone (on this host)."""
        boot = boot_id()
        if self.boot and boot and self.boot != boot:
            return False  # the machine restarted since
        if not pid_alive(self.pid):
            return False
        start = proc_start(self.pid)
        if self.start and start and self.start != start:
            return False  # the pid now belongs to another process
        return True


def holder_text() -> str:
    import socket

    pid = os.getpid()
    return LockHolder(pid, socket.gethostname(), time.time(), proc_start(pid), boot_id()).text()


def busy_message(path: Path) -> str:
    import socket

    try:
        holder = LockHolder.parse(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        holder = None
    if holder is None:
        return _("another lpsectl is working in this helpdesk ({path} is held); try again in a moment").format(path=path)
    since = datetime.fromtimestamp(holder.since).strftime("%H:%M:%S") if holder.since else "?"
    if holder.host == socket.gethostname():
        return _("another lpsectl (process {pid}, since {since}) is working in this helpdesk and holds {path}; "
                 "try again when it has finished").format(pid=holder.pid, since=since, path=path)
    return _("an lpsectl on {host} (process {pid}, since {since}) holds {path}; try again later, or delete that "
             "file if no lpsectl runs there any more").format(host=holder.host, pid=holder.pid, since=since, path=path)


def is_stale(path: Path) -> bool:
    """Whether the lock at ``path`` was left by a process that is gone."""
    import socket

    try:
        text = path.read_text(encoding="utf-8", errors="replace")
        age = time.time() - path.stat().st_mtime
    except OSError:
        return False
    holder = LockHolder.parse(text)
    if holder is None:
        # Being written this instant, or garbage left by a crash.
        return age > 5
    if holder.host == socket.gethostname():
        return not holder.alive()
    return age > LOCK_STALE_AFTER


def break_stale(path: Path) -> None:
    """Remove a stale lock without removing one that a live process just took."""
    grave = path.with_name(f"{path.name}.stale.{os.getpid()}")
    try:
        os.replace(path, grave)
    except OSError:
        return
    # If a live process took the lock between our check and the rename,
    # put its lock back.
    if not is_stale(grave):
        try:
            os.link(grave, path)
        except OSError:
            pass
    try:
        os.unlink(grave)
    except OSError:
        pass
