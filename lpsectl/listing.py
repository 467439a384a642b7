"""What ``list`` selects: the same rows from parsed tickets or from the index.

:func:`listed` assesses every ticket in Python (the way without the index,
and the reference); :func:`listed_from_index` asks the index, which holds
each ticket's state and deadline. They give the same rows in the same order
(tests/cli/test_index_answers_like_the_files.py compares them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional, Sequence

from lpsectl.clock import Calendar, parse_date
from lpsectl.errors import BadInput
from lpsectl.index import Index, micros
from lpsectl.textout import object_text
from lpsectl.vocabulary import STATUS
from lpsectl.views import LIST_SUBJECT, PAGE_SUBJECT, list_json, local, matches, phone_digits, short
from lpsectl.i18n import _

if TYPE_CHECKING:
    import sqlite3

    from lpsectl.model import Ticket  # a listing the index answers makes none
    from lpsectl.sla import Assessment  # imported where a ticket is assessed: an index's listing seldom asks
    from lpsectl.store import Helpdesk


@dataclass
class Filters:
    """What ``list`` asks for; dates as YYYY-MM-DD, the category casefolded."""

    statuses: set[str]
    show_all: bool
    tier: Optional[str]
    channel: Optional[str]
    kind: Optional[str]
    category: Optional[str]
    overdue: bool
    since: Optional[str]
    until: Optional[str]
    search: Optional[str]
    # Open tickets with a deadline (a first response not yet given, or the
    # resolution) at or before this moment: ``--due``.
    due_by: Optional[datetime] = None
    # Waiting tickets that have waited more than this many working days.
    waiting_over: Optional[int] = None
    sort: str = "created"  # or "due": by due_at, earliest first
    # Only tickets with a follow-up not yet acted on, closed ones included.
    flagged: bool = False
    # Leave out the overdue ones (the morning page shows them in a section of their own).
    not_overdue: bool = False
    # Only tickets this officer holds (as the holder was recorded), or only those no one holds.
    holder: Optional[str] = None
    unassigned: bool = False
    # Only tickets this officer does not hold (the morning page lists the operator's own first, then these).
    other_than: Optional[str] = None
    # Leave out the tickets due by this moment (--due's rule): the morning page's next working day
    # leaves out what is due today.
    not_due_by: Optional[datetime] = None
    # The tickets this officer holds first, each part in the listing's order (the morning page).
    first: Optional[str] = None

    def keeps_holder(self, holder: Optional[str]) -> bool:
        if self.unassigned and holder is not None:
            return False
        if self.other_than is not None and holder == self.other_than:
            return False
        return self.holder is None or holder == self.holder

    def keeps_state(self, status: str, tier: str) -> bool:
        if self.statuses and status not in self.statuses:
            return False
        if not self.statuses and not self.every_status() and status == "closed":
            return False
        return not (self.tier and tier != self.tier)

    def every_status(self) -> bool:
        """Whether closed tickets are listed without a --status asking for them."""
        return self.show_all or self.flagged

    def keeps_ticket(self, t: Ticket, tz: tzinfo) -> bool:
        """The filters on what the ticket says, not on its state."""
        day = t.created_at.astimezone(tz).date().isoformat()
        if self.since and day < self.since or self.until and day > self.until:
            return False
        if self.channel and t.channel != self.channel or self.kind and t.kind != self.kind:
            return False
        if self.category is not None and (t.category or "").casefold() != self.category:
            return False
        return not (self.search and not matches(t, self.search))


Found = list  # of (list --json object, created as shown, due as shown): a row as :func:`listed` finds it
Shown = tuple  # a row as a :class:`Shape` gives it: id, holder, what the output prints

# The columns of ``list --csv``. New columns go at the end, so a script reading the columns by place keeps working.
LIST_COLUMNS = ("id", "created_at", "channel", "kind", "status", "tier", "due_at", "overdue", "subject",
                "holder", "flagged", "waiting_days")


@dataclass(frozen=True)
class Shape:
    """What one output prints of each listed row, after the row's id and holder (the morning page needs both).

    ``columns``: SQL over the index's columns (``{now}``, the moment in
    microseconds), for the rows the index holds as they are now. ``of``: the
    same from a row as :func:`listed` finds it, for every row without the
    index and the few moving ones with it. The index gives byte for byte
    what the files give (tests/cli/test_index_answers_like_the_files.py).
    """

    columns: tuple[str, ...]
    of: Callable[[dict, str, str, tzinfo], Shown]
    # For a table made in SQL (:func:`table_from_index`): the printed cells that people wrote, by place
    # (after the id and holder), each with the column that says it is not plain (index.LISTED_FROM), so
    # that no cell's text is tested on the way: a table measures those as tabulate does. Every other cell
    # is printable ASCII by construction (ids, values, times with the zone's ASCII abbreviation, counts),
    # one column a character, as SQL's length() counts it.
    written: tuple[tuple[int, str], ...] = ()


def waited(days: Optional[int]) -> str:
    """The working days a waiting ticket has waited, as a table cell; empty when it is not waiting."""
    return "" if days is None else str(days)


def _respond_by(when: Optional[str], tz: tzinfo) -> str:
    """The first response's deadline while none was given, as a table cell; empty after."""
    return "" if when is None else local(datetime.fromisoformat(when), tz)


