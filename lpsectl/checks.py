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
