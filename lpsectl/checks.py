"""`check`: every kind of damage a ticket folder can have, by path and line."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from lpsectl import ticketfile
from lpsectl.errors import Damaged
from lpsectl.model import Ticket
from lpsectl.store import Helpdesk

_ALLOWED_OTHER = {".gitkeep", "README.md", "README", ".gitattributes"}


@dataclass
class Problem:
    path: str
    line: Optional[int]
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.problem}"


def check(hd: Helpdesk) -> tuple[int, list[Problem]]:
    """Read every ticket; return how many files were read and the problems."""
    problems: list[Problem] = []
    by_id: dict[str, list[str]] = defaultdict(list)
    count = 0
    for path in hd.ticket_files():
        count += 1
        rel = hd.rel(path)
        try:
            t = hd.read(path)
        except Damaged as exc:
            problems.append(Problem(exc.path, exc.line, exc.problem))
            stem = path.stem.upper()
            by_id[stem].append(rel)
            continue
        by_id[t.id].append(rel)
        try:
            expected = hd.path_for(t.id)
        except Exception:  # an id that is no id
            problems.append(Problem(rel, 2, f"id {t.id!r} is not a valid ticket id"))
            continue
        if os.path.normcase(str(expected.resolve())) != os.path.normcase(str(path.resolve())):
            problems.append(Problem(rel, 2, f"ticket {t.id} belongs in {hd.rel(expected)}"))
        problems.extend(_conflicts(t, path, rel))
    for tid, paths in sorted(by_id.items()):
        if len(paths) > 1:
            for p in paths:
                others = ", ".join(x for x in paths if x != p)
                problems.append(Problem(p, 2, f"duplicate id {tid}: also in {others}; both are kept"))
    problems.extend(_stray(hd))
    named = {p.path for p in problems}
    problems.extend(p for p in _not_in_git(hd) if p.path not in named)  # one problem a file
    return count, problems


def _conflicts(t: Ticket, path: Path, rel: str) -> list[Problem]:
    """Events a merge put where the rules do not allow them, until an officer settles them."""
    conflicts = t.conflicts()
    if not conflicts:
        return []
    try:
        lines = ticketfile.event_lines(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):  # changed since it was read: the ticket's first line
        lines = []
    out = []
    for c in conflicts:
        e = c.event
        out.append(Problem(
            rel, lines[c.index] if c.index < len(lines) else None,
            f"conflict: {e.action} by {e.by} at {e.at.isoformat()}: {c.why}; "
            f"settle it with the next action or a note (lpsectl note {t.id} -m ...)",
        ))
    return out


def _stray(hd: Helpdesk) -> list[Problem]:
    """Files under tickets/ that are no ticket: merge leftovers and the like."""
    out = []
    if not hd.tickets_dir.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(hd.tickets_dir):
        dirnames[:] = [d for d in dirnames if d != "attachments"]
        for name in filenames:
            if name.endswith(".yaml") and not name.startswith("."):
                continue
            if name in _ALLOWED_OTHER or (name.startswith(".") and name.endswith(".tmp")):
                continue
            p = Path(dirpath) / name
            out.append(Problem(hd.rel(p), None, "not a ticket file (a leftover of a merge or an edit?)"))
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
        data = path.read_bytes()
    except OSError:
        return None
    head = git.head() or ""
    return blob_id(data, len(head))