_OVERDUE = "(status = 'open' AND due_us < {now})"
_DUE_CELL = f"due_local || CASE WHEN {_OVERDUE} THEN ' !' ELSE '' END"


def _bool(sql: str) -> str:
    return f"CASE WHEN {sql} THEN 'true' ELSE 'false' END"


# ``list --json``: each row's object as text (textout.object_text), the list made by textout.rows_text.
JSON = Shape(
    ("id", "holder", f"json_head || {_bool(_OVERDUE)} || json_tail"),
    lambda r, created, due, tz: (r["id"], r["holder"], object_text(r)))
# ``list --csv``: the values of LIST_COLUMNS, booleans as csvcells writes them.
CSV = Shape(
    ("id", "holder", "id", "created_iso", "channel", "kind", "status", "tier", "due_iso", _bool(_OVERDUE),
     "subject", "holder", _bool("flagged"), "NULL"),
    lambda r, created, due, tz: (r["id"], r["holder"], *(r[c] for c in LIST_COLUMNS)))
# The cells of the table of ``list``.
TABLE = Shape(
    ("id", "holder", "id", "created_local", "channel", "kind", "list_status", "tier", "list_holder", _DUE_CELL,
     "''", "list_subject"),
    lambda r, created, due, tz: (
        r["id"], r["holder"], r["id"], created, r["channel"], r["kind"], r["status"] + (" *" if r["flagged"] else ""),
        r["tier"], r["holder"] or "-", due + (" !" if r["overdue"] else ""), waited(r["waiting_days"]),
        short(r["subject"], LIST_SUBJECT)),
    written=((6, "holder_not_plain"), (9, "subject_not_plain")))
# The cells of a section of the morning page.
PAGE = Shape(
    ("id", "holder", "id", "list_status", "tier", "list_holder",
     "CASE WHEN responded_us IS NULL THEN respond_local ELSE '' END", _DUE_CELL, "''", "page_subject"),
    lambda r, created, due, tz: (
        r["id"], r["holder"], r["id"], r["status"] + (" *" if r["flagged"] else ""), r["tier"], r["holder"] or "-",
        _respond_by(r["respond_by"], tz), due + (" !" if r["overdue"] else ""), waited(r["waiting_days"]),
        short(r["subject"], PAGE_SUBJECT)))

DUE_WORDS = ("today", "tomorrow", "week")


def read_due(when: str) -> "str | date":
    """What ``list --due WHEN`` names: today, tomorrow, week, or a date (read as ``--since`` reads it)."""
    word = when.strip().lower()
    if word in DUE_WORDS:
        return word
    try:
        return parse_date(when, "--due date")
    except BadInput:
        raise BadInput(_("--due takes today, tomorrow, week or a date such as 2026-08-13, not {when!r}").format(when=when)) from None


def due_by(cal: Calendar, when: "str | date", now: datetime) -> datetime:
    """The end of the day ``when`` (from :func:`read_due`) names, as of ``now``.

    ``tomorrow`` is the next working day; ``week`` the last working day of
    this week, or today when none is left.
    """
    today = cal.local_date(now)
    if when == "today":
        day = today
    elif when == "tomorrow":
        day = cal.next_working_day(today)
    elif when == "week":
        day = cal.last_working_day_of_week(today)
    else:
        assert isinstance(when, date)
        day = when
    return cal.end_of_day(day)


def _found(t: Ticket, a: Assessment, tz: tzinfo) -> tuple:
    return list_json(t, a, tz), local(t.created_at, tz), local(a.due_at, tz)


def keeps_assessed(want: Filters, a: Assessment) -> bool:
    """The filters on what the clock says of the ticket now."""
    if want.overdue and not a.overdue or want.not_overdue and a.overdue:
        return False
    if want.due_by is not None and not _due_by(a, want.due_by):
        return False
    if want.not_due_by is not None and _due_by(a, want.not_due_by):
        return False
    if want.waiting_over is not None and (a.waiting_days is None or a.waiting_days <= want.waiting_over):
        return False
    return True


def _due_by(a: Assessment, moment: datetime) -> bool:
    """Open, with a deadline (a first response not yet given, or the resolution) at or before ``moment``."""
    s = a.state
    if s.status != "open":
        return False
    return s.first_response_at is None and a.response_due_at <= moment or a.due_at <= moment


