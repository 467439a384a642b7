"""The helpdesk folder: finding it, ids, loading, atomic saving, the lock.

Tickets live in ``tickets/YYYY/MM/<id>.yaml`` (the year and month of the
id), so no folder grows past a month's tickets and a full id finds its file
without a scan.
"""

from __future__ import annotations

import os
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional, Sequence, Union

from lpsectl import config as configmod
from lpsectl.clock import Calendar, zone
from lpsectl.errors import BadInput, Damaged, LockBusy, LpseError, NotFound, Refused
from lpsectl.gitrepo import Diverged, GitRepo, blob_id, find_root
from lpsectl.home import helpdesk_folder
from lpsectl.i18n import _
from lpsectl.lazyre import LazyPattern
from lpsectl.regularfile import NotRegular, TooLarge, read_regular

if TYPE_CHECKING:
    from lpsectl.gitrecords import PathState
    from lpsectl.intake.staging import MovingIn
    from lpsectl.model import Ticket

# A ticket's classes (lpsectl.model) and its file's reader and writer (lpsectl.ticketfile) are imported where a
# ticket is read or written: a listing the index answers opens the helpdesk and makes no ticket.

# Digits and capitals a caller cannot mishear or misread: no 0/O, 1/I/L.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RANDOM_LEN = 6
ID_RE = LazyPattern(rf"^(\d{{2}})(\d{{2}})-([{ALPHABET}]{{4,7}})$")
_PREFIX_RE = LazyPattern(rf"^[0-9{ALPHABET}-]{{1,12}}$")
LOCK_NAME = "lpsectl.lock"
LOCK_WAIT = 120.0
# (How old a lock left on another machine must be to be broken: lpsectl.lockfile.)
# A ticket file is small text; anything larger is not read (it would only
# take the memory of every desk that lists the tickets).
MAX_TICKET_BYTES = 64 * 1024 * 1024


def not_regular_problem(kind: str) -> str:
    """What `check` and every reader say of a path in tickets/ that is no regular file."""
    return _("not a regular file ({kind}): never read; remove it (`git rm` it if it was committed)").format(kind=kind)


