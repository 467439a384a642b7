"""All or nothing on disk: stage every file, then move them into place.

An import writes every file under ``.lpsectl/import-<pid>-<tag>/files/``
(git-ignored, on the same filesystem as ``tickets/``, so a move is one
rename). Nothing under ``tickets/`` changes until every file is staged.
Then a journal lists the destinations, the staged files are moved in with
``os.replace`` (each file complete or absent; a folder with no counterpart
under ``tickets/`` yet, a new month, in one move), a ``moved`` marker is
written, and the caller commits.

A run killed before the journal leaves only its staging folder. A run
killed during the moves leaves some files in place: the next lpsectl
command that takes the helpdesk lock rolls it back (:func:`recover`):
files it had moved in are removed, tickets it had replaced are restored
from the backups kept in the staging folder. A run killed after the
``moved`` marker had done all its file work: the next command finishes it
by making its commit. The lock makes this safe: an import holds it from
its first staged file to its commit, so a staging folder found by a
process that holds the lock belongs to a dead run.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from lpsectl.errors import Damaged
from lpsectl.regularfile import is_regular, kind_of
from lpsectl.store import Helpdesk, atomic_write, not_regular_problem

STAGING_PREFIX = "import-"
JOURNAL = "journal.json"
MOVED = "moved"


def _flush_all() -> None:
    """Make everything written so far durable (POSIX); Windows fsyncs per file."""
    if hasattr(os, "sync"):
        os.sync()


def write_staged(path: str, data: bytes, made: set[str]) -> None:
    """Write one staged file (its folder made once: ``made`` remembers the folders)."""
    parent = os.path.dirname(path)
    if parent not in made:
        os.makedirs(parent, exist_ok=True)
        made.add(parent)
    # os.open, not open(): a file object asks the file for its stat, tty
    # state and position first, three system calls more for each of 100,000 files.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if not hasattr(os, "sync"):  # pragma: no cover - Windows
            os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class Staging:
    hd: Helpdesk
    dir: Path
    # Destinations relative to the helpdesk root (POSIX form), and whether
    # each replaces an existing file (whose backup is kept).
    entries: dict[str, bool] = field(default_factory=dict)
    _dirs: set[str] = field(default_factory=set)
    installed: bool = False
    # The commit before the import (under the lock only the import's own commit moves it).
    head: Optional[str] = None

    @classmethod
    def create(cls, hd: Helpdesk) -> "Staging":
        d = hd.root / ".lpsectl" / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(3)}"
        d.mkdir(parents=True)
        return cls(hd, d, head=hd.git.head() if hd.git is not None else None)

    def _staged(self, rel: str) -> Path:
        return self.dir / "files" / rel

    def has(self, dest: Path) -> bool:
        return self._rel(dest) in self.entries

    def _rel(self, dest: Union[Path, str]) -> str:
        # Plain string work: pathlib's relative_to costs more than the write at 100,000 files.
        root, full = str(self.hd.root), str(dest)
        if full.startswith(root + os.sep):
            return full[len(root) + 1:].replace(os.sep, "/")
        return Path(dest).relative_to(self.hd.root).as_posix()

    def add(self, dest: Union[Path, str], data: bytes, fresh: bool = False) -> None:
        """Stage ``data`` to become ``dest``; staging one path again replaces it."""
        rel = self.note(dest, fresh)
        write_staged(os.path.join(str(self.dir), "files", *rel.split("/")), data, self._dirs)

    def staged_folder(self, folder: Union[Path, str]) -> str:
        """Where the files of ``folder`` are staged: a process that writes them there calls :meth:`note` for each."""
        return os.path.join(str(self.dir), "files", *self._rel(folder).split("/"))

    def note(self, dest: Union[Path, str], fresh: bool = False) -> str:
        """Take ``dest`` among the files to move in (its file staged by :meth:`add` or by another process).

        ``fresh``: ``dest`` is known to be absent, so it is not looked for (a
        new ticket's file, its id drawn under the lock from its folder's
        listing: one stat less per file, 100,000 of them in a large import).
        """
        rel = self._rel(dest)
        if rel not in self.entries:
            replaces = not fresh and os.path.lexists(dest)
            if replaces and not is_regular(dest):
                # A symlink or FIFO is never read (copying /dev/zero would never end).
                raise Damaged(rel, None, not_regular_problem(kind_of(os.lstat(dest).st_mode)))
            if replaces:
                backup = self.dir / "backup" / rel
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(dest, backup)
            self.entries[rel] = replaces
        return rel

    def install(self, message: str, operator: str) -> list[str]:
        """Move every staged file into place; returns the destinations."""
        _flush_all()
        journal = {"message": message, "operator": operator,
                   "entries": [[rel, rep] for rel, rep in self.entries.items()]}
        atomic_write(self.dir / JOURNAL, json.dumps(journal, ensure_ascii=False).encode("utf-8"))
        # Plain strings: pathlib would cost more than the moves at 100,000 files.
        root = str(self.hd.root)
        if self.entries:
            _move_tree(os.path.join(str(self.dir), "files"), root)
        out = [os.path.join(root, *rel.split("/")) for rel in self.entries]
        _flush_all()
        atomic_write(self.dir / MOVED, b"")
        self.installed = True
        return out

    def rollback(self) -> None:
        """Put back what was moved in (after a failure in this run), unless git has committed it.

        A Ctrl-C or SIGTERM can arrive after git moved the branch, before the
        commit call returned: the import is then recorded, and its files stay
        (staged as they are, should git have been stopped before its index).
        """
        if not (self.dir / JOURNAL).exists():
            return
        if self.installed and self.hd.git is not None and self.hd.git.head() != self.head:
            self.hd.git.restage([self.hd.root / rel for rel in self.entries])
            return
        _rollback(self.hd, self.dir, list(self.entries.items()))

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _move_tree(staged: str, dest: str) -> None:
    """Move everything staged below ``staged`` to the same place below ``dest``.

    A folder that does not exist yet at its destination (a month no ticket
    was opened in before) is moved in whole: one rename for its files,
    instead of one each. Each file is in one place or the other at every
    moment, as with single moves, so a rollback finds what it finds then.
    """
    for entry in os.scandir(staged):
        to = os.path.join(dest, entry.name)
        if entry.is_dir(follow_symlinks=False):
            if not os.path.lexists(to):
                os.replace(entry.path, to)
            else:
                _move_tree(entry.path, to)
        else:
            os.replace(entry.path, to)


def _rollback(hd: Helpdesk, d: Path, entries: list) -> None:
    _put_back(hd, d, entries)
    if hd.git is not None:
        # The commit may have staged the files before it was stopped: the
        # index goes back to the files as they now are, or a later commit
        # would record the rolled-back import after all.
        hd.git.restage([hd.root / rel for rel, _ in entries])


def _put_back(hd: Helpdesk, d: Path, entries: list) -> None:
    for rel, replaced in entries:
        if (d / "files" / rel).exists():
            continue  # never moved in
        dest = hd.root / rel
        backup = d / "backup" / rel
        if replaced:
            if backup.exists():
                os.replace(backup, dest)
            continue
        try:
            dest.unlink()
        except FileNotFoundError:
            pass
        _prune(dest.parent, hd.tickets_dir)


def _prune(folder: Path, stop: Path) -> None:
    """Remove folders the import made and left empty (attachments/<id>/)."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def pending(hd: Helpdesk) -> list[Path]:
    d = hd.root / ".lpsectl"
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.name.startswith(STAGING_PREFIX) and p.is_dir())


