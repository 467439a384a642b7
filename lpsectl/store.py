"""The helpdesk folder: finding it, ids, loading, atomic saving, the lock.

Tickets live in ``tickets/YYYY/MM/<id>.yaml`` (the year and month of the
id), so no folder grows past a month's tickets and a full id finds its file
without a scan.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import stat
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from lpsectl import config as configmod
from lpsectl import ticketfile
from lpsectl.clock import Calendar, zone
from lpsectl.errors import BadInput, Damaged, LockBusy, LpseError, NotFound, Refused
from lpsectl.gitrepo import GitRepo, find_root
from lpsectl.model import Ticket

# Digits and capitals a caller cannot mishear or misread: no 0/O, 1/I/L.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RANDOM_LEN = 6
ID_RE = re.compile(rf"^(\d{{2}})(\d{{2}})-([{ALPHABET}]{{4,7}})$")
_PREFIX_RE = re.compile(rf"^[0-9{ALPHABET}-]{{1,12}}$")
LOCK_NAME = "lpsectl.lock"
LOCK_WAIT = 120.0
# A lock older than this is taken as left by a process that died on
# another machine (or whose liveness cannot be checked).
LOCK_STALE_AFTER = 600.0


def find_home(start: Path, explicit: Optional[str] = None) -> Path:
    if explicit:
        home = Path(explicit).expanduser()
        if not (home / configmod.CONFIG_NAME).is_file():
            raise NotFound(f"{home} is not a helpdesk folder (no {configmod.CONFIG_NAME}); run `lpsectl init {home}`")
        return home.resolve()
    start = start.resolve()
    for p in (start, *start.parents):
        if (p / configmod.CONFIG_NAME).is_file():
            return p
    raise NotFound(
        f"no helpdesk folder here or above ({configmod.CONFIG_NAME} not found); "
        "run `lpsectl init` or pass --home DIR"
    )


def normalise_id(text: str) -> str:
    return str(text).strip().upper()


# Wraps the files a load has to parse, e.g. in a progress bar.
Track = Callable[[list[Path]], Iterable[Path]]


@dataclass
class Loaded:
    """What a scan of the tickets found: healthy tickets and damage."""

    tickets: list[Ticket]
    damaged: list[Damaged]


class Helpdesk:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = configmod.load(root / configmod.CONFIG_NAME)
        self.tz = zone(self.config.timezone)
        self.calendar = Calendar.from_config(self.config)
        self.tickets_dir = root / "tickets"
        git_root = find_root(root)
        self.git: Optional[GitRepo] = GitRepo(git_root) if git_root else None
        if self.git is not None:
            from lpsectl import merge  # merge imports this module

            merge.ensure(self)  # a clone made by `git clone` lacks the merge driver

    # -- paths and ids ---------------------------------------------------
    def path_for(self, tid: str) -> Path:
        m = ID_RE.match(tid)
        if not m:
            raise BadInput(f"{tid!r} is not a ticket id (like 2611-K7QMXZ)")
        return self.tickets_dir / f"20{m.group(1)}" / m.group(2) / f"{tid}.yaml"

    def ticket_files(self) -> Iterator[Path]:
        """Every ``*.yaml`` below ``tickets/``, in a stable order."""
        for dirpath, names in self._ticket_names():
            for name in names:
                yield Path(dirpath) / name

    def _ticket_names(self) -> Iterator[tuple[str, list[str]]]:
        """Each folder below ``tickets/`` with its ticket file names: :meth:`ticket_files` as strings."""
        if not self.tickets_dir.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(self.tickets_dir):
            # Mail attachments live in attachments/<id>/ beside the tickets.
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "attachments")
            yield dirpath, sorted(n for n in filenames if n.endswith(".yaml") and not n.startswith("."))

    def all_ids(self) -> list[str]:
        return [name[:-len(".yaml")].upper() for _, names in self._ticket_names() for name in names]

    def resolve(self, text: str, candidates: Optional[Callable[[str], list[str]]] = None) -> str:
        """The full id for an id or an unambiguous prefix of it or of its random part.

        ``candidates(prefix)``: the ids of files whose id or random part
        starts with the prefix (the index's lookup); without it, every file
        name is walked.
        """
        want = normalise_id(text)
        if not want or not _PREFIX_RE.match(want) or want.strip("-") == "":
            raise BadInput(f"{text!r} is not a ticket id (like 2611-K7QMXZ)")
        if ID_RE.match(want) and self.path_for(want).is_file():
            return want
        found = candidates(want) if candidates is not None else self.all_ids()
        matches = sorted({
            tid for tid in found
            if tid.startswith(want) or tid.partition("-")[2].startswith(want)
        })
        if not matches:
            raise NotFound(f"no ticket {text!r}; `lpsectl list --all` shows the ids")
        if len(matches) > 1:
            shown = ", ".join(matches[:10]) + (" ..." if len(matches) > 10 else "")
            raise NotFound(f"{text!r} matches {len(matches)} tickets: {shown}; give more characters")
        return matches[0]

    def new_id(self, created_at: datetime) -> str:
        """A fresh id of the month ``created_at`` falls in, not used before here."""
        local = created_at.astimezone(self.tz)
        stem = f"{local:%y%m}-"
        for _ in range(1000):
            tid = stem + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LEN))
            if not self.path_for(tid).exists():
                return tid
        raise LockBusy("could not find a free ticket id; check the tickets folder")  # pragma: no cover

    # -- reading ---------------------------------------------------------
    def rel(self, path: Path) -> str:
        try:
            return os.path.relpath(path, Path.cwd())
        except ValueError:  # another drive on Windows
            return str(path)

    def read(self, path: Path) -> Ticket:
        return read_ticket(path, self.rel(path))

    def read_checked(self, path: Path) -> Ticket:
        """:meth:`read`, and the file must be in its place: a copy elsewhere duplicates or hides it."""
        t = self.read(path)
        if path.parent != self.path_for(t.id).parent or path.stem != t.id:
            raise Damaged(self.rel(path), 2, f"ticket {t.id} belongs in {self.rel(self.path_for(t.id))}")
        return t

    def _read_text(self, path: Path) -> str:
        return _read_text(path, self.rel(path))

    def load(self, text: str, candidates: Optional[Callable[[str], list[str]]] = None) -> Ticket:
        tid = self.resolve(text, candidates)
        path = self.path_for(tid)
        if not path.is_file():
            # Found by a file name outside its place (moved by hand, wrong case).
            stray = next((p for p in self.ticket_files() if p.stem.upper() == tid), path)
            raise Damaged(self.rel(stray), None, f"ticket {tid} belongs in {self.rel(path)}; move it there")
        return self.read(path)

    def load_all(self, track: Optional[Track] = None) -> Loaded:
        """Every ticket file parsed (the index is :mod:`lpsectl.index`'s; this reads the truth)."""
        return self.load_files(self.ticket_files(), track)

    def load_files(self, files: Iterable[Path], track: Optional[Track] = None) -> Loaded:
        """Every ticket of ``files`` that reads cleanly, and the damage, in file order."""
        paths = list(files)
        tickets: list[Ticket] = []
        damaged: list[Damaged] = []
        for path in track(paths) if track else paths:
            try:
                tickets.append(self.read_checked(path))
            except Damaged as exc:
                damaged.append(exc)
        return Loaded(tickets, damaged)

    def message_ids_by_file(self) -> Iterator[tuple[Path, list[str]]]:
        """Each ticket file with the Message-IDs its text names, from the index where it can.

        A file's text is scanned, not parsed: a damaged ticket's mails are known too.
        """
        if os.environ.get("LPSECTL_NO_INDEX") != "1":
            from lpsectl.index import Index, IndexUnavailable

            try:
                ix = Index(self)
                ix.refresh()
                yield from ix.message_ids()
                ix.close()
                return
            except IndexUnavailable:
                pass
        for path in self.ticket_files():
            try:
                text = self._read_text(path)
            except (OSError, Damaged):
                continue
            yield path, ticketfile.message_ids_in(text)

    # -- writing ---------------------------------------------------------
    def save(self, t: Ticket) -> Path:
        path = self.path_for(t.id)
        try:
            atomic_write(path, ticketfile.dumps(t).encode("utf-8"))
        except OSError as exc:  # tickets/ is a file, the disk is full or read-only, ...
            raise LpseError(f"cannot write {self.rel(path)}: {exc.strerror or exc}; "
                            "check the helpdesk folder, then try again") from None
        return path

    def commit(self, paths: list[Path], message: str, operator: str) -> bool:
        """Commit ``paths`` as ``operator``; False when there is no git or nothing changed."""
        if self.git is None:
            return False
        busy = self.git.operation_in_progress()
        if busy:
            # A commit now would land on the rebase's (or merge's) work and be
            # lost when it is aborted: refuse, and the caller undoes the write.
            raise Refused(f"git is in the middle of {busy} in {self.git.root}: finish it or abort it "
                          "(git status says how), then run this again; nothing was written")
        return self.git.commit(paths, message, operator)

    # -- the lock --------------------------------------------------------
    def lock_path(self) -> Path:
        if self.git is not None and (self.git.root / ".git").is_dir():
            return self.git.root / ".git" / LOCK_NAME
        d = self.root / ".lpsectl"
        d.mkdir(exist_ok=True)
        return d / LOCK_NAME

    @contextmanager
    def locked(self, wait: float = LOCK_WAIT) -> Iterator[None]:
        path = self.lock_path()
        me = f"{os.getpid()} {socket.gethostname()} {time.time():.0f}\n"
        deadline = time.monotonic() + wait
        delay = 0.01
        while True:
            try:
                fd = os.open(str(path), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if _stale(path):
                    _break(path)
                    continue
                if time.monotonic() > deadline:
                    raise LockBusy(
                        f"another lpsectl is working in this helpdesk ({path} is held); "
                        "try again, or delete that file if no lpsectl is running"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 1.5, 0.2)
                continue
            with os.fdopen(fd, "w") as f:
                f.write(me)
            break
        try:
            _recover_imports(self)
            yield
        finally:
            try:
                os.unlink(path)
            except FileNotFoundError:  # pragma: no cover - broken by hand
                pass


def _read_text(path: Path, rel: str) -> str:
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Damaged(rel, None, "not UTF-8 text") from None


def read_ticket(path: Path, rel: str) -> Ticket:
    """Parse and check the ticket file ``path``; :class:`Damaged` names it ``rel``.

    A function of the file alone (no helpdesk), so ``check`` can run it in
    several processes.
    """
    t = ticketfile.loads(_read_text(path, rel), rel)
    if not ID_RE.match(t.id):
        raise Damaged(rel, 2, f"id {t.id!r} is not a valid ticket id")
    if t.id != path.stem.upper():
        raise Damaged(rel, 2, f"id {t.id!r} does not match the file name {path.name}")
    return t


def _recover_imports(hd: "Helpdesk") -> None:
    """Roll back (or finish) an import that was killed; one stat when there is none."""
    if (hd.root / ".lpsectl").is_dir():
        from lpsectl.intake.staging import recover_if_needed

        recover_if_needed(hd)


def _pid_alive(pid: int) -> bool:
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


def _stale(path: Path) -> bool:
    try:
        text = path.read_text()
        age = time.time() - path.stat().st_mtime
    except OSError:
        return False
    parts = text.split()
    if len(parts) < 2:
        # Being written this instant, or garbage left by a crash.
        return age > 5
    try:
        pid = int(parts[0])
    except ValueError:
        return age > 5
    if parts[1] == socket.gethostname():
        return not _pid_alive(pid)
    return age > LOCK_STALE_AFTER


def _break(path: Path) -> None:
    """Remove a stale lock without removing one that a live process just took."""
    grave = path.with_name(f"{path.name}.stale.{os.getpid()}")
    try:
        os.replace(path, grave)
    except OSError:
        return
    # If a live process took the lock between our check and the rename,
    # put its lock back.
    if not _stale(grave):
        try:
            os.link(grave, path)
        except OSError:
            pass
    try:
        os.unlink(grave)
    except OSError:
        pass


def _file_mode(path: Path) -> int:
    """The permissions ``path`` keeps (when it exists) or gets from the umask, as any program's new file.

    mkstemp makes its file 0600 whatever the umask: a recap copied to a web
    server, or a ticket another account reads, would be unreadable.
    """
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
        os.umask(mask)
        return 0o666 & ~mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write, flush, fsync, rename: the file is the old one or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        if hasattr(os, "fchmod"):  # POSIX; on Windows a new file is readable as it is
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if os.name != "nt":
        try:
            dfd = os.open(str(path.parent), os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:  # pragma: no cover - some filesystems refuse
            pass