def _order(want: Filters, created_us: int, tid: str, due_us: int, holder: Optional[str]) -> tuple:
    key = (due_us, created_us, tid) if want.sort == "due" else (created_us, tid)
    return key if want.first is None else (holder != want.first, *key)


def listed(hd: "Helpdesk", tickets: Iterable[Ticket], want: Filters, now: datetime, shape: Shape) -> list[Shown]:
    """The listing from parsed tickets: every ticket assessed in Python."""
    from lpsectl.sla import assess

    out = []
    for t in tickets:
        if not want.keeps_ticket(t, hd.tz):
            continue
        s = t.state(now)
        if not want.keeps_state(s.status, s.tier):
            continue
        if want.flagged and not s.flagged or not want.keeps_holder(s.holder):
            continue
        a = assess(t, hd.config, hd.calendar, now, state=s)
        if not keeps_assessed(want, a):
            continue
        out.append((_order(want, micros(t.created_at), t.id, micros(a.due_at), s.holder), _found(t, a, hd.tz)))
    out.sort(key=lambda x: x[0])
    return [shape.of(*f, hd.tz) for _, f in out]


@dataclass
class Listed:
    """A listing as one output prints it: how many rows, and the rows.

    ``rows``: each row as a :class:`Shape` gives it (the first ``limit`` when
    one was asked).
    """

    count: int
    rows: list


# Between two rows of a JSON list at the top level (textout.rows_text).
ROW_SEP = ",\n  "


def _where(hd: "Helpdesk", want: Filters, now: datetime) -> tuple[list[str], list, list[str], list]:
    """The conditions on ``listed`` of the settled rows, and on ``tickets`` of the rows that may have moved."""
    now_us = micros(now)
    where, params = [], []
    if want.since:
        where.append("day >= ?")
        params.append(want.since)
    if want.until:
        where.append("day <= ?")
        params.append(want.until)
    for column in ("channel", "kind"):
        if getattr(want, column):
            where.append(f"{column} = ?")
            params.append(getattr(want, column))
    if want.category is not None:
        where.append("category_cf = ?")
        params.append(want.category)
    search: list[str] = []
    if want.search:
        digits = phone_digits(want.search)
        search.append("(instr(search, ?) > 0 OR (? AND phone IS NOT NULL AND instr(phone, ?) > 0))")
        params += [want.search.casefold(), len(digits) >= 3, digits]
    moving = "(last_us > ? OR status = 'waiting')"
    moving_params: list = [now_us]
    if want.due_by is not None or want.waiting_over is not None:
        # Only a ticket that is open now is due, and only one waiting now has
        # waited: a row waiting as of its last event (before now) is either.
        moving = "(last_us > ? OR (status = 'waiting' AND ?))"
        moving_params.append(want.due_by is None)
    if want.waiting_over is not None:
        since = hd.calendar.waited_more_than(now, want.waiting_over)
        moving = "(last_us > ? OR (status = 'waiting' AND ? AND wait_since_us <= ?))"
        moving_params.append(micros(since))
    # The search reads the wide rows: only for the ids of the rows it finds.
    settled = list(where) + [f"id IN (SELECT id FROM tickets WHERE {search[0]})" for _ in search[:1]]
    settled += ["NOT (last_us > ? OR status = 'waiting')"]
    settled_params = list(params) + [now_us]
    if want.statuses:
        # A settled row is never waiting. Said so, the morning page's open or waiting tickets are the open
        # rows: SQLite reads them from the table in its order, not one by one through another index.
        statuses = sorted(want.statuses - {"waiting"})
        settled.append(f"status IN ({', '.join('?' * len(statuses))})" if statuses else "0")
        settled_params += statuses
    elif not want.every_status():
        settled.append("status != 'closed'")
    if want.flagged:
        settled.append("flagged = 1")
    if want.unassigned:
        settled.append("holder IS NULL")
    if want.holder is not None:
        settled.append("holder = ?")
        settled_params.append(want.holder)
    if want.other_than is not None:
        settled.append("holder IS NOT ?")
        settled_params.append(want.other_than)
    if want.tier:
        settled.append("tier = ?")
        settled_params.append(want.tier)
    if want.overdue:
        settled.append("status = 'open' AND due_us < ?")
        settled_params.append(now_us)
    if want.not_overdue:
        settled.append("NOT (status = 'open' AND due_us < ?)")
        settled_params.append(now_us)
    if want.due_by is not None:
        by = micros(want.due_by)
        settled.append("status = 'open' AND (due_us <= ? OR (responded_us IS NULL AND response_due_us <= ?))")
        settled_params += [by, by]
        if want.not_overdue:
            # What not_overdue leaves of an open row, said as a range of the deadline index: the morning
            # page's due today and tomorrow then read the few rows not overdue, not every overdue one.
            settled.append("due_us >= ?")
            settled_params.append(now_us)
    if want.not_due_by is not None:
        by = micros(want.not_due_by)
        settled.append("NOT (status = 'open' AND (due_us <= ? OR (responded_us IS NULL AND response_due_us <= ?)))")
        settled_params += [by, by]
    if want.waiting_over is not None:
        settled.append("0")  # a settled row is not waiting
    return settled, settled_params, where + search + [moving], params + moving_params