def find_home(start: Path, explicit: Optional[str] = None) -> Path:
    found = helpdesk_folder(str(start), explicit)
    if found is not None:
        return Path(found)
    if explicit:
        raise NotFound(_("{path} is not a helpdesk folder (no {config}); run `lpsectl init {path}`")
                       .format(path=Path(explicit).expanduser(), config=configmod.CONFIG_NAME))
    raise NotFound(
        _("no helpdesk folder here or above ({config} not found); run `lpsectl init` or pass --home DIR")
        .format(config=configmod.CONFIG_NAME)
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
        # The git state of the files an action read (load_for_change), for its record().
        self._states: dict[Path, PathState] = {}
        # What the CLI should tell the user after an action that succeeded.
        self.warnings: list[str] = []
        # What taking the lock completed for a killed command (`check` says so).
        self.recovered: list[str] = []
        git_root = find_root(root)
        self.git: Optional[GitRepo] = GitRepo(git_root) if git_root else None
        if self.git is not None:
            from lpsectl import mergedriver

            mergedriver.ensure(self)  # a clone made by `git clone` lacks the merge driver
            self._finish_for_readers()

    # -- an action killed between its commit and its file write ------------
    def recording_journal(self, tid: str) -> Path:
        """Where :meth:`record` notes the commit it is making for ticket ``tid``, beside the lock.

        One per ticket: a journal that could not be completed yet (a folder
        still unwritable) is never overwritten by a record of another ticket.
        """
        return self._journal_folder() / f"{RECORDING_NAME}.{tid}"

    def _journal_folder(self) -> Path:
        assert self.git is not None
        dot = self.git.root / ".git"
        return dot if dot.is_dir() else self.root / ".lpsectl"

    def recording_journals(self) -> list[Path]:
        """The journals of records killed (or still at work) between commit and file write; one listdir."""
        folder = self._journal_folder()
        try:
            names = os.listdir(folder)
        except OSError:
            return []
        return [folder / n for n in sorted(names) if n.startswith(RECORDING_NAME + ".")]

    def _finish_for_readers(self) -> None:
        """Complete a killed record or sync merge before anything is read: take the lock a moment, if free.

        Every command builds a Helpdesk first, so list, show and report read
        the ticket as git recorded it. A live recorder holds the lock: then
        its journal is no leftover, and the file as it is now is the truth
        until it finishes.
        """
        assert self.git is not None
        if not self.recording_journals() and not (self.git.git_dir() / MERGING_MARK).exists():
            return
        try:
            with self.locked(wait=0, recording=False):
                pass
        except (LpseError, OSError):
            pass

    # -- paths and ids ---------------------------------------------------
    def path_for(self, tid: str) -> Path:
        m = ID_RE.match(tid)
        if not m:
            raise BadInput(_("{tid!r} is not a ticket id (like 2611-K7QMXZ)").format(tid=tid))
        return self.tickets_dir / f"20{m.group(1)}" / m.group(2) / f"{tid}.yaml"

    def ticket_files(self) -> Iterator[Path]:
        """Every ``*.yaml`` below ``tickets/``, in a stable order."""
        for dirpath, names in self._ticket_names():
            for name in names:
                yield Path(dirpath) / name

    def _ticket_names(self, backups: Optional[dict[str, str]] = None) -> Iterator[tuple[str, list[str]]]:
        """Each folder below ``tickets/`` with its ticket file names: :meth:`ticket_files` as strings.

        ``backups`` receives the tickets an unfinished import is replacing
        (file -> the version before it), for :meth:`_load` to read instead.
        """
        if not self.tickets_dir.is_dir():
            return
        moving = self.moving_in()
        listing = []
        for dirpath, dirnames, filenames in os.walk(self.tickets_dir):
            # Mail attachments live in attachments/<id>/ beside the tickets.
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "attachments")
            listing.append((dirpath, sorted(n for n in filenames if n.endswith(".yaml") and not n.startswith("."))))
        # -- leave out what an import is moving in (or was killed moving in) --
        # Asked before and after the listing: an import that started moving
        # meanwhile had written its journal before its first move.
        after = self.moving_in()
        moving = after if moving is None else moving.merge(after)
        if moving is not None:
            if backups is not None:
                backups.update(moving.replaced)
            listing = [(d, [n for n in names if os.path.join(d, n) not in moving.new]) for d, names in listing]
        yield from listing

    def moving_in(self) -> Optional["MovingIn"]:
        """Imports moving files into tickets/ now, or killed doing it (one listdir when there is none)."""
        try:
            names = os.listdir(self.root / ".lpsectl")
        except OSError:
            return None
        if not any(n.startswith("import-") for n in names):
            return None
        from lpsectl.intake.staging import moving_in  # the journal's format is staging's

        return moving_in(self)

    def read_before_import(self, path: Path, backup: str) -> Ticket:
        """A ticket an unfinished import is replacing, as it was before the import."""
        return self._parse(path, self._text_before_import(path, backup)[0])

    def _text_before_import(self, path: Path, backup: str) -> tuple[str, os.stat_result]:
        try:
            return self._read_text(Path(backup))
        except FileNotFoundError:  # rolled back (or finished) meanwhile: the file is whole again
            return self._read_text(path)

    def all_ids(self) -> list[str]:
        return [name[:-len(".yaml")].upper() for _, names in self._ticket_names() for name in names]

    def matching_ids(self, want: str) -> list[str]:
        """The ids of the ticket files whose id, or whose random part, starts with ``want`` (upper case).

        The names in tickets/ now, read from the folders (no file is opened
        or stat'ed): a ticket added by hand a moment ago is found, one removed
        is not, and git need not be asked what changed.
        """
        found = []
        for _, names in self._ticket_names():
            for name in names:
                tid = name[:-len(".yaml")].upper()
                if tid.startswith(want) or tid.partition("-")[2].startswith(want):
                    found.append(tid)
        return found

    def resolve(self, text: str) -> str:
        """The full id for an id or an unambiguous prefix of it or of its random part (:meth:`matching_ids`)."""
        want = normalise_id(text)
        if not want or not _PREFIX_RE.match(want) or want.strip("-") == "":
            raise BadInput(_("{text!r} is not a ticket id (like 2611-K7QMXZ)").format(text=text))
        if ID_RE.match(want) and self.path_for(want).is_file():
            return want
        matches = sorted(set(self.matching_ids(want)))
        if not matches:
            raise NotFound(_("no ticket {text!r}; `lpsectl list --all` shows the ids").format(text=text))
        if len(matches) > 1:
            shown = ", ".join(matches[:10]) + (" ..." if len(matches) > 10 else "")
            raise NotFound(_("{text!r} matches {n} tickets: {ids}; give more characters")
                           .format(text=text, n=len(matches), ids=shown))
        return matches[0]

    def new_id(self, created_at: datetime) -> str:
        """A fresh id of the month ``created_at`` falls in, not used before here."""
        import secrets

        local = created_at.astimezone(self.tz)
        stem = f"{local:%y%m}-"
        for _attempt in range(1000):
            tid = stem + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LEN))
            if not self.path_for(tid).exists():
                return tid
        raise LockBusy(_("could not find a free ticket id; check the tickets folder"))  # pragma: no cover

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
        return self._checked(path, self.read(path))

    def _checked(self, path: Path, t: Ticket) -> Ticket:
        if path.parent != self.path_for(t.id).parent or path.stem != t.id:
            raise Damaged(self.rel(path), 2, _("ticket {id} belongs in {path}").format(id=t.id, path=self.rel(self.path_for(t.id))))
        return t

    def _read_text(self, path: Path) -> tuple[str, os.stat_result]:
        """The file's text and the stamps of the very file read (only a regular file: see :func:`read_text`)."""
        return read_text(path, self.rel(path))

    def parse(self, path: Path, text: str) -> Ticket:
        """The ticket in ``text`` as the file ``path`` would hold it (a committed version, say)."""
        return parse_ticket(path, text, self.rel(path))

    def parse_committed(self, commit: str, rel: str) -> Optional[Ticket]:
        """The ticket file ``rel`` (from the git top) as ``commit`` holds it; None when it has none there.

        Checked as :meth:`read` checks a file: at most :data:`MAX_TICKET_BYTES`
        (asked of git before the blob is read), UTF-8, a ticket named like its
        file; :class:`Damaged`, naming the file, otherwise.
        """
        assert self.git is not None
        path = self.git.root / rel
        size = self.git.blob_size(commit, rel)
        if size is None:
            return None
        if size > MAX_TICKET_BYTES:
            raise Damaged(self.rel(path), None, too_large_problem(size))
        try:
            text = self.git.blob(commit, rel).decode("utf-8")
        except UnicodeDecodeError:
            raise Damaged(self.rel(path), None, _("not UTF-8 text")) from None
        return self.parse(path, text)

    def _parse(self, path: Path, text: str) -> Ticket:
        return self.parse(path, text)

    def load(self, text: str) -> Ticket:
        tid = self.resolve(text)
        path = self.path_for(tid)
        moving = self.moving_in()
        if moving is not None and str(path) in moving.new:
            raise NotFound(_("no ticket {id} yet: an import is moving it in, or was stopped doing it; "
                             "`lpsectl check` says which").format(id=tid))
        if moving is not None and str(path) in moving.replaced:
            return self.read_before_import(path, moving.replaced[str(path)])
        if not os.path.lexists(path):  # (a symlink or FIFO there is read, and refused, below)
            # Found by a file name outside its place (moved by hand, wrong case).
            stray = next((p for p in self.ticket_files() if p.stem.upper() == tid), path)
            raise Damaged(self.rel(stray), None, _("ticket {id} belongs in {path}; move it there")
                          .format(id=tid, path=self.rel(path)))
        return self.read(path)

    def load_for_change(self, text: str) -> Ticket:
        """:meth:`load` for an action, under the lock: the ticket as git last recorded it.

        A file one commit behind git (an action killed after its commit,
        before its file was written) is brought up to date first, so the
        action builds on every recorded event; a file edited behind git's
        back is refused (:class:`Diverged`), never committed over.
        """
        tid = self.resolve(text)
        path = self.path_for(tid)
        if self.git is not None:
            self._states[path] = self._current(path, repair=True)
        return self.load(tid)

    def bring_up_to_date(self, path: Path) -> bool:
        """Restore ``path`` from git if it is one commit behind (or missing after its first commit)."""
        if self.git is None:
            return False
        rel = self.rel(path)
        try:
            before = _bytes_or_none(path, rel)
            self._current(path, repair=True)
            return _bytes_or_none(path, rel) != before
        except (Diverged, Damaged):
            return False

    def _current(self, path: Path, repair: bool) -> PathState:
        """The git state of ``path``; ``repair``: bring a file one commit behind up to date."""
        assert self.git is not None
        state = self.git.path_state(path)
        if state.blob is None:
            return state
        on_disk = _bytes_or_none(path, self.rel(path))
        disk_blob = None if on_disk is None else blob_id(on_disk, len(state.head or ""))
        if disk_blob == state.blob:
            return state
        if repair:
            found, before = self.git.previous_blob(path)
            if found and disk_blob == before:
                self.git.restore(path)
                return state
        rel = self.rel(path)
        raise Diverged(
            _("{rel} is not what git last recorded (it was edited by hand, or restored from an old "
              "version); `{diff}` shows how: `{checkout}` takes git's version, `{commit}` keeps the "
              "file's; then run this again; nothing was written").format(
                rel=rel, diff=self.git_hint('diff HEAD --', path), checkout=self.git_hint('checkout HEAD --', path),
                commit=self.git_hint('commit --', path)))

    def load_all(self, track: Optional[Track] = None) -> Loaded:
        """Every ticket file parsed (the index is :mod:`lpsectl.index`'s; this reads the truth).

        What an unfinished import moved in is left out, and a ticket it
        replaces is read from its backup, as it was before the import.
        """
        backups: dict[str, str] = {}
        names = list(self._ticket_names(backups))
        return self.load_files((Path(d, n) for d, ns in names for n in ns), track, backups)

    def load_files(self, files: Iterable[Path], track: Optional[Track] = None,
                   backups: Optional[dict[str, str]] = None) -> Loaded:
        """Every ticket of ``files`` that reads cleanly, and the damage, in file order.

        ``backups``: file -> the version an unfinished import replaced, read instead.
        """
        paths = list(files)
        tickets: list[Ticket] = []
        damaged: list[Damaged] = []
        for path in track(paths) if track else paths:
            backup = backups.get(str(path)) if backups else None
            try:
                t = self.read_before_import(path, backup) if backup else self.read(path)
                tickets.append(self._checked(path, t))
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
        from lpsectl.ticketfile import message_ids_in

        for path in self.ticket_files():
            try:
                text = self._read_text(path)[0]
            except (OSError, Damaged):
                continue
            yield path, message_ids_in(text)

    # -- writing ---------------------------------------------------------
    def save(self, t: Ticket) -> Path:
        from lpsectl.ticketfile import dumps

        path = self.path_for(t.id)
        self._write(path, dumps(t).encode("utf-8"))
        return path

    def _write(self, path: Path, data: bytes) -> None:
        try:
            atomic_write(path, data)
        except OSError as exc:  # tickets/ is a file, the disk is full or read-only, ...
            raise LpseError(_("cannot write {path}: {problem}; check the helpdesk folder, then try again")
                            .format(path=self.rel(path), problem=exc.strerror or exc)) from None

    def record(self, t: Ticket, message: str, operator: str) -> Path:
        """Save ``t`` as one commit: git first, then the file; a failure leaves no trace.

        The order is the guarantee. git builds the commit from the new bytes
        without touching the work tree; only once the branch holds it is
        the file replaced (atomically). If git fails, nothing changed. If
        the file cannot be written, the commit is taken back; if even that
        fails (or the process is killed in between), the error says the
        action *is* recorded, and the next action on the ticket first
        brings its file up to date (:meth:`load_for_change`), so no later
        commit can drop the event.
        """
        from lpsectl.ticketfile import dumps

        path = self.path_for(t.id)
        data = dumps(t).encode("utf-8")
        if self.git is None:
            self._write(path, data)
            return path
        self.ready_to_record()
        git = self.git
        rel = self.rel(path)
        # Checked by load_for_change under this lock; else checked now, without
        # repair: ``t`` was built from the file as it is.
        state = self._states.pop(path, None) or self._current(path, repair=False)
        from lpsectl import journal as recording

        journal = self.recording_journal(t.id)
        recording.write(journal, recording.RecordingJournal(
            os.path.relpath(path, git.root).replace(os.sep, "/"), state.branch, state.blob,
            blob_id(data, len(state.head or "") or 40), message.split(" ")[0], t.id))
        try:
            new_head = git.commit_file(path, data, message, operator, state)
        except BaseException:
            _unlink_quietly(journal)  # the branch did not move: nothing to complete
            raise
        try:
            atomic_write(path, data)
        except BaseException as exc:  # the old file is intact: atomic_write replaces or leaves it
            if git.undo_commit(state.branch, new_head, state.head):
                _unlink_quietly(journal)
                if isinstance(exc, OSError):
                    raise LpseError(_("cannot write {path}: {problem}; check the helpdesk folder, then try "
                                      "again; nothing was recorded").format(path=rel, problem=exc.strerror or exc)) from None
                raise
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
            raise LpseError(
                _("{action} {id} is recorded in git (commit {commit}), but {rel} could not be rewritten "
                  "({why}); the next command on {id} brings the file up to date (or `{checkout}` when the "
                  "folder is writable again)").format(
                    action=message.split(' ')[0], id=t.id, commit=new_head[:10], rel=rel, why=why,
                    checkout=self.git_hint('checkout HEAD --', path))) from None
        try:
            git.stage([path])
        except LpseError as exc:  # recorded and written: only git's index lags behind
            self.warnings.append(
                _("{id} is recorded, but git's index still shows its old version ({problem}); run `{value}` "
                  "before committing anything by hand").format(id=t.id, problem=exc, value=self.git_hint('reset -q --', path)))
        # Only now: a kill before this leaves the journal, and the next lock stages the file.
        _unlink_quietly(journal)
        return path

    def git_hint(self, command: str, path: Path) -> str:
        """A git command line on ``path`` that works from the current folder."""
        assert self.git is not None
        cwd = Path.cwd()
        try:
            cwd.relative_to(self.git.root)
            return f"git {command} {self.rel(path)}"
        except ValueError:
            return f"git -C {self.git.root} {command} {os.path.relpath(path, self.git.root)}"

    def ready_to_record(self) -> None:
        """Refuse to record where a commit would be lost: a detached HEAD, a rebase or merge under way."""
        if self.git is None:
            return
        busy = self.git.operation_in_progress()
        if busy:
            # A commit now would land on the rebase's (or merge's) work and be
            # lost when it is aborted.
            raise Refused(_("git is in the middle of {busy} in {path}: finish it or abort it "
                            "(git status says how), then run this again; nothing was written")
                          .format(busy=busy, path=self.git.root))
        self.git.require_branch()

    def commit(self, paths: Sequence[Union[Path, str]], message: str, operator: str,
               packed: Sequence[str] = ()) -> bool:
        """Commit ``paths`` as ``operator``; False when there is no git or nothing changed.

        ``packed``: the paths' contents as git takes them (:meth:`GitRepo.commit`).
        """
        if self.git is None:
            return False
        self.ready_to_record()
        return self.git.commit(paths, message, operator, packed=packed)

    # -- the lock --------------------------------------------------------
    def lock_path(self) -> Path:
        if self.git is not None and (self.git.root / ".git").is_dir():
            return self.git.root / ".git" / LOCK_NAME
        d = self.root / ".lpsectl"
        try:
            d.mkdir(exist_ok=True)
        except OSError as exc:
            raise _unlockable(d / LOCK_NAME, exc) from None
        return d / LOCK_NAME

    @contextmanager
    def locked(self, wait: float = LOCK_WAIT, recording: bool = True) -> Iterator[None]:
        """The helpdesk lock: one lpsectl at a time changes tickets or git here.

        ``recording``: refuse at once (nothing written) where a commit would
        be lost (:meth:`ready_to_record`); sync asks that itself.
        """
        from lpsectl import lockfile

        path = self.lock_path()
        me = lockfile.holder_text()
        deadline = time.monotonic() + wait
        delay = 0.01
        while True:
            try:
                fd = os.open(str(path), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if lockfile.is_stale(path):
                    lockfile.break_stale(path)
                    continue
                if time.monotonic() > deadline:
                    raise LockBusy(lockfile.busy_message(path)) from None
                time.sleep(delay)
                delay = min(delay * 1.5, 0.2)
                continue
            except OSError as exc:  # disk full, read-only, no permission
                raise _unlockable(path, exc) from None
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(me)
            except OSError as exc:
                _unlink(path)
                raise _unlockable(path, exc) from None
            break
        try:
            if self.git is not None:
                self.git.lock_held = True
                _recover_git(self)
            if recording:
                self.ready_to_record()
            _recover_imports(self)
            if self.git is not None:
                from lpsectl.journal import finish_interrupted_record

                for journal in self.recording_journals():
                    done = finish_interrupted_record(self, journal)
                    if done:
                        self.recovered.append(done)
            yield
        finally:
            if self.git is not None:
                self.git.lock_held = False
            _unlink(path)


# Present in the git folder while sync merges (the commit before the merge):
# a sync killed then left files to write, which the next command under the
# lock writes (see lpsectl.worktree).
MERGING_MARK = "lpsectl-merging"
# git's merge driver works on temporary .merge_file_XXXXXX copies at the top
# of the work tree; one older than this is left by a killed merge.
MERGE_FILE_STALE_AFTER = 60.0


def _recover_git(hd: "Helpdesk") -> None:
    """Undo what a killed git or sync left: a dead index.lock, a merge whose files are not written.

    Two stats when there is nothing to do.
    """
    git = hd.git
    assert git is not None
    git.clear_stale_index_lock()
    mark = git.git_dir() / MERGING_MARK
    if mark.exists():
        done = finish_interrupted_merge(hd)
        if done:
            hd.recovered.append(done)


def finish_interrupted_merge(hd: "Helpdesk") -> Optional[str]:
    """Under the lock: finish a sync's merge the branch holds, or drop one that never landed.

    The mark names the commit before the merge. If the branch has moved on
    from it to the merge, the files the merge changed are written (those
    still as before; never one edited since). Returns what was completed,
    for `check` to say. A merge of an older lpsectl (``git merge`` in the
    work tree, MERGE_HEAD) is aborted as it was then.
    """
    from lpsectl import merge, worktree

    git = hd.git
    assert git is not None
    gd = git.git_dir()
    mark = gd / MERGING_MARK
    try:
        before = mark.read_text(encoding="ascii").strip()
    except OSError:
        before = ""
    done = None
    if git.merge_in_progress():
        if not git.merge_abort():
            raise LpseError(_("a sync was interrupted in the middle of a merge and git cannot undo it; run `git -C "
                              "{root} merge --abort`, then try again").format(root=git.root))
        for _old, _new, rel, _blob in merge.read_renames(gd):  # the driver's copies are no part of the old state
            _unlink_quietly(git.root / rel)
    else:
        head = git.head()
        if before and head and head != before and git.is_ancestor(before, head):
            changes = git.tree_changes(before, head)
            try:
                worktree.bring(git, head, changes)
            except (LpseError, OSError):
                return None  # still unwritable: the mark stays for the next lock; check names the files
            if changes:
                done = (f"a sync was stopped after git recorded its merge ({head[:10]}) but before all its "
                        "files were written; they are written now")
    end_merge(git)
    return done


def end_merge(git: GitRepo) -> None:
    """What a sync's merge leaves in the git folder and at the top of the work tree, removed; the mark last."""
    from lpsectl import merge

    gd = git.git_dir()
    merge.clear_renames(gd)
    remove_merge_leftovers(git.root, every=True)
    _unlink_quietly(gd / MERGING_MARK)


def remove_merge_leftovers(root: Path, every: bool = False) -> list[Path]:
    """Delete git's ``.merge_file_*`` temporaries a killed merge left at the top of the work tree."""
    gone = []
    try:
        names = [n for n in os.listdir(root) if n.startswith(".merge_file_")]
    except OSError:
        return gone
    for name in names:
        p = root / name
        try:
            if every or time.time() - p.stat().st_mtime > MERGE_FILE_STALE_AFTER:
                os.unlink(p)
                gone.append(p)
        except OSError:
            pass
    return gone


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:  # pragma: no cover - broken by hand
        pass


def _unlockable(path: Path, exc: OSError) -> LpseError:
    return LpseError(_("cannot take the helpdesk lock {path}: {problem}; make room on the disk or make the "
                       "folder writable, then try again; nothing was written").format(path=path, problem=exc.strerror or exc))


def _bytes_or_none(path: Path, rel: str) -> Optional[bytes]:
    """The bytes of the ticket file ``path``, None when there is none.

    Read as every reader reads (:func:`read_text`): a symlink, a FIFO or a
    file larger than any ticket is :class:`Damaged`, named ``rel``, never
    followed, waited on or read whole.
    """
    try:
        return read_regular(path, MAX_TICKET_BYTES)[0]
    except FileNotFoundError:
        return None
    except NotRegular as exc:
        raise Damaged(rel, None, not_regular_problem(exc.kind)) from None
    except TooLarge as exc:
        raise Damaged(rel, None, too_large_problem(exc.size)) from None


def read_text(path: Path, rel: str) -> tuple[str, os.stat_result]:
    """The file's text and the stamps of the very file that was read; :class:`Damaged` names it ``rel``.

    Only a regular file of at most :data:`MAX_TICKET_BYTES` is read: a
    symlink (to /dev/zero, say) or a FIFO named like a ticket is damage,
    never followed, never waited on.
    """
    try:
        data, st = read_regular(path, MAX_TICKET_BYTES)
    except NotRegular as exc:
        raise Damaged(rel, None, not_regular_problem(exc.kind)) from None
    except TooLarge as exc:
        raise Damaged(rel, None, too_large_problem(exc.size)) from None
    try:
        return data.decode("utf-8"), st
    except UnicodeDecodeError:
        raise Damaged(rel, None, _("not UTF-8 text")) from None


def too_large_problem(size: int) -> str:
    return (f"{size} bytes, larger than any ticket ({MAX_TICKET_BYTES} bytes at most): "
            "not read; a ticket file is small text, see what was put here")


def parse_ticket(path: Path, text: str, rel: str) -> Ticket:
    """The ticket in ``text`` as the file ``path`` would hold it; :class:`Damaged` names it ``rel``."""
    from lpsectl.ticketfile import loads

    t = loads(text, rel)
    if not ID_RE.match(t.id):
        raise Damaged(rel, 2, _("id {id!r} is not a valid ticket id").format(id=t.id))
    if t.id != path.stem.upper():
        raise Damaged(rel, 2, _("id {id!r} does not match the file name {name}").format(id=t.id, name=path.name))
    return t


def read_ticket(path: Path, rel: str) -> Ticket:
    """Parse and check the ticket file ``path``; :class:`Damaged` names it ``rel``.

    A function of the file alone (no helpdesk), so ``check`` can run it in
    several processes, reading exactly as :meth:`Helpdesk.read` does.
    """
    return parse_ticket(path, read_text(path, rel)[0], rel)


def _recover_imports(hd: "Helpdesk") -> None:
    """Roll back (or finish) an import that was killed; one stat when there is none."""
    if (hd.root / ".lpsectl").is_dir():
        from lpsectl.intake.staging import recover_if_needed

        recover_if_needed(hd)


# Beside the helpdesk lock while record() commits and writes one ticket file
# (``lpsectl-recording.<id>``).
RECORDING_NAME = "lpsectl-recording"


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
    import tempfile

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
