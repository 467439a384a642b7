"""`check`: every kind of damage a ticket folder can have, by path and line."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from lpsectl import ticketfile
from lpsectl.errors import Damaged, LpseError
from lpsectl.model import Ticket
from lpsectl.privacy import MARKER_DIR
from lpsectl.regularfile import NotRegular, TooLarge, is_regular, kind_of, read_regular
from lpsectl.store import (
    ID_RE, MAX_TICKET_BYTES, Helpdesk, not_regular_problem, parse_ticket, read_text, read_ticket,
)
from lpsectl.i18n import _

_ALLOWED_OTHER = {".gitkeep", "README.md", "README", ".gitattributes"}


@dataclass
class Problem:
    path: str
    line: Optional[int]
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.problem}"


def check(hd: Helpdesk) -> tuple[int, list[Problem]]:
    """Read every ticket; return how many files were read and the problems.

    Every file is parsed and checked again, whatever the index holds: this
    is the validation the index is never trusted for. Large folders are read
    by several processes. What an import at work moved in is left out, and a
    ticket it replaces is read from its backup, as every reader does.
    """
    problems: list[Problem] = _imports(hd)
    backups: dict[str, str] = {}
    files = [(os.path.join(d, n), backups.get(os.path.join(d, n)))
             for d, names in hd._ticket_names(backups) for n in names]
    moving = hd.moving_in()
    if len(files) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 and not os.environ.get("LPSECTL_SERIAL"):
        from concurrent.futures import ProcessPoolExecutor

        size = max(200, len(files) // ((os.cpu_count() or 1) * 8))
        chunks = [(str(hd.tickets_dir), files[i:i + size]) for i in range(0, len(files), size)]
        from lpsectl.lifetime import exit_with_parent

        # A `check` killed tells its workers nothing: each exits once its parent is gone.
        with ProcessPoolExecutor(min(os.cpu_count() or 1, 8), initializer=exit_with_parent) as pool:
            read = [r for part in pool.map(_examine_all, chunks) for r in part]
    else:
        read = _examine_all((str(hd.tickets_dir), files))
    by_id: dict[str, list[str]] = defaultdict(list)
    for rel, tid, found in read:
        by_id[tid].append(rel)
        problems.extend(found)
    for tid, paths in sorted(by_id.items()):
        if len(paths) > 1:
            for p in paths:
                others = ", ".join(x for x in paths if x != p)
                problems.append(Problem(p, 2, _("duplicate id {tid}: also in {others}; both are kept").format(tid=tid, others=others)))
    problems.extend(_stray(hd))
    named = {p.path for p in problems}
    if moving is not None:  # the import at work commits its own files when it finishes
        named |= {hd.rel(Path(p)) for p in (*moving.new, *moving.replaced)}
    named |= {hd.rel(Path(p)) for p in backups}
    problems.extend(p for p in _not_in_git(hd) if p.path not in named)  # one problem a file
    problems.extend(_unmergeable(hd))
    return len(files), problems


# Below this many files, check reads them in its own process.
PARALLEL_FROM = 2000


def _rel(path: str, cwd: Optional[str] = None) -> str:
    """``path`` as shown: relative to the current folder (``cwd``: it, asked once by the caller)."""
    try:
        return os.path.relpath(path, cwd or os.getcwd())
    except ValueError:  # another drive on Windows
        return path


def _same_file_name(a: str, b: str) -> bool:
    """Whether two paths name the same file; symlinks resolved only when the names differ.

    The walk never enters a symlinked folder, so below tickets/ the names
    compare as they are; a real path is asked (an lstat per part of each
    path) only for the rare file that is not where its id says.
    """
    if os.path.normcase(os.path.normpath(a)) == os.path.normcase(os.path.normpath(b)):
        return True
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _examine_all(job: tuple[str, list[tuple[str, Optional[str]]]]) -> list[tuple[str, str, list[Problem]]]:
    """(path as shown, id, problems) of each file: a function of the files alone, for workers.

    Each file comes with the backup to read instead (a ticket an unfinished
    import is replacing, as it was before), or None. Files are read as
    :meth:`Helpdesk.read` reads them: only regular files, never followed.
    """
    tickets_dir, files = job
    cwd = os.getcwd()
    out = []
    for name, backup in files:
        path = Path(name)
        rel = _rel(name, cwd)
        try:
            if backup:
                try:
                    text = read_text(Path(backup), rel)[0]
                except FileNotFoundError:  # rolled back (or finished) meanwhile: the file is whole again
                    text = read_text(path, rel)[0]
                t = parse_ticket(path, text, rel)
            else:
                t = read_ticket(path, rel)
        except Damaged as exc:
            out.append((rel, path.stem.upper(), [Problem(exc.path, exc.line, exc.problem)]))
            continue
        except OSError as exc:  # gone since the walk, or unreadable
            out.append((rel, path.stem.upper(), [Problem(rel, None, _("cannot read this file ({problem})").format(problem=exc.strerror or exc))]))
            continue
        m = ID_RE.match(t.id)
        expected = os.path.join(tickets_dir, f"20{m.group(1)}", m.group(2), f"{t.id}.yaml")  # type: ignore[union-attr]
        problems = []
        if not _same_file_name(expected, name):
            problems.append(Problem(rel, 2, _("ticket {id} belongs in {path}").format(id=t.id, path=_rel(expected, cwd))))
        problems.extend(_conflicts(t, Path(backup) if backup and os.path.exists(backup) else path, rel))
        out.append((rel, t.id, problems))
    return out


def _conflicts(t: Ticket, path: Path, rel: str) -> list[Problem]:
    """Events a merge put where the rules do not allow them, until an officer settles them."""
    conflicts = t.conflicts()
    if not conflicts:
        return []
    try:
        lines = ticketfile.event_lines(read_text(path, rel)[0])
    except (OSError, ValueError, yaml.YAMLError, Damaged):  # changed since it was read: the ticket's first line
        lines = []
    out = []
    for c in conflicts:
        e = c.event
        out.append(Problem(
            rel, lines[c.index] if c.index < len(lines) else None,
            _("conflict: {action} by {by} at {value}: {why}; settle it with the next action or a note "
              "(lpsectl note {id} -m ...)").format(action=e.action, by=e.by, value=e.at.isoformat(), why=c.why, id=t.id),
        ))
    return out


def _unmergeable(hd: Helpdesk) -> list[Problem]:
    """What `sync` would stop on, with the remote branch as last fetched."""
    from lpsectl.sync import unmergeable

    if hd.git is None:
        return []
    root = hd.git.root
    return [Problem(hd.rel(root / u.path), u.line, u.problem) for u in unmergeable(hd)]


def _imports(hd: Helpdesk) -> list[Problem]:
    """Imports stopped while moving files in: finished or rolled back now; one at work, named.

    Taking the helpdesk lock finishes (or rolls back) what a killed import
    left: that is said in ``hd.recovered`` (a note, exit 0: after it the
    folder is whole, as the crash guarantee wants). A live import holds the
    lock, and its files stay left out: that one is a problem.
    """
    from lpsectl.intake.staging import interrupted

    found = interrupted(hd)
    if not found:
        return []
    try:
        with hd.locked(wait=0):
            pass
    except (LpseError, OSError):
        pass  # held by a live lpsectl, or a read-only helpdesk: named below
    out = []
    for imp in found:
        where, what = hd.rel(imp.folder), f"import ({imp.message}; {imp.files} file(s))"
        if imp.folder.exists() and imp.moved:
            problem = (f"an {what} has its files in place but not its commit yet; the next lpsectl "
                       "command that records something makes it")
        elif imp.folder.exists():
            problem = (f"an {what} is moving its files into tickets/, or was stopped doing it; they are "
                       "left out until it has finished or is rolled back (the next lpsectl command that "
                       "records something rolls back a stopped one)")
        elif imp.moved:  # finished now: a note, not damage (exit 0), as a killed record it completes
            hd.recovered.append(_("{where}: an {what} was stopped before its commit; its files were all in place: committed "
                                  "now").format(where=where, what=what))
            continue
        else:  # rolled back now: nothing is damaged, but the officer has to run it again
            hd.recovered.append(_("{where}: an {what} was stopped while moving its files in; rolled back now, nothing of it "
                                  "is left: run that import again").format(where=where, what=what))
            continue
        out.append(Problem(where, None, problem))
    return out


def _stray(hd: Helpdesk) -> list[Problem]:
    """What under tickets/ is no ticket: merge leftovers, and anything not a regular file.

    Symlinks, FIFOs and devices are named, never read or followed (a
    symlink to /dev/zero would take the memory, a FIFO would hang); in
    attachments/ too, where any regular file is an attachment.
    """
    out: list[Problem] = []
    if not hd.tickets_dir.is_dir():
        return out
    stack = [(str(hd.tickets_dir), False, False)]  # folder, in attachments/, in a dot-folder
    markers = str(hd.tickets_dir / MARKER_DIR)
    while stack:
        folder, attached, hidden = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            out.append(Problem(hd.rel(Path(folder)), None, _("cannot read this folder ({problem})").format(problem=exc.strerror)))
            continue
        subfolders = []
        for e in entries:
            regular = e.is_file(follow_symlinks=False)
            if e.is_dir(follow_symlinks=False):
                subfolders.append((e.path, attached or e.name == "attachments", hidden or e.name.startswith(".")))
                continue
            is_ticket_name = (not attached and not hidden and e.name.endswith(".yaml")
                              and not e.name.startswith("."))
            if not regular:
                if is_ticket_name and not _is_dir_link(e):
                    continue  # read as a ticket, and reported as such
                out.append(Problem(hd.rel(Path(e.path)), None, not_regular_problem(_kind(e))))
                continue
            if attached or is_ticket_name or (hidden and e.name.endswith(".yaml")):
                continue
            if e.name in _ALLOWED_OTHER or (e.name.startswith(".") and e.name.endswith(".tmp")):
                continue
            if folder == markers:  # tickets/.erased/<ID>: which tickets were erased (lpsectl.privacy)
                continue
            out.append(Problem(hd.rel(Path(e.path)), None, _("not a ticket file (a leftover of a merge or an edit?)")))
        stack.extend(reversed(subfolders))
    return out


def _not_in_git(hd: Helpdesk) -> list[Problem]:
    """Ticket files that differ from what git recorded: each with what to do.

    Left by an interrupted command or an edit by hand; without this a
    ticket nobody committed stays out of the audit trail (and out of the
    other desks) for ever.
    """
    git = hd.git
    if git is None:
        return []
    out = []
    for status, rel in git.dirty(hd.tickets_dir):
        path = git.root / rel
        if not (path.suffix == ".yaml" and not path.name.startswith(".")
                and "attachments" not in path.relative_to(hd.tickets_dir).parts[:-1]):
            continue
        if os.path.lexists(path) and not is_regular(path):
            continue  # a symlink or FIFO where a ticket was: named as such, never read (_stray)
        shown = hd.rel(path)
        restore = hd.git_hint("checkout HEAD --", path)
        if "?" in status:
            problem = ("not committed to git (left by an interrupted command, or added by hand): "
                       f"`lpsectl sync` commits it, or `{hd.git_hint('add --', path)}` and `git commit`")
        elif "D" in status:
            problem = f"in git but missing from the folder: `{restore}` brings it back"
        elif git.blob_at("HEAD", path) == _blob_of(path, git):
            continue  # the file is git's; only git's index lags (it mends itself)
        elif git.previous_blob(path)[1] == _blob_of(path, git):
            problem = (f"behind git (a command was interrupted): the next command on the ticket, "
                       f"`lpsectl sync`, or `{restore}` brings it up to date")
        else:
            problem = (f"changed but not committed (edited by hand?): `{hd.git_hint('diff HEAD --', path)}` "
                       f"shows how; commit it, or `{restore}` takes git's version")
        out.append(Problem(shown, None, problem))
    return out


def _blob_of(path: Path, git) -> Optional[str]:
    from lpsectl.gitrepo import blob_id

    try:
        data, _ = read_regular(path, MAX_TICKET_BYTES)
    except (OSError, NotRegular, TooLarge):
        return None
    head = git.head() or ""
    return blob_id(data, len(head))


def _is_dir_link(e: os.DirEntry) -> bool:
    """A symlink to a folder: os.walk lists it as a folder, so no reader sees it as a ticket."""
    return e.is_symlink() and e.is_dir(follow_symlinks=True)


def _kind(e: os.DirEntry) -> str:
    try:
        return kind_of(e.stat(follow_symlinks=False).st_mode)
    except OSError:
        return "not a regular file"