def recover(hd: Helpdesk) -> list[str]:
    """Undo (or finish) imports that were killed; call with the lock held.

    Returns one line per staging folder dealt with, for the record.
    """
    done = []
    for d in pending(hd):
        try:
            journal = json.loads((d / JOURNAL).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = None  # killed while staging: nothing was moved in
        if journal is None:
            done.append(f"removed the staging folder of an interrupted import ({d.name})")
        elif (d / MOVED).exists():
            paths = [hd.root / rel for rel, _ in journal["entries"]]
            hd.commit(paths, journal["message"], journal["operator"])
            done.append(f"finished the commit of an interrupted import ({journal['message']})")
        else:
            _rollback(hd, d, journal["entries"])
            done.append(f"rolled back an interrupted import ({journal['message']})")
        shutil.rmtree(d, ignore_errors=True)
    return done


@dataclass
class MovingIn:
    """What imports still moving files into ``tickets/`` (or killed doing it) have put there.

    Readers that do not take the lock leave these out, so no listing,
    report or check ever shows half an import: a file the import adds is
    left out, a ticket it replaces is read as it was before (its backup).
    """

    new: set[str] = field(default_factory=set)  # destinations, as os.path.join of the root
    replaced: dict[str, str] = field(default_factory=dict)  # destination -> backup
    imports: list[tuple[Path, str, int]] = field(default_factory=list)  # folder, message, files

    def merge(self, other: Optional["MovingIn"]) -> "MovingIn":
        if other is not None:
            self.new |= other.new
            self.replaced.update(other.replaced)
            seen = {d for d, _, _ in self.imports}
            self.imports += [i for i in other.imports if i[0] not in seen]
        return self


def moving_in(hd: Helpdesk) -> Optional[MovingIn]:
    """Imports with a journal and no ``moved`` marker: their files may be half moved in."""
    out = MovingIn()
    root = str(hd.root)
    for d in pending(hd):
        if (d / MOVED).exists():
            continue  # every file is in place: the import is whole, only its commit is missing
        try:
            journal = json.loads((d / JOURNAL).read_text(encoding="utf-8"))
            entries = [(str(rel), bool(rep)) for rel, rep in journal["entries"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # still staging: nothing was moved in (or it is gone)
        for rel, replaced in entries:
            dest = os.path.join(root, *rel.split("/"))
            if replaced:
                out.replaced[dest] = str(d / "backup" / rel)
            else:
                out.new.add(dest)
        out.imports.append((d, str(journal.get("message", "")), len(entries)))
    return out if out.imports else None


@dataclass
class Interrupted:
    folder: Path
    message: str
    files: int
    moved: bool  # every file was in place: finishing it is its commit


def interrupted(hd: Helpdesk) -> list[Interrupted]:
    """Every import that has written its journal and not yet removed its staging folder."""
    out = []
    for d in pending(hd):
        try:
            journal = json.loads((d / JOURNAL).read_text(encoding="utf-8"))
            out.append(Interrupted(d, str(journal.get("message", "")), len(journal["entries"]),
                                   (d / MOVED).exists()))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return out


def recover_if_needed(hd: Helpdesk) -> Optional[list[str]]:
    """Cheap check for the lock: one stat when no import was interrupted."""
    if not (hd.root / ".lpsectl").is_dir() or not pending(hd):
        return None
    return recover(hd)