def _keys(want: Filters) -> list[str]:
    """The columns a listing is ordered by (:func:`_order`)."""
    return ["due_us", "created_us", "id"] if want.sort == "due" else ["created_us", "id"]


def _moving(hd: "Helpdesk", ix: Index, want: Filters, now: datetime, shape: Shape, where: str, params: list,
            assessed: Optional[dict[str, Assessment]]) -> list[tuple[tuple, Shown]]:
    """The rows whose state may have moved since the index derived them, assessed now, in order, with their keys."""
    seen = {} if assessed is None else assessed
    out = []
    for t in ix.tickets(where, params):
        found = _one(hd, t, want, now, seen)
        if found is not None:
            key, f = found
            out.append((key, shape.of(*f, hd.tz)))
    out.sort(key=itemgetter(0))
    return out


def listed_from_index(hd: "Helpdesk", ix: Index, want: Filters, now: datetime, shape: Shape,
                      assessed: Optional[dict[str, Assessment]] = None, limit: Optional[int] = None) -> Listed:
    """The listing as queries: the rows whose state and deadline the index holds as they are now.

    A waiting ticket's deadline moves while it waits, and a ticket with an
    event after now (``--at`` a little ahead) had another state now: those
    few are assessed in Python, like every ticket without the index, and
    merged in order. ``assessed``: their assessments as of ``now`` by id,
    kept across the listings of one page (the morning page asks six).
    ``limit``: only the first rows are wanted (the count is of them all):
    their keys are found first, from an index that holds every column the
    conditions read, then only those rows are read.
    """
    settled, params, moving_where, moving_params = _where(hd, want, now)
    moving = _moving(hd, ix, want, now, shape, " AND ".join(moving_where), moving_params, assessed)
    keys = _keys(want)
    order, order_params = ", ".join(keys), []
    if want.first is not None:
        order, order_params = "holder IS NOT ?, " + order, [want.first]
    columns = [c.format(now=micros(now)) for c in shape.columns]
    where = " AND ".join(settled)
    count = len(moving)
    if limit is not None:
        count += ix.db.execute(f"SELECT count(*) FROM listed WHERE {where}", params).fetchone()[0]
        where = (f"(status, created_us, id) IN (SELECT status, created_us, id FROM listed WHERE {where} "
                 f"ORDER BY {order} LIMIT {int(limit)})")
        params = params + order_params
    if not moving:  # the usual case: the rows as SQL orders them
        rows = ix.select(where, params + order_params, columns, order=order, table="listed")
        return Listed(len(rows) if limit is None else count, rows)
    # Merged in order by the keys that follow each row's columns (the holder is each row's second column).
    n = len(columns)
    rows = ix.select(where, params + order_params, columns + keys, order=order, table="listed")
    if want.first is None:
        merged = [(r[n:], r[:n]) for r in rows]
    else:
        merged = [((r[1] != want.first, *r[n:]), r[:n]) for r in rows]
    merged += moving
    merged.sort(key=itemgetter(0))
    return Listed(len(merged) if limit is None else count, [r for _, r in merged[:limit]])


@dataclass
class Texts:
    """A JSON listing's rows as UTF-8, read from the index as they are written.

    ``parts``, in the listing's order: a row's text or rows' texts joined by
    ``ROW_SEP`` (bytes), or a run of settled rows still to read (a function
    that reads it in chunks, :func:`texts_in_order`). A long listing is
    28 MB of text at 100,000 tickets: read and written a chunk at a time,
    the same megabyte of memory serves every chunk, where one string (SQLite's
    growing group_concat, its copy as a blob, Python's bytes) cost three fresh
    copies of it, a page fault every 4 KiB. What is read ahead
    (:meth:`read_ahead`, while git looks at the files) is held until it is written.
    """

    parts: list

    def __post_init__(self) -> None:
        self._held: list[bytes] = []
        self._source: Optional[Iterator[bytes]] = None

    def __add__(self, other: "Texts") -> "Texts":
        assert self._source is None and other._source is None, "joined before any is read"
        return Texts(self.parts + other.parts)

    def _next(self) -> Optional[bytes]:
        if self._source is None:
            self._source = _parts_read(self.parts)
        return next(self._source, None)

    def read_ahead(self, busy: Callable[[], bool]) -> bool:
        """Read chunks and hold them while ``busy()`` says so; whether every chunk is read."""
        while busy():
            chunk = self._next()
            if chunk is None:
                return True
            self._held.append(chunk)
        return False

    def chunks(self) -> Iterator[bytes]:
        """The rows' texts in chunks, each of whole rows joined by ``ROW_SEP`` (as are the chunks, when written)."""
        while self._held:
            yield self._held.pop(0)
        while (chunk := self._next()) is not None:
            yield chunk


