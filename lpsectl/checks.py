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
from lpsectl.store import ID_RE, Helpdesk, read_ticket

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
    by several processes.
    """
    files = [str(p) for p in hd.ticket_files()]
    if len(files) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 and not os.environ.get("LPSECTL_SERIAL"):
        from concurrent.futures import ProcessPoolExecutor

        size = max(200, len(files) // ((os.cpu_count() or 1) * 8))
        chunks = [(str(hd.tickets_dir), files[i:i + size]) for i in range(0, len(files), size)]
        with ProcessPoolExecutor(min(os.cpu_count() or 1, 8)) as pool:
            read = [r for part in pool.map(_examine_all, chunks) for r in part]
    else:
        read = _examine_all((str(hd.tickets_dir), files))
    problems: list[Problem] = []
    by_id: dict[str, list[str]] = defaultdict(list)
    for rel, tid, found in read:
        by_id[tid].append(rel)
        problems.extend(found)
    for tid, paths in sorted(by_id.items()):
        if len(paths) > 1:
            for p in paths:
                others = ", ".join(x for x in paths if x != p)
                problems.append(Problem(p, 2, f"duplicate id {tid}: also in {others}; both are kept"))
    problems.extend(_stray(hd))
    return len(files), problems


# Below this many files, check reads them in its own process.
PARALLEL_FROM = 2000


def _rel(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path


def _examine_all(job: tuple[str, list[str]]) -> list[tuple[str, str, list[Problem]]]:
    """(path as shown, id, problems) of each file: a function of the files alone, for workers."""
    tickets_dir, files = job
    out = []
    for name in files:
        path = Path(name)
        rel = _rel(name)
        try:
            t = read_ticket(path, rel)
        except Damaged as exc:
            out.append((rel, path.stem.upper(), [Problem(exc.path, exc.line, exc.problem)]))
            continue
        m = ID_RE.match(t.id)
        expected = os.path.join(tickets_dir, f"20{m.group(1)}", m.group(2), f"{t.id}.yaml")  # type: ignore[union-attr]
        problems = []
        if os.path.normcase(os.path.abspath(expected)) != os.path.normcase(os.path.abspath(name)):
            problems.append(Problem(rel, 2, f"ticket {t.id} belongs in {_rel(expected)}"))
        problems.extend(_conflicts(t, path, rel))
        out.append((rel, t.id, problems))
    return out


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
