"""Intake: tickets from past records (CSV, XLSX) and from the office mailbox.

The core of ``lpsectl import`` and ``lpsectl import-mail``. It never prints
and never imports click: it returns what it did and raises
:class:`~lpsectl.errors.LpseError` subclasses, and the CLI reports.

* :mod:`.table`   spreadsheets: read, check every row, build tickets
* :mod:`.mail`    .eml files, mbox files and Maildir folders
* :mod:`.staging` all or nothing on disk: stage, journal, move, roll back
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, ContextManager, Iterable, Iterator, Optional

from lpsectl.store import ALPHABET, RANDOM_LEN, Helpdesk

# The CLI passes a progress bar: wrap(items, label) -> context of an iterable.
Wrap = Callable[[list, str], ContextManager[Iterable]]


@contextmanager
def no_bar(items: list, label: str) -> Iterator[Iterable]:
    yield items


@dataclass
class Problem:
    """One input that could not be taken: a spreadsheet row or a mail."""

    source: str
    number: int
    why: str
    unit: str = "row"
    # What stays the same when the same input is met again (a mail's bytes
    # and the reason): so a later run knows it was reported before.
    key: Optional[str] = None

    def __str__(self) -> str:
        return f"{self.source}: {self.unit} {self.number}: {self.why}"


class IdMaker:
    """Fresh ids for many tickets at once.

    Each month folder is listed once (not one lookup per ticket), and ids
    handed out in this run are remembered, so a bulk import never gives one
    id twice. Runs under the helpdesk lock, so no other process adds ids
    meanwhile.
    """

    def __init__(self, hd: Helpdesk) -> None:
        self.hd = hd
        self._taken: dict[str, set[str]] = {}

    def _month(self, stem: str) -> set[str]:
        taken = self._taken.get(stem)
        if taken is None:
            folder = self.hd.tickets_dir / f"20{stem[:2]}" / stem[2:4]
            try:
                names = os.listdir(folder)
            except OSError:
                names = []
            taken = {n[:-5].upper() for n in names if n.endswith(".yaml")}
            self._taken[stem] = taken
        return taken

    def new(self, created_at: datetime) -> str:
        stem = f"{created_at.astimezone(self.hd.tz):%y%m}"
        taken = self._month(stem)
        while True:  # 31**6 ids a month: a clash is rare, and checked
            tid = f"{stem}-" + _random_part()
            if tid not in taken:
                taken.add(tid)
                return tid

    def taken(self, tid: str) -> bool:
        return tid.upper() in self._month(tid[:4])


_SPACE = len(ALPHABET) ** RANDOM_LEN
# The random parts' numbers drawn ahead, and the process they were drawn in (a forked one draws its own).
_DRAWS: Optional[Iterator[int]] = None
_DRAWN_IN = 0


def _draws() -> Iterator[int]:
    """Uniform numbers below _SPACE, 1,024 drawn by one ``os.urandom`` call (one call each was a system call an id).

    Each is 30 random bits, kept only when below _SPACE (31**6, four fifths
    of 2**30), so every number is as likely as any other.
    """
    while True:
        for n in memoryview(os.urandom(4096)).cast("I"):
            n &= 0x3FFFFFFF
            if n < _SPACE:
                yield n


def _random_part() -> str:
    """RANDOM_LEN characters of ALPHABET, uniformly: one number, not one per character."""
    global _DRAWS, _DRAWN_IN
    if _DRAWS is None or _DRAWN_IN != os.getpid():
        _DRAWS, _DRAWN_IN = _draws(), os.getpid()
    n = next(_DRAWS)
    out = []
    for _ in range(RANDOM_LEN):
        n, i = divmod(n, len(ALPHABET))
        out.append(ALPHABET[i])
    return "".join(out)


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


__all__ = ["Problem", "IdMaker", "Wrap", "no_bar", "human_size", "Optional"]