def _parts_read(parts: list) -> Iterator[bytes]:
    """The chunks of :attr:`Texts.parts`, each run read as it is reached.

    A function, not a method of the Texts: a generator that held its Texts
    would be a reference cycle, left to the cyclic collector (running at
    some later moment, the index perhaps closed by then) instead of freed
    with the Texts, when a listing is not read to its end.
    """
    for part in parts:
        if type(part) is bytes:
            yield part
        else:
            yield from part()


def text_from_index(hd: "Helpdesk", ix: Index, want: Filters, now: datetime,
                    assessed: Optional[dict[str, Assessment]] = None) -> Texts:
    """The ``list --json`` texts of the listing's rows (:class:`Texts`), read when they are written.

    The settled rows between two moving ones (all of them, when none moves)
    are one query, read in chunks (:func:`texts_in_order`); the moving
    rows' texts are made now. The chunks must be read while the index's read
    (``Index.begin_read``) that gave them is open.
    """
    if want.first is not None:  # two listings, by holder
        return (text_from_index(hd, ix, replace(want, holder=want.first, first=None), now, assessed)
                + text_from_index(hd, ix, replace(want, other_than=want.first, first=None), now, assessed))
    settled, params, moving_where, moving_params = _where(hd, want, now)
    moving = _moving(hd, ix, want, now, JSON, " AND ".join(moving_where), moving_params, assessed)
    keys = _keys(want)
    text = JSON.columns[2].format(now=micros(now))
    row_keys = f"({', '.join(keys)})"
    marks = f"({', '.join('?' * len(keys))})"
    within = _steps_within(want)
    parts: list = []
    bounds = [key for key, _ in moving]
    for i in range(len(bounds) + 1):
        after = bounds[i - 1] if i > 0 else None
        before = bounds[i] if i < len(bounds) else None
        between, between_args = _key_bounds(row_keys, marks, after, "<", before)
        steps = None if within is None else Steps(within[0], within[1], after, before, within[2])
        parts.append(partial(texts_in_order, ix.db, text, " AND ".join([*settled, *between]),
                             [*params, *between_args], keys, steps))
        if i < len(bounds):
            parts.append(moving[i][1][2].encode())
    return Texts(parts)


# Up to this many rows, a listing's rows are first found by their keys alone (see texts_in_order).
FEW_ROWS = 10_000
# The rows of a long listing read and written at a time: about a megabyte of text.
CHUNK_ROWS = 2000
_ROW_SEP = ROW_SEP.encode()


@dataclass(frozen=True)
class Steps:
    """Where the chunks of a long run of a listing end: at every ``CHUNK_ROWS``-th key of ``tickets`` in its order.

    ``within``: a condition on ``tickets`` (its parameters ``params``) that
    every row of the run meets, so that a narrow index of ``tickets`` in
    the listing's order holds the keys (``tickets_by_status`` and
    ``tickets_by_due`` for one status, ``tickets_created`` for any).
    ``after``, ``before``: the keys the run lies between (moving rows'),
    None at either end of the listing. The chunks are the ranges of keys
    between two steps, so they hold every row once whichever keys the
    steps are; a condition kept to the run's rows only keeps each chunk to
    ``CHUNK_ROWS`` rows at most. ``statuses``: the statuses a run of
    several has, each a range of ``listed`` (keyed by status first) that a
    chunk reads and SQLite sorts, a chunk's rows only.
    """

    within: str
    params: list
    after: Optional[tuple] = None
    before: Optional[tuple] = None
    statuses: tuple[str, ...] = ()


def _key_bounds(row: str, marks: str, after: Optional[Sequence], upto: str,
                before: Optional[Sequence]) -> tuple[list[str], list]:
    """The conditions (and their parameters) that keep the keys ``row`` above ``after`` and ``upto`` (``<``, ``<=``) ``before``; None: no bound."""
    where: list[str] = []
    args: list = []
    for cond, key in ((f"{row} > {marks}", after), (f"{row} {upto} {marks}", before)):
        if key is not None:
            where.append(cond)
            args += key
    return where, args


def _steps_within(want: Filters) -> Optional[tuple[str, list, tuple[str, ...]]]:
    """What :class:`Steps` needs for the settled rows ``_where`` asks for, but the run's keys; None for one statement.

    Rows of one status come from ``listed`` in the listing's order, by
    opening time or deadline; rows of several by opening time, one range of
    ``listed`` a status, sorted a chunk at a time (one statement sorted
    them all; ``listed_table`` gave those not closed in order, but looked
    each row up in ``listed`` for its text). Not by deadline across
    statuses (no index of ``tickets`` holds those keys in order), nor with
    a search: each chunk's statement would search every ticket's text
    again (at 100,000 tickets, 40 s instead of 2).
    """
    if want.search:
        return None
    if want.overdue or want.due_by is not None:
        return "status = ?", ["open"], ()
    # A settled row is never waiting (_where).
    statuses = sorted((want.statuses or {s for s in STATUS if want.every_status() or s != "closed"}) - {"waiting"})
    if len(statuses) == 1:
        return "status = ?", statuses, ()
    if not statuses or want.sort == "due":
        return None
    return "1", [], tuple(statuses)


def texts_in_order(db: "sqlite3.Connection", text: str, where: str, params: list,
                   keys: list[str], steps: Optional[Steps] = None) -> Iterator[bytes]:
    """The ``text`` of the rows of ``listed`` that match, in the order of ``keys``: UTF-8 chunks of rows joined by ``ROW_SEP``.

    Each chunk is ``CHUNK_ROWS`` rows at most; none is empty, and none
    comes when no row matches. The rows are first counted up to one past
    ``FEW_ROWS``, from an index that covers the conditions. When they are
    few, their keys are found there and only those rows are read (an index
    scan that read every candidate row would cost as much as a listing of
    them all). When they are many, the statements that read their texts
    are the only ones that read them all: with ``steps`` (:class:`Steps`),
    a chunk is one statement that joins its rows in SQL
    (``group_concat``), between two keys found in a narrow index; without,
    one statement gives every row's text, ``CHUNK_ROWS`` at a time, joined
    here.
    """
    few = db.execute(f"SELECT count(*) FROM (SELECT 1 FROM listed WHERE {where} LIMIT {FEW_ROWS + 1})",
                     params).fetchone()[0]
    if not few:
        return
    if few > FEW_ROWS and steps is not None:
        yield from _chunks_between_steps(db, text, where, params, keys, steps)
        return
    if few <= FEW_ROWS:
        where = f"(status, created_us, id) IN (SELECT status, created_us, id FROM listed WHERE {where})"
    rows = db.execute(f"SELECT CAST({text} AS BLOB) FROM listed WHERE {where} ORDER BY {', '.join(keys)}", params)
    first = itemgetter(0)
    while chunk := rows.fetchmany(CHUNK_ROWS):
        yield _ROW_SEP.join(map(first, chunk))


def _chunks_between_steps(db: "sqlite3.Connection", text: str, where: str, params: list, keys: list[str],
                          steps: Steps) -> Iterator[bytes]:
    """The chunks of :func:`texts_in_order` for a long run, each joined by SQL between two steps.

    One row a Python object (a fetched row of 60,000, a bytes of each, the
    join) cost more than SQL's join of the same texts; a step is a seek and
    ``CHUNK_ROWS`` entries of a narrow index, where finding it in ``listed``
    would read the wide rows twice.
    """
    order = ", ".join(keys)
    row, marks = f"({order})", f"({', '.join('?' * len(keys))})"
    after = steps.after
    while True:
        step_where, step_args = _key_bounds(row, marks, after, "<", steps.before)
        end = db.execute(f"SELECT {order} FROM tickets WHERE {' AND '.join([steps.within, *step_where])} "
                         f"ORDER BY {order} LIMIT 1 OFFSET {CHUNK_ROWS - 1}",
                         [*steps.params, *step_args]).fetchone()
        # The chunk's keys first: SQLite takes the first bounds it meets on the index's columns, and a
        # deadline the listing asks for (due_us < now) would leave every chunk read to the end of the run.
        chunk_where, chunk_args = _key_bounds(row, marks, after, "<=", end)
        if steps.statuses:
            chunk_where.append(f"status IN ({', '.join('?' * len(steps.statuses))})")
            chunk_args += steps.statuses
        (chunk,) = db.execute(f"SELECT CAST(group_concat(t, ?) AS BLOB) FROM (SELECT {text} AS t FROM listed "
                              f"WHERE {' AND '.join([*chunk_where, f'({where})'])} ORDER BY {order})",
                              [ROW_SEP, *chunk_args, *params]).fetchone()
        if chunk:
            yield chunk
        if end is None:
            return
        after = end


@dataclass
class TableText:
    """A listing's table as UTF-8, and how many rows it has.

    ``odd``: the cells that are not printable ASCII, joined; the table needs
    the terminal's escaping (``app.terminal_safe``) only when they do.
    """

    count: int
    text: bytes
    odd: str


def table_from_index(hd: "Helpdesk", ix: Index, want: Filters, now: datetime, shape: Shape,
                     headers: list[str]) -> Optional[TableText]:
    """The table of the listing, made in SQL as ``textout.table_text`` makes it from the cells; None when it cannot be.

    A table of 60,000 rows read as 600,000 Python strings, measured and
    padded one by one, cost more than a second. Here one pass over the rows
    finds each column's widest cell and the few cells people wrote that are
    not printable ASCII; only those are measured in Python (wide characters,
    emoji, combining marks: tabulate's ``wcswidth``), and a second pass pads
    every row in SQL and joins the lines into one text. The rows that may
    have moved since the index derived them are assessed in Python, as
    :func:`listed_from_index` does, and sorted in among the others by SQL.
    None (the caller makes the table from the cells then): a cell with a
    newline or a terminal code, which tabulate lays out itself, or headers
    that are not plain text.
    """
    from lpsectl import textout

    assert want.first is None, "one listing in one order"
    if not textout.simple_headers(headers):
        return None
    settled, params, moving_where, moving_params = _where(hd, want, now)
    moving = _moving(hd, ix, want, now, shape, " AND ".join(moving_where), moving_params, None)
    cells = [c.format(now=micros(now)) for c in shape.columns[2:]]
    not_plain = dict(shape.written)
    last = len(cells) - 1
    if len(cells) != len(headers) or last not in not_plain:
        return None
    where = " AND ".join(settled)
    # Pass one: each column's widest cell, whether a last cell is empty, whether people wrote a cell that
    # is not plain. The cells people wrote are stored stripped (SQL's trim is Python's strip for printable
    # ASCII), with the test that they are plain (Shape.written): no cell is trimmed or tested here.
    aggregates = ["count(*)", f"max({cells[last]} = '')"]
    for i, c in enumerate(cells):
        if c != "''":  # an empty cell (a settled row has waited no days) is no wider than its header
            aggregates.append(f"max(length({c}))")
        if i in not_plain:
            aggregates.append(f"max({not_plain[i]})")
    found = list(ix.db.execute(f"SELECT {', '.join(aggregates)} FROM listed WHERE {where}", params).fetchone())
    count, empty_last = found.pop(0), found.pop(0)
    if not count + len(moving):
        return TableText(0, b"", "")
    measure = _when_asked(textout._measure)
    widths = [len(h) + 2 for h in headers]
    odd: dict[int, dict[str, int]] = {i: {} for i in not_plain}  # the cells not plain, each with its width
    for i, c in enumerate(cells):
        widest = found.pop(0) or 0 if c != "''" else 0
        if i in not_plain and found.pop(0):
            # Some are not plain: the widest of those that are, and the others to measure (each once).
            widest, some = ix.db.execute(
                f"SELECT max(CASE WHEN {not_plain[i]} THEN NULL ELSE length({c}) END), "
                f"json_group_array(DISTINCT CASE WHEN {not_plain[i]} THEN {c} END) "
                f"FROM listed WHERE {where}", params).fetchone()
            odd[i] = {x: textout.cell_width(x.strip(), measure) for x in json.loads(some) if x is not None}
            widest = max([widest or 0, *odd[i].values()])
        widths[i] = max(widths[i], widest)
    moved = []  # the moving rows: their order keys, stripped cells and those cells' widths
    for key, row in moving:
        shown = [c.strip() if type(c) is str else c for c in row[2:]]
        if not all(type(c) is str for c in shown):
            return None
        moved.append((key, shown, [textout.cell_width(c, measure) for c in shown]))
        widths = [max(w, cw) for w, cw in zip(widths, moved[-1][2])]
    odd_text = "".join(x for xs in odd.values() for x in xs) + "".join(
        c for _, shown, _ in moved for c in shown if not textout.plain(c))
    if any(c in odd_text for c in textout.TABULATE_ONLY):
        return None
    rstrip = bool(empty_last) or any(x.strip() == "" for x in odd[last]) or \
        textout.rstripped([shown[-1] for _, shown, _ in moved], headers)
    # Pass two: each row's line, its cells padded by SQL's printf (in bytes: as many as characters for
    # printable ASCII); a cell that is not plain as Python pads it by its display width, looked up by its text.
    formats, arguments, lookups = [], [], []
    for i, c in enumerate(cells):
        pad = f"%-{widths[i]}s" if i < last else "%s"
        if i not in not_plain:
            formats.append(pad)
            arguments.append(c)
            continue
        as_shown = {x: x.strip() + (" " * (widths[i] - w) if i < last else "") for x, w in odd[i].items()}
        as_shown = {x: text for x, text in as_shown.items() if text != x}
        if not as_shown:
            formats.append(pad)
            arguments.append(c)
            continue
        formats.append("%s")
        arguments.append(f"CASE WHEN {not_plain[i]} THEN coalesce((SELECT value FROM json_each(?) "
                         f"WHERE key = {c}), {c}) ELSE printf('{pad}', {c}) END")
        lookups.append(json.dumps(as_shown, ensure_ascii=False))
    line = f"printf('{'  '.join(formats)}', {', '.join(arguments)})"
    if rstrip:
        line = f"rtrim({line})"
    keys = _keys(want)
    named = ", ".join(f"{k} AS k{n}" for n, k in enumerate(keys))
    rows = f"SELECT {named}, {line} AS line FROM listed WHERE {where}"
    args = lookups + params
    if moved:  # in among the others, by their keys
        picked = ", ".join(f"json_extract(value, '$[{n}]')" for n in range(len(keys) + 1))
        rows += f" UNION ALL SELECT {picked} FROM json_each(?)"
        lines = []
        for key, shown, cws in moved:
            text = textout.line_of(shown, widths, cws)
            lines.append([*key, text.rstrip() if rstrip else text])
        args.append(json.dumps(lines, ensure_ascii=False))
    order = ", ".join(f"k{n}" for n in range(len(keys)))
    body = ix.db.execute(f"SELECT CAST(group_concat(line, char(10)) AS BLOB) FROM "
                         f"(SELECT line FROM ({rows}) ORDER BY {order})", args).fetchone()[0]
    head = textout.table_head(headers, widths)
    if rstrip:
        head = [h.rstrip() for h in head]
    return TableText(count + len(moved), "\n".join(head).encode() + b"\n" + body, odd_text)


def _when_asked(find: Callable[[], Callable[[str], int]]) -> Callable[[str], int]:
    """The measure ``find`` gives, found on its first use: wcwidth is imported only for a cell that is not plain."""
    found: list[Callable[[str], int]] = []

    def measure(text: str) -> int:
        if not found:
            found.append(find())
        return found[0](text)
    return measure


def text_of(rows: list[Shown]) -> Texts:
    """The :class:`Texts` of :func:`text_from_index` from rows of the ``JSON`` shape (without the index)."""
    return Texts([ROW_SEP.join(text for _id, _holder, text in rows).encode()] if rows else [])


def _one(hd: "Helpdesk", t: Ticket, want: Filters, now: datetime, seen: dict) -> Optional[tuple]:
    s = t.state(now)
    if not want.keeps_state(s.status, s.tier) or want.flagged and not s.flagged or not want.keeps_holder(s.holder):
        return None
    a = seen.get(t.id)
    if a is None:
        from lpsectl.sla import assess

        a = seen[t.id] = assess(t, hd.config, hd.calendar, now, state=s)
    if not keeps_assessed(want, a):
        return None
    return _order(want, micros(t.created_at), t.id, micros(a.due_at), s.holder), _found(t, a, hd.tz)


# -- the morning page ------------------------------------------------------------

# The sections of ``lpsectl today``, in the order it shows them (and the keys of its JSON).
SECTIONS = ("overdue", "due_today", "due_tomorrow", "unassigned", "waiting_too_long", "flagged")


@dataclass
class Morning:
    """What ``lpsectl today`` shows: each section's rows (:class:`Listed`; :class:`Texts` for --json), the operator's own first."""

    now: datetime
    tomorrow: date
    waiting_alert_days: int
    sections: dict[str, "Listed | Texts"]

    def empty(self) -> bool:
        """Whether no section has a row (the text page's: its sections are :class:`Listed`)."""
        return not any(found.count for found in self.sections.values())


def _filters(**kw) -> Filters:
    base: dict = dict(statuses=set(), show_all=False, tier=None, channel=None, kind=None, category=None,
                      overdue=False, since=None, until=None, search=None)
    return Filters(**(base | kw))


def morning(select: Callable[[Filters], "Listed | Texts"], cal: Calendar, waiting_alert_days: int, now: datetime,
            operator: Optional[str]) -> Morning:
    """The morning page: ``select`` answers one listing (from the index, or from parsed tickets).

    Each ticket shows in one deadline section at most: one overdue is not
    due today again, nor one due today due by the next working day. The
    operator's own tickets come first in each section, each part in the
    section's order.
    """
    today = cal.local_date(now)
    tomorrow = cal.next_working_day(today)
    asked = {
        "overdue": _filters(overdue=True, sort="due"),
        "due_today": _filters(due_by=cal.end_of_day(today), not_overdue=True, sort="due"),
        "due_tomorrow": _filters(due_by=cal.end_of_day(tomorrow), not_due_by=cal.end_of_day(today),
                                 not_overdue=True, sort="due"),
        # Tickets still to be worked on: an answered one waits for the reporter.
        "unassigned": _filters(statuses={"open", "waiting"}, unassigned=True),
        "waiting_too_long": _filters(waiting_over=waiting_alert_days),
        "flagged": _filters(flagged=True),
    }
    sections = {name: select(asked[name] if asked[name].unassigned else replace(asked[name], first=operator))
                for name in SECTIONS}
    return Morning(now, tomorrow, waiting_alert_days, sections)
