"""The index: one SQLite file of what every ticket says, so no command parses them all.

The YAML files stay the truth; ``.lpsectl/index.sqlite3`` (git-ignored,
disposable) holds for each ticket file the columns a listing filters and
shows, its derived state, deadlines and clock figures, and the ticket itself
as JSON for the few rows a query cannot answer from its columns (a ticket
that waits: its deadline moves). ``list`` becomes one query, ``report``
reads its period's columns.

**When it is stale.** The index records git's view of the ticket folder when
it was last brought up to date: the HEAD commit, and the ticket files that
then differed from it (modified, staged, untracked or ignored), with the git
blob id of the text it read from each. Before an answer is given, one
``git status`` says where HEAD is now and which files differ from it now
(it runs while the answer is computed from the index as it stands, which
is kept only if git confirms nothing changed: :meth:`begin_read`,
:meth:`confirms`, ``lpsectl.cli.common.from_index``);
git finds an edit in place by each file's stamps in its own index (size,
mtime, ctime, inode; content compared when a stamp is too recent to trust,
git's "racy" rule), so a same-size rewrite with its mtime put back is seen
too. The files to read again are those that differ now, those that differed
last time, and, when HEAD moved (commit, pull, sync, checkout, stash), the
files ``git diff`` names between the recorded and the present HEAD; if the
recorded HEAD is gone, the blob ids of ``git ls-files -s`` are compared with
the recorded ones. Looking for untracked files walks every name below
tickets/: when no folder there changed since the last update (their stamps
are kept with the index, trusted once :data:`RACY_NS` old), no file was
added, removed or renamed, and git is asked about the tracked files only.
git names an ignored folder as a whole; the files in it are read. A file read again whose blob id is unchanged costs no
parse. A helpdesk outside git compares every file's stamps (mtime, size,
inode, ctime) instead and reads again, by content, any file stamped within
:data:`RACY_NS` of the previous update.

**Keys.** The index is rebuilt from the files when it is missing, unreadable,
or written by another schema or another version of the code that reads
tickets (:func:`code_key`). Deadlines depend on the configuration and the
working-day calendar: the calendar's holidays are kept in the index per
year, keyed by the installed ``holidays`` version, so no command imports
``holidays`` unless a year is new or the package changed; when the
configuration or that version changes, every row's deadlines are derived
again from the ticket it keeps as JSON (no YAML is parsed), a batch of
rows at a time.

**Crashes and company.** Every update is one SQLite transaction (WAL
journal): a process killed in the middle leaves the previous index. Updates
take SQLite's write lock before looking at git, so two lpsectl processes
updating at once take turns and the second finds the work done; readers are
never blocked. Where there is no index (none yet, or a damaged one
removed), the first build writes a file of its own with no journal
(``index.sqlite3.new-*``), every page once, and links it into place when
whole: a kill leaves no index, and of two first builds at once the one
linked first stays and the other brings it up to date. The file a killed
build left is removed by the next open of the index, once the lock its
builder held while alive is free (:mod:`lpsectl.lifetime`).

The core never prints: the caller passes ``track`` to wrap the files a
(re)build parses, for a progress bar.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Sequence

from lpsectl.config import derived_folder
from lpsectl.errors import Damaged, LpseError
from lpsectl.textout import dumps
from lpsectl.views import LIST_SUBJECT, PAGE_SUBJECT, list_texts, local, phone_digits, search_text, short

if TYPE_CHECKING:
    from lpsectl.gitlook import Look
    from lpsectl.lifetime import Held
    from lpsectl.intake.staging import MovingIn
    from lpsectl.model import State, Ticket
    from lpsectl.store import Helpdesk

SCHEMA = 8
INDEX_NAME = Path(".lpsectl") / "index.sqlite3"
# A first build's own file is the index's name with this, then its host, pid and a token
# (Index._open_building, lpsectl.lifetime.hold_new).
BUILDING = ".new-"
# The files SQLite keeps beside a database.
SIDECARS = ("-journal", "-wal", "-shm")
# A stamp this close to the previous update is not trusted to show a later
# same-size rewrite (helpdesks outside git only; git applies its own rule).
RACY_NS = 2_000_000_000
# Below this many files to parse, one process parses them all.
PARALLEL_FROM = 2000
# Rows derived again at a time after the configuration or the holidays changed.
DERIVE_BATCH = 2000
# The index's pages, four times SQLite's default: a listing reads tens of MB of rows a page at a time,
# one system call each, and a system call is dear on a virtual machine (a JSON listing's SQL took about a
# sixth less CPU at 100,000 tickets). A new file takes it; an index made before keeps its own.
PAGE_SIZE = 16384
# SQLite's page cache while many rows go in (negative: KiB), within the memory every command keeps to.
BULK_CACHE_KB = -65536
# The page cache of a first build: its keys come nearly in order, so the pages its rows go to are few,
# and what the cache holds when the last row is in is written by the commit, when one core has nothing
# else to do (at 100,000 tickets: 0.15 s with 64 MB, 0.02 s with 8 MB, and the rows went in no slower).
FIRST_BUILD_CACHE_KB = -8192
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_CODE_KEY: Optional[str] = None

Track = Callable[[list], Iterable]


class IndexUnavailable(LpseError):
    """The index cannot be used here (an unwritable folder, a broken database): read the files."""


# The modules whose source makes the index's rows (this one too): their files are hashed by name, not
# imported, so that a listing that parses, assesses and recaps nothing loads none of them.
CODE_MODULES = ("ticketfile", "fastyaml", "model", "vocabulary", "clock", "sla", "textout", "views", "recapkey",
                "index")


def code_key() -> str:
    """Changes whenever the code that reads tickets or derives their rows does."""
    global _CODE_KEY
    if _CODE_KEY is None:
        from lpsectl import __version__

        h = _blake2b(f"{SCHEMA} {__version__}".encode())
        here = os.path.dirname(__file__)
        for name in CODE_MODULES:
            try:
                h.update(Path(here, f"{name}.py").read_bytes())
            except OSError:  # pragma: no cover - frozen or zipped
                pass
        _CODE_KEY = h.hexdigest()
    return _CODE_KEY


_HOLIDAYS_VERSION: Optional[str] = None


def holidays_version() -> str:
    """The installed ``holidays`` package's version, found without importing it (once per process)."""
    global _HOLIDAYS_VERSION
    if _HOLIDAYS_VERSION is None:
        _HOLIDAYS_VERSION = _find_holidays_version()
    return _HOLIDAYS_VERSION


def _find_holidays_version() -> str:
    from importlib.machinery import PathFinder  # importlib.util costs more than the search

    spec = PathFinder.find_spec("holidays")
    if spec is None or not spec.origin:
        return "none"
    pkg = Path(spec.origin).parent
    try:
        names = sorted(n for n in os.listdir(pkg.parent) if n.startswith("holidays-") and n.endswith("info"))
    except OSError:
        names = []
    try:
        stamp = os.stat(spec.origin).st_mtime_ns
    except OSError:
        stamp = 0
    return " ".join(names) + f" {stamp}"


def _blake2b(data: bytes = b"") -> Any:
    """A 16-byte blake2b of ``data``, as the keys of the index are hashed.

    Taken from ``_blake2``, where hashlib itself takes it: importing hashlib
    loads OpenSSL for its other hashes, which costs a reading command more
    than all its hashing.
    """
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    return blake2b(data, digest_size=16)


# What reading a file and deriving its row use, bound by _load_deriving when a row is first made, not
# imported with this module: a listing the index answers, with no row to make, loads none of them (and
# a function that imports them at each call pays for the import statements at each of 100,000 files).
_SLASH = os.sep == "/" and os.altsep is None
_hashlib: Any = None  # bound by blob_id alone: a file hashed is not always a row made
_read_regular: Any = None
_NotRegular: Any = None
_TooLarge: Any = None
_ID_RE: Any = None
_store: Any = None  # lpsectl.store: its limit is read where it stands
_waiting_since: Any = None
_assess: Any = None
_key_of: Any = None
_ticketfile: Any = None  # lpsectl.ticketfile; it imports the classes of a ticket (lpsectl.model) too
_replay: Any = None


def _load_deriving() -> None:
    global _read_regular, _NotRegular, _TooLarge, _ID_RE, _store, _waiting_since, _assess, _key_of
    global _ticketfile, _replay
    from lpsectl import store, ticketfile
    from lpsectl.model import replay
    from lpsectl.recapkey import key_of
    from lpsectl.regularfile import NotRegular, TooLarge, read_regular
    from lpsectl.sla import assess, waiting_since

    _read_regular, _NotRegular, _TooLarge = read_regular, NotRegular, TooLarge
    _ID_RE, _store, _waiting_since, _assess, _key_of = store.ID_RE, store, waiting_since, assess, key_of
    _ticketfile, _replay = ticketfile, replay


def micros(t: datetime) -> int:
    """Microseconds since the epoch: exact, and ordered as the instants are."""
    d = t - _EPOCH
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def blob_id(data: bytes, sha256: bool = False) -> str:
    """The id git gives ``data`` as a blob."""
    global _hashlib
    if _hashlib is None:
        import hashlib as _hashlib
    h = _hashlib.sha256() if sha256 else _hashlib.sha1()
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def stamp_of(st: os.stat_result) -> str:
    return f"{st.st_mtime_ns} {st.st_size} {st.st_ino} {st.st_ctime_ns}"


# -- the tickets as rows --------------------------------------------------------

def encode_ticket(t: Ticket) -> str:
    """What :func:`ticket_of` needs beyond the columns: message, reporter, refs, history."""
    r = t.reporter
    return dumps([
        t.message, [r.name, r.address, r.phone, r.email, r.account, r.role], t.refs, t.attachments,
        t.extra,
        [[e.at.isoformat(), e.action, e.by, e.tier, e.message,
          None if e.recorded_at is None else e.recorded_at.isoformat(), e.fields]
         for e in t.history],
    ], ",", ":")


# The columns of ``tickets``, in table order.
COLUMNS = (
    "id", "path", "created_us", "created_iso", "channel", "kind", "category", "category_cf",
    "difficulty", "subject", "reporter_name", "search", "phone", "status", "tier", "holder", "flagged",
    "last_us", "edit_us", "responded_us", "wait_since_us", "body",
)
# Derived from the state with the configuration and the calendar (see
# derived): what listings and the recap read without replaying a history.
DERIVED = (
    "day", "created_local", "created_local_iso", "due_us", "due_iso", "due_local", "response_due_us",
    "resolution", "score", "highest_tier", "first_response_us", "resolved_us",
    "response_days", "resolution_days",
    # What listings print of a settled row, written once: its list --json
    # object around the value of "overdue" (the one field that depends on the
    # moment), its subject as the tables cut it, the first response's deadline as shown.
    "json_head", "json_tail", "list_subject", "page_subject", "respond_local",
    # What the recap groups by, coded as one number (lpsectl.recapkey).
    "recap_key",
)
_BASE = len(COLUMNS)
_CREATED_ISO = COLUMNS.index("created_iso")
COLUMNS += DERIVED
# The columns of ``listed``: what listings filter on, order by and print (``lpsectl.listing``),
LISTED = (
    "status", "created_us", "id", "due_us", "response_due_us", "responded_us", "last_us", "holder", "flagged",
    "tier", "day", "channel", "kind", "category_cf", "created_iso", "due_iso", "subject", "created_local",
    "due_local", "respond_local", "list_subject", "page_subject", "json_head", "json_tail",
    # and what the recap's list of overdue tickets reads
    "difficulty", "resolution", "created_local_iso",
    # and the table cells made once here (LISTED_FROM)
    "list_status", "list_holder", "holder_not_plain", "subject_not_plain",
)
# The columns of ``listed`` made by SQL over a row of tickets, once when the row is listed, not on every
# listing: the status and holder cells of the tables (``lpsectl.listing``), and the subject as the table of
# ``list`` shows it, stripped as SQL strips (spaces) and as tabulate strips printable ASCII; whether the
# cells people wrote are plain, every character printable ASCII (GLOB's character class): when one is not,
# the table measures it in Python or leaves it to tabulate.
LISTED_FROM = {
    "list_subject": "trim(list_subject)",
    "list_status": "status || CASE WHEN flagged THEN ' *' ELSE '' END",
    "list_holder": "trim(coalesce(nullif(holder, ''), '-'))",
    "holder_not_plain": "coalesce(holder GLOB '*[^ -~]*', 0)",
    "subject_not_plain": "list_subject GLOB '*[^ -~]*'",
}
# The columns of ``listed`` as a SELECT over ``tickets`` writes them.
LISTED_SELECT = ", ".join(LISTED_FROM.get(c, c) for c in LISTED)

DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, sortkey TEXT NOT NULL, name_id TEXT NOT NULL, blob TEXT, stamp TEXT,
    tid TEXT, message_ids TEXT);
CREATE TABLE IF NOT EXISTS tickets ({", ".join(COLUMNS)}, PRIMARY KEY (id));
CREATE INDEX IF NOT EXISTS tickets_created ON tickets (created_us, id);
-- A listing's rows in the order it prints them, without a sort: by status
-- and opening time, by status and deadline (--overdue, --due, the morning
-- page), and the few flagged ones.
CREATE INDEX IF NOT EXISTS tickets_by_status ON tickets (status, created_us, id);
CREATE INDEX IF NOT EXISTS tickets_by_due ON tickets (status, due_us, created_us, id);
CREATE INDEX IF NOT EXISTS tickets_flagged ON tickets (created_us, id) WHERE flagged = 1;
CREATE INDEX IF NOT EXISTS files_name ON files (name_id);
-- Every command asks for the few damaged files and the few rows whose state
-- may have moved since their last event (a wait, an event a little ahead):
-- neither question should read every row.
CREATE INDEX IF NOT EXISTS files_damaged ON files (sortkey) WHERE tid IS NULL;
CREATE INDEX IF NOT EXISTS tickets_last ON tickets (last_us);
-- The recap counts its period's rows, finds the few that moved since, and
-- lists the categories from these alone (covering indexes), never reading
-- the wide rows with their JSON. A category edited after its period is one
-- search by edit_us.
CREATE INDEX IF NOT EXISTS tickets_recap ON tickets (
    created_us, day, status, last_us, recap_key, resolution, category,
    first_response_us, response_due_us, resolved_us, due_us, response_days, resolution_days);
CREATE INDEX IF NOT EXISTS tickets_edits ON tickets (edit_us, category, day, created_us);
-- The categories a recap lists at zero: one seek per category written, not a sort of every row.
CREATE INDEX IF NOT EXISTS tickets_categories ON tickets (category, day, created_us, edit_us);
CREATE TABLE IF NOT EXISTS holiday_years (year INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS holidays (day TEXT PRIMARY KEY, name TEXT);
-- Every day of the years the calendar holds (first to last, gaps filled) and
-- the working days up to and including it, counted from the first: the
-- working days between two dates are one subtraction, so the recap asks SQL.
CREATE TABLE IF NOT EXISTS calendar_days (day TEXT PRIMARY KEY, working INTEGER NOT NULL, n INTEGER NOT NULL);
-- What listings read of every row, kept narrow and in the order they print
-- it (by status, then oldest first), apart from the wide rows with their
-- JSON: a listing of 60,000 rows reads 30 MB here instead of most of the
-- tickets table. Written from tickets in the same transaction (Index._relist).
CREATE TABLE IF NOT EXISTS listed ({", ".join(LISTED)}, PRIMARY KEY (status, created_us, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS listed_id ON listed (id);
-- The morning page's sections, counted and their first rows found from these
-- alone: by deadline (overdue, due today, due tomorrow), by holder (no one's,
-- the operator's), the few flagged. Each holds every column its conditions
-- read, the moment of the last event too (a row with one ahead of now moves).
CREATE INDEX IF NOT EXISTS listed_by_due ON listed (
    status, due_us, created_us, id, last_us, responded_us, response_due_us, holder);
-- The open rows' JSON texts in deadline order (only an open row has a deadline to meet): a JSON listing
-- by deadline (the morning page's overdue tickets, --due, --sort due) joins them from this alone, not by
-- a seek into listed for each row of the narrow index above. About 470 bytes an open row.
CREATE INDEX IF NOT EXISTS listed_due_texts ON listed (
    status, due_us, created_us, id, last_us, responded_us, response_due_us, holder, json_head, json_tail)
    WHERE status = 'open';
CREATE INDEX IF NOT EXISTS listed_by_holder ON listed (holder, created_us, id, status, last_us);
CREATE INDEX IF NOT EXISTS listed_flagged ON listed (created_us, id, status, last_us, holder) WHERE flagged = 1;
-- The table of every ticket not closed (a bare list), read in the order it
-- prints, from this alone: every column its two passes read (widths, then
-- lines), a fraction of the rows' bytes, with no sort.
CREATE INDEX IF NOT EXISTS listed_table ON listed (
    created_us, id, last_us, due_us, created_local, channel, kind, list_status, tier, list_holder,
    due_local, list_subject, holder_not_plain, subject_not_plain) WHERE status != 'closed';
"""


# Above this many rows written, ``listed`` is made again whole, in order.
RELIST_ALL_FROM = 20_000
# The thread that writes a first build's file to the disk while its rows go in and while it commits
# (Index._start_flushing), and how often it does while the rows go in, in seconds.
FLUSH_THREAD = "lpsectl-flush"
FLUSH_EVERY = 1.0
# Rows written at a time by one executemany (Index._apply).
APPLY_BATCH = 500


def _fit_tables(db: sqlite3.Connection) -> None:
    """Make the tables again when another schema wrote them (its rows have other columns).

    Emptying them is not enough: ``CREATE TABLE IF NOT EXISTS`` keeps the old
    columns, every insert would fail, and every command would fall back to
    reading the files for good. The meta keys go too, so the next update
    rebuilds everything.
    """
    columns = [c[1] for c in db.execute("PRAGMA table_info(tickets)")]
    listed = [c[1] for c in db.execute("PRAGMA table_info(listed)")]
    if columns != list(COLUMNS) or listed != list(LISTED):
        db.executescript("DROP TABLE IF EXISTS tickets; DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS listed; "
                         "DELETE FROM meta;\n" + DDL)


@dataclass
class Context:
    """What deriving a row needs: the configuration and its calendar."""

    cfg: Any
    cal: Any
    # What a row shows of each deadline (see _moment), by zone and instant: tickets share their deadlines
    # (the office close of a working day). By zone, as the texts depend on it: the calendar of a
    # context is replaced when the holidays are computed again, and may be one of another configuration.
    moments: dict[Any, dict[datetime, tuple[int, str, str]]] = field(default_factory=dict)


def _moment(t: datetime, ctx: Context) -> tuple[int, str, str]:
    """A deadline as a row keeps it: :func:`micros`, the ISO text in the office's zone, the local text.

    Each depends on the instant and the zone alone, so one made for an equal
    instant in the same zone (the same office close) serves. Every deadline
    is an office close the calendar made (its zone, ``fold`` 0), so two
    equal keys are one instant.
    """
    tz = ctx.cal.tz
    known = ctx.moments.get(tz)
    if known is None:
        known = ctx.moments[tz] = {}
    out = known.get(t)
    if out is None:
        out = known[t] = (micros(t), t.astimezone(tz).isoformat(), local(t, tz))
    return out


def row_of(t: Ticket, path: str, ctx: Context, s: Optional[State] = None) -> tuple:
    """Every column of ``t``'s row (its history replayed once: ``s``, when the reader's check has it)."""
    if s is None:
        if _replay is None:
            _load_deriving()
        s = _replay(t.history)
    base = base_row(t, path, s)
    return base + derived(t, s, ctx, base[_CREATED_ISO])


def base_row(t: Ticket, path: str, s: State) -> tuple:
    if _waiting_since is None:
        _load_deriving()
    since = _waiting_since(s)
    last = max((e.at for e in t.history), default=None)
    edits = [e.at for e in t.history if e.action == "edit"]
    r = t.reporter
    return (
        t.id, path, micros(t.created_at), t.created_at.isoformat(), t.channel, t.kind, t.category,
        (t.category or "").casefold(), t.difficulty, t.subject, r.name, search_text(t),
        phone_digits(r.phone) if r.phone else None, s.status, s.tier, s.holder, int(s.flagged),
        None if last is None else micros(last), micros(max(edits)) if edits else None,
        None if s.first_response_at is None else micros(s.first_response_at),
        None if since is None else micros(since),
        encode_ticket(t),
    )


def derived(t: Ticket, s: State, ctx: Context, created_iso: Optional[str] = None) -> tuple:
    """The :data:`DERIVED` columns: local day and times, deadlines, the clock's figures.

    A waiting ticket's deadline moves while it waits: its row holds the
    deadline as of its last event and listings and the recap work it out
    again. The working days a response or a resolution took are fixed once
    given, whatever the moment they are looked at from. ``created_iso``:
    ``t.created_at.isoformat()``, when the base row has it.
    """
    if _assess is None:
        _load_deriving()
    tz = ctx.cal.tz
    a = _assess(t, ctx.cfg, ctx.cal, s.last_at or t.created_at, measure=True, state=s)
    created = t.created_at.astimezone(tz)
    day = created.date()
    # In the office's own offset, as nearly every ticket is written, the local text is the text written (each
    # isoformat formats by C's printf); the day is its first ten characters.
    if created_iso is not None and created.utcoffset() == t.created_at.utcoffset():
        created_local_iso = created_iso
    else:
        created_local_iso = created.isoformat()
    due_us, due_iso, due_local = _moment(a.due_at, ctx)
    respond_us, respond_iso, respond_local = _moment(a.response_due_at, ctx)
    return (
        created_local_iso[:10], local(created, tz), created_local_iso,
        due_us, due_iso, due_local,
        respond_us,
        s.resolution, s.score, s.highest_tier,
        None if s.first_response_at is None else micros(s.first_response_at),
        None if s.resolved_at is None else micros(s.resolved_at),
        a.response_days, a.resolution_days,
        *list_texts(t, a, tz, due_iso, respond_iso, created_iso),
        short(t.subject, LIST_SUBJECT), short(t.subject, PAGE_SUBJECT),
        respond_local,
        _key_of(t.channel, t.kind, s.status, s.highest_tier, t.difficulty, s.resolution, s.score, day),
    )


def ticket_of(row: Sequence[Any]) -> Ticket:
    """The :class:`Ticket` of a row of the base columns (``COLUMNS[:_BASE]``).

    Only the few tickets a query cannot answer from its columns (one that
    waits, one with events after the moment asked about) become tickets.
    """
    (tid, _path, _cus, created_iso, channel, kind, category, _ccf, difficulty, subject, _rn, _search,
     _phone, _status, _tier, _holder, _flagged, _last_us, _edit_us, _responded, _waiting, body) = row[:_BASE]
    from lpsectl.model import Event, Reporter, Ticket

    message, rep, refs, attachments, extra, history = json.loads(body)
    at = datetime.fromisoformat
    return Ticket(
        tid, channel, kind, at(created_iso), subject, message, category, difficulty, Reporter(*rep), refs,
        attachments,
        [Event(at(e[0]), e[1], e[2], e[3], e[4], None if e[5] is None else at(e[5]), e[6]) for e in history],
        extra,
    )


# -- reading the files ------------------------------------------------------------

@dataclass
class FileResult:
    """One ticket file as read: its stamps and blob id, and its row or the fact of damage."""

    path: str  # relative to tickets/, with /
    stamp: Optional[str]
    blob: Optional[str]
    message_ids: list[str] = field(default_factory=list)
    row: Optional[tuple] = None  # COLUMNS; None: damaged (or gone, when blob is None)
    unchanged: bool = False  # the text is the one the index holds: only the stamp is new
    made_files_row: Optional[tuple] = None  # :meth:`files_row`, made by the worker that read the file

    def fields(self) -> tuple:
        """What a worker sends back: a plain tuple pickles in half the time of the object."""
        return (self.path, self.stamp, self.blob, self.message_ids, self.row, self.unchanged, self.made_files_row)

    def files_row(self) -> tuple:
        """Its row of the ``files`` table (a file read and not gone)."""
        if self.made_files_row is not None:
            return self.made_files_row
        name = self.path.rpartition("/")[2]
        return (self.path, sort_key(self.path), name[:-len(".yaml")].upper(), self.blob, self.stamp,
                self.row[0] if self.row else None, json.dumps(self.message_ids) if self.message_ids else "[]")


def sort_key(rel: str) -> str:
    """Orders paths as the walk of :meth:`Helpdesk.ticket_files` does: a folder's files before its subfolders."""
    *dirs, name = rel.split("/")
    return "".join(f"\x01{d}" for d in dirs) + "\x00" + name


# The blob of a file that is no regular ticket file (a symlink, a FIFO, too
# large): never read, so it has no blob id; it is damage, named when listed.
UNREAD = "-"


def read_file(tickets_dir: str, rel: str, ctx: Context, sha256: bool = False,
              known_blob: Optional[str] = None, source: Optional[str] = None) -> FileResult:
    """Read and check one ticket file, as :meth:`Helpdesk.read` and the loader's place check do.

    Only a regular file is read, as :meth:`Helpdesk.read` reads it (never a
    symlink followed or a FIFO waited on). ``source``: the file to read
    instead (the backup of a ticket an unfinished import is replacing).
    """
    if _read_regular is None:
        _load_deriving()
    # Joined by hand where the separator is "/" (os.path.join is a Python function, called 100,000 times).
    full = f"{tickets_dir}/{rel}" if _SLASH else os.path.join(tickets_dir, *rel.split("/"))
    try:
        try:
            data, st = _read_regular(source or full, _store.MAX_TICKET_BYTES)
        except FileNotFoundError:
            if source is None:
                raise
            data, st = _read_regular(full, _store.MAX_TICKET_BYTES)  # rolled back meanwhile: whole again
    except (_NotRegular, _TooLarge):
        try:
            return FileResult(rel, stamp_of(os.lstat(full)), UNREAD)
        except OSError:
            return FileResult(rel, None, None)
    except OSError:
        return FileResult(rel, None, None)
    res = FileResult(rel, stamp_of(st), blob_id(data, sha256))
    if res.blob == known_blob:
        res.unchanged = True
        return res
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return res
    res.message_ids = _ticketfile.message_ids_in(text)
    try:
        t, s = _ticketfile.loads_with_state(text, rel)
    except Damaged:
        return res
    m = _ID_RE.match(t.id)
    folder, _, name = rel.rpartition("/")
    if not m or name != f"{t.id}.yaml" or folder != f"20{m.group(1)}/{m.group(2)}":
        return res  # misnamed or misplaced: damage, reported by the loader
    res.row = row_of(t, rel, ctx, s)
    return res


_WORKER: dict[str, Any] = {}


def _worker_init(tickets_dir: str, root: str, sha256: bool, holidays: dict) -> None:
    from lpsectl import config as configmod
    from lpsectl import lifetime
    from lpsectl.clock import Calendar

    lifetime.exit_with_parent()  # killed, the importing or building process tells no worker
    cfg = configmod.load(Path(root) / configmod.CONFIG_NAME)
    cal = Calendar.from_config(cfg)
    cal.preload_holidays(holidays)
    _WORKER.update(tickets_dir=tickets_dir, ctx=Context(cfg, cal), sha256=sha256)


def _worker_read(paths: list[tuple[str, Optional[str]]]) -> list[bytes]:
    """A chunk of files read: their :meth:`FileResult.fields`, marshalled as one text.

    ``marshal`` writes and reads plain tuples of strings and numbers in half
    the time ``pickle`` takes, which the pool would otherwise spend on each
    row (both ends are the same Python).
    """
    import marshal

    out = []
    for p, b in paths:
        res = read_file(_WORKER["tickets_dir"], p, _WORKER["ctx"], _WORKER["sha256"], b)
        if res.blob is not None and not res.unchanged:
            res.made_files_row = res.files_row()  # here, not in the single writer
        out.append(res.fields())
    return [marshal.dumps(out)]


def _derived_again(row: tuple, ctx: Context) -> tuple:
    """The :data:`DERIVED` columns of a row read back (its rowid first), then its rowid."""
    rowid, *base = row
    t = ticket_of(base)
    return derived(t, t.state(), ctx) + (rowid,)


def _worker_derive(rows: list[tuple]) -> list[tuple]:
    return [_derived_again(row, _WORKER["ctx"]) for row in rows]


def worker_context() -> tuple[Context, bool]:
    """In a worker of :meth:`Index.in_workers`: the helpdesk's context, and whether git hashes with SHA-256."""
    return _WORKER["ctx"], _WORKER["sha256"]


_STAGED_FOLDERS: set[str] = set()


def written(t: Ticket, rel: str, ctx: Context, sha256: bool = False,
            stage_to: Optional[str] = None) -> tuple[bytes, FileResult]:
    """The bytes of ``t``'s file and its index row, without reading the file back.

    The row is made from the ticket as the file gives it back
    (:func:`ticketfile.as_read`), so it is the row a rebuild would make. A
    ticket carrying keys or fields this version does not know has its data
    read again instead, as a parse would give them.
    ``stage_to``: the folder to write the file in too (``rel`` below it).
    """
    from lpsectl import fastyaml

    if _ticketfile is None:
        _load_deriving()
    ticketfile = _ticketfile
    data = ticketfile.to_data(t)
    text = fastyaml.dumps_data(data, t)
    raw = text.encode("utf-8")
    res = FileResult(rel, None, blob_id(raw, sha256), ticketfile.message_ids_in(text))
    if t.extra or any(not e.fields.keys() <= ticketfile.KNOWN_FIELDS for e in t.history):
        back, s = ticketfile.from_data_with_state(data, rel)
    else:
        back = ticketfile.as_read(t)
        s = _replay(back.history)
    res.row = row_of(back, rel, ctx, s)
    if stage_to is not None:
        from lpsectl.intake.staging import write_staged

        write_staged(os.path.join(stage_to, *rel.split("/")), raw, _STAGED_FOLDERS)
    return raw, res


class RowSpool:
    """Index rows kept in files until the commit (100,000 of them are never held in memory).

    One file a chunk of rows, written by the process that made them
    (:meth:`write`), so the rows never travel through the importing process
    before the commit; :meth:`read` gives them back in the order of the parts.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._parts = 0

    def part(self) -> str:
        """Where the next chunk's rows go."""
        self._parts += 1
        return os.path.join(str(self.folder), f"{self._parts:06d}.pickle")

    @staticmethod
    def write(path: str, rows: list[tuple]) -> None:
        """Keep one chunk's rows: :meth:`FileResult.fields` (a plain tuple pickles in half the time of the object)."""
        import pickle

        with open(path, "wb") as f:
            pickle.dump(rows, f, protocol=pickle.HIGHEST_PROTOCOL)

    def read(self) -> Iterator[FileResult]:
        import pickle

        for i in range(1, self._parts + 1):
            with open(os.path.join(str(self.folder), f"{i:06d}.pickle"), "rb") as f:
                rows = pickle.load(f)
            for fields in rows:
                yield FileResult(*fields)


# -- the index of one helpdesk ----------------------------------------------------------

class Index:
    """The index of one helpdesk; :meth:`refresh` brings it up to date."""

    def __init__(self, hd: "Helpdesk") -> None:
        self.hd = hd
        self.path = hd.root / INDEX_NAME
        self.tickets_dir = str(hd.tickets_dir)
        self.ctx = Context(hd.config, hd.calendar)
        self._sha256 = False
        # The ids whose rows of tickets this transaction wrote or removed, for ``listed`` (:meth:`_relist`).
        self._written: set[str] = set()
        self._written_all = False
        # Where there is no index yet: the file of its own a first build writes, put in place when whole.
        self._building: Optional[Held] = None
        self._flushing: Optional[tuple[Any, Any]] = None  # (thread, its stop) of _start_flushing
        self.db = self._open()

    # -- opening --------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        derived_folder(self.hd.root)
        # Not only this thread: an import's rows go in on a thread of their own
        # while git commits (:meth:`add_committed`), one thread at a time.
        db = sqlite3.connect(str(self.path), timeout=600, isolation_level=None, check_same_thread=False)
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # taken by a new file only, before WAL writes its header
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _open(self) -> sqlite3.Connection:
        # One listing of .lpsectl says whether the index is there and whether a first build left its file.
        folder, name = os.path.split(self.path)
        try:
            names = os.listdir(folder)
        except OSError:
            names = []
        if any(n.startswith(name + BUILDING) for n in names):
            self._remove_leftovers(names)
        if name not in names:
            return self._open_building()
        try:
            db = self._connect()
            db.executescript(DDL)
            db.execute("SELECT count(*) FROM meta").fetchone()
            _fit_tables(db)
            return db
        except sqlite3.DatabaseError:
            pass  # not a database, or a damaged one: it is disposable
        except OSError as exc:
            raise IndexUnavailable(f"cannot keep the index in {self.path.parent}: {exc}") from None
        try:
            _remove(str(self.path), strict=True)
        except OSError as exc:
            raise IndexUnavailable(f"cannot replace the damaged index {self.path}: {exc}") from None
        return self._open_building()

    # -- a first build, in a file of its own ------------------------------------------
    def _open_building(self) -> sqlite3.Connection:
        """A new file for the index there is not, with no journal: a first build writes each page once.

        Disposable until :meth:`_put_in_place` links it where the index
        lives: a kill or an error before leaves no index there (never half
        of one). The file is held (:func:`lpsectl.lifetime.hold_new`) until
        it is removed by :meth:`close`, or after a kill by the next open of
        the index, as soon as the lock a process holds while alive says its
        builder is gone. Through the WAL, every page of a first build was
        written twice (the WAL, then its checkpoint).
        """
        from lpsectl import lifetime

        try:
            derived_folder(self.hd.root)
            self._building = lifetime.hold_new(f"{self.path}{BUILDING}")
            db = sqlite3.connect(self._building.path, isolation_level=None)
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")  # made durable once, whole (_put_in_place)
            db.executescript(DDL)
            return db
        except (sqlite3.Error, OSError) as exc:
            self._drop_building()
            raise IndexUnavailable(f"cannot make the index {self.path}: {exc}") from None

    def _drop_building(self) -> None:
        """The file a first build that will not be put in place wrote, removed."""
        self._flushed()
        building, self._building = self._building, None
        if building is not None:
            building.drop(_remove)

    def _put_in_place(self) -> bool:
        """The first build, committed and whole, linked where the index lives; then used from there.

        Linked, never renamed over: an index another process put there
        meanwhile stays (a WAL database others have open is never replaced
        under them), and this one is dropped; False then, and the caller
        brings that index up to date. The files of first builds killed
        meanwhile are removed.
        """
        assert self._building is not None
        building = self._building.path
        won = True
        try:
            # Marked as every reader opens it (none converts it then), and on the disk before anyone can read it.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.close()
            try:
                self._flushed()
                _sync(building)  # what was written since the flush began
                os.link(building, self.path)
            except FileExistsError:
                won = False
            except FileNotFoundError:
                won = False  # taken for a leftover (made on another host, unwritten too long): used as a dropped build
            except OSError:  # pragma: no cover - a file system without hard links
                if os.path.exists(self.path):
                    won = False
                else:
                    os.rename(building, self.path)
        except (sqlite3.Error, OSError) as exc:
            raise IndexUnavailable(f"cannot put the index in place at {self.path}: {exc}") from None
        finally:
            self._drop_building()
            try:
                self._remove_leftovers(os.listdir(os.path.dirname(self.path)))
            except OSError:
                pass
        if not os.path.exists(self.path):
            raise IndexUnavailable(f"the index {self.path} was removed while it was built")
        self.db = self._open()
        return won

    def _start_flushing(self) -> None:
        """Write a first build's file to the disk every :data:`FLUSH_EVERY` seconds while its rows go in.

        Then once more as soon as :meth:`_rows_in` says the last row is in,
        while the transaction commits: the sync before the file is put in
        place (:meth:`_put_in_place`) has only the commit's pages left. At
        100,000 tickets (350 MB), that sync took 0.15 s when it wrote the
        whole file after the commit, while one core had nothing else to do;
        with the file written once as the last row went in, 0.12 s more of
        waiting for that; written every second, next to nothing.
        """
        if self._building is None:
            return
        import threading

        stop = threading.Event()
        path = self._building.path

        def flush() -> None:
            while not stop.wait(FLUSH_EVERY):
                _sync_quietly(path)
            _sync_quietly(path)

        thread = threading.Thread(target=flush, name=FLUSH_THREAD, daemon=True)
        thread.start()
        self._flushing = (thread, stop)

    def _rows_in(self) -> None:
        """Tell :meth:`_start_flushing`'s thread the last row is in: its last flush starts now, beside the commit."""
        if self._flushing is not None:
            self._flushing[1].set()

    def _flushed(self) -> None:
        """Wait for the writing :meth:`_start_flushing` started, if any, to end."""
        flushing, self._flushing = self._flushing, None
        if flushing is not None:
            flushing[1].set()
            flushing[0].join()

    def _remove_leftovers(self, names: list[str]) -> None:
        """The files of first builds never put in place whose builder is gone (killed), of ``names`` in .lpsectl.

        One still at work keeps its own (:func:`lpsectl.lifetime.remove_left`).
        """
        from lpsectl import lifetime

        folder, name = os.path.split(self.path)
        lifetime.remove_left(folder, names, name + BUILDING, _remove, SIDECARS, beside=str(self.path))

    def _meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def _set_meta(self, **values: str) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))

    def _config_key(self) -> str:
        try:
            text = (self.hd.root / "lpsectl.yaml").read_bytes()
        except OSError:
            text = b""
        return _blake2b(text).hexdigest()

    # -- the calendar ------------------------------------------------------------
    def _load_calendar(self) -> None:
        """Give the calendar the holidays the index keeps, so it need not import ``holidays``."""
        cal = self.hd.calendar
        years = [y for (y,) in self.db.execute("SELECT year FROM holiday_years")]
        by_year: dict[int, dict[date, str]] = {y: {} for y in years}
        for day, name in self.db.execute("SELECT day, name FROM holidays"):
            d = date.fromisoformat(day)
            if d.year in by_year:
                by_year[d.year][d] = name
        cal.preload_holidays(by_year)

    def _new_years(self) -> dict[int, dict[date, str]]:
        """The years of holidays the calendar computed that the index does not keep yet."""
        try:
            known = {y for (y,) in self.db.execute("SELECT year FROM holiday_years")}
        except sqlite3.DatabaseError:
            return {}
        return {y: d for y, d in self.hd.calendar.known_holidays().items() if y not in known}

    def _save_calendar(self, days: bool = False) -> None:
        """Keep the years of holidays the calendar had to compute, and their :meth:`_save_days`.

        ``days``: make ``calendar_days`` again even without a new year (the
        configuration's closed or open days changed).
        """
        cal = self.hd.calendar
        known = {y for (y,) in self.db.execute("SELECT year FROM holiday_years")}
        years = known | set(cal.known_holidays())
        for year in range(min(years, default=0), max(years, default=-1) + 1):
            cal.holidays(year)  # a year between two known ones: its days are counted too
        new = {y: d for y, d in cal.known_holidays().items() if y not in known}
        if new:
            self.db.executemany("INSERT OR IGNORE INTO holiday_years VALUES (?)", [(y,) for y in new])
            self.db.executemany("INSERT OR REPLACE INTO holidays VALUES (?, ?)",
                                [(d.isoformat(), str(n)) for days in new.values() for d, n in days.items()])
        if new or days or (known and self.db.execute("SELECT 1 FROM calendar_days LIMIT 1").fetchone() is None):
            self._save_days(sorted(known | set(new)))

    def _save_days(self, years: list[int]) -> None:
        """``calendar_days`` of the (consecutive) ``years``, as the calendar counts them."""
        self.db.execute("DELETE FROM calendar_days")
        if not years:
            return
        cal = self.hd.calendar
        rows, n, d, last = [], 0, date(years[0], 1, 1), date(years[-1], 12, 31)
        while True:
            working = cal.is_working_day(d)
            n += working
            rows.append((d.isoformat(), int(working), n))
            if d == last:
                break
            d += timedelta(days=1)
        self.db.executemany("INSERT INTO calendar_days VALUES (?, ?, ?)", rows)

    def use_calendar(self) -> None:
        """Only the calendar (a command on one ticket): the holidays kept, if from this ``holidays``."""
        try:
            if self._meta().get("holidays") == holidays_version():
                self._load_calendar()
        except sqlite3.DatabaseError:
            pass

    def keep_calendar(self) -> None:
        """Keep the years of holidays a command on one ticket had to compute."""
        if not self._new_years():
            return  # the common case: no write, so no wait for a writer at work
        try:
            if self._meta().get("holidays") == holidays_version():
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    self._save_calendar()
                    self.db.execute("COMMIT")
                except BaseException:
                    self.db.execute("ROLLBACK")
                    raise
        except sqlite3.DatabaseError:
            pass

    # -- bringing it up to date ----------------------------------------------------
    def refresh(self, track: Optional[Track] = None) -> None:
        """Bring the index up to date with the ticket files (see the module's docstring)."""
        try:
            self._refresh(track)
        except sqlite3.DatabaseError as exc:
            raise IndexUnavailable(f"the index {self.path} cannot be used: {exc}") from None

    def _refresh(self, track: Optional[Track]) -> None:
        meta = self._meta()
        if self._keys_current(meta):
            self._load_calendar()
            # No file added, removed or renamed below tickets/ since: git need not look for untracked ones.
            folders_same = self._folders_same(meta)
            look = self.start_look(untracked=not folders_same)
            if look is not None and self._unchanged(meta, look, folders_same):
                return  # the common case: nothing changed since the last update
        self.update(track)

    def update(self, track: Optional[Track] = None) -> None:
        """Bring the index up to date under its write lock, looking again (another process may have done it)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self._written, self._written_all = set(), False  # what a rolled back transaction wrote is gone
            try:
                self._update(track)
                self._relist()
                self.db.execute("COMMIT")
            except BaseException:
                if self._building is None:
                    self.db.execute("ROLLBACK")
                else:  # no journal to roll back with: the whole file goes
                    self.db.close()
                    self._drop_building()
                    self.db = _nowhere()
                raise
        except sqlite3.DatabaseError as exc:
            raise IndexUnavailable(f"the index {self.path} cannot be used: {exc}") from None
        if self._building is not None and not self._put_in_place():
            self.update(track)  # another process put its first build in place meanwhile: brought up to date here

    # -- answering first, confirming after (lpsectl.gitlook) -------------------------
    def start_look(self, untracked: bool = False) -> Optional["Look"]:
        """git's look at the tickets, running from now on: the one started early, if any; None outside git."""
        git = self.hd.git
        if git is None:
            return None
        from lpsectl import gitlook

        early = None if untracked else gitlook.take_early(str(self.hd.root))
        return early or git.start_status(self.hd.tickets_dir, untracked)

    def begin_read(self) -> Optional[dict[str, str]]:
        """Start reading the index as it stands: one snapshot of it until :meth:`end_read`, its calendar given.

        Returns what it was last brought up to date with (for
        :meth:`confirms`), or None when its keys say it must be built or
        derived again first (nothing is open then).
        """
        try:
            self.db.execute("BEGIN")  # WAL: every read until COMMIT sees this one state of the index
            meta = self._meta()
            if not self._keys_current(meta):
                self.db.execute("COMMIT")
                return None
            self._load_calendar()
            return meta
        except sqlite3.DatabaseError as exc:
            self.end_read()
            raise IndexUnavailable(f"the index {self.path} cannot be used: {exc}") from None

    def end_read(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")

    def confirms(self, meta: dict[str, str], look: Optional["Look"]) -> bool:
        """Whether git's ``look`` (started before or during the read) finds the files as ``meta`` says the index holds them.

        Then an answer computed from the index read with ``meta`` is what
        the files said when git looked. Waits for git whatever the folders
        say: whatever it was doing has ended when the index is updated.
        """
        if look is None:
            return False
        look.output()
        return self._unchanged(meta, look, folders_same=self._folders_same(meta))

    def _keys_current(self, meta: dict[str, str]) -> bool:
        """Made by this code, with this configuration and this ``holidays``: its rows need no rebuild."""
        return (meta.get("schema") == str(SCHEMA) and meta.get("code") == code_key()
                and meta.get("config") == self._config_key() and meta.get("holidays") == holidays_version())

    def _folders_same(self, meta: dict[str, str]) -> bool:
        """No folder below tickets/ changed since the index's last update: no file added, removed or renamed."""
        folders = meta.get("folders")
        return bool(folders) and folders == self._folders_stamp()

    def _unchanged(self, meta: dict[str, str], look: "Look", folders_same: bool) -> bool:
        """git's ``look`` says HEAD is where it was and no file differs from it, now or at the last update.

        ``folders_same``: whether the look may leave out untracked files
        (a look without them says nothing of a file added by hand).
        """
        if not (folders_same or look.untracked):
            return False
        snap = self._snapshot_of(look)
        if snap is None or meta.get("mode") != "git" or meta.get("head") != snap[0]:
            return False
        return not snap[1] and not json.loads(meta.get("dirty", "[]"))

    def _folders_stamp(self) -> str:
        """The folders below tickets/ with their stamps, hashed: what a file added, removed or renamed changes.

        "" when a folder changed too recently to be trusted: a file added in
        the same tick of the file system's clock leaves its stamp as it was.
        A folder whose link count says it has no subfolder (2, on most
        file systems) is not listed: tickets/ holds 100,000 files.
        """
        h = _blake2b()
        recent = time.time_ns() - RACY_NS
        todo = [self.tickets_dir]
        while todo:
            folder = todo.pop()
            try:
                st = os.stat(folder)
                if st.st_nlink != 2:
                    todo += sorted((e.path for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)),
                                   reverse=True)
            except OSError:
                return ""
            if st.st_mtime_ns >= recent or st.st_ctime_ns >= recent:
                return ""
            h.update(f"{folder}\0{st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}\0".encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def _snapshot_of(self, look: "Look") -> Optional[tuple[str, list[str]]]:
        """(HEAD, ticket files that differ from it) from git's ``look``, paths relative to tickets/; None when git failed.

        A look without untracked files names only the tracked files that
        differ (the caller knows no file was added since it last looked).
        """
        git = self.hd.git
        assert git is not None
        try:
            head, paths = git.snapshot_of(look)
        except LpseError:
            return None
        rel = os.path.relpath(self.tickets_dir, git.root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        out = []
        for p in paths:
            if not p.startswith(prefix) and p != prefix:
                continue
            p = p[len(prefix):]
            # git names an ignored folder as a whole: the files in it are what differs.
            out += self._files_under(p) if p == "" or p.endswith("/") else [p]
        return head, out

    def _files_under(self, folder: str) -> list[str]:
        """The files below ``folder`` (relative to tickets/, ending in / or empty), relative to tickets/."""
        out = []
        for dirpath, _, names in os.walk(os.path.join(self.tickets_dir, *folder.split("/"))):
            rel = os.path.relpath(dirpath, self.tickets_dir).replace(os.sep, "/")
            out += [n if rel == "." else f"{rel}/{n}" for n in names]
        return out

    def _update(self, track: Optional[Track]) -> None:
        meta = self._meta()
        hv = holidays_version()
        rebuild = meta.get("schema") != str(SCHEMA) or meta.get("code") != code_key()
        if rebuild or meta.get("holidays") != hv:
            self.db.execute("DELETE FROM holiday_years")
            self.db.execute("DELETE FROM holidays")
            # A calendar that has seen none of them: every holiday computed afresh.
            from lpsectl.clock import Calendar

            self.hd.calendar = self.ctx.cal = Calendar.from_config(self.hd.config)
        self._load_calendar()
        if rebuild:
            # Made again, not emptied: another version's tables may have other columns.
            self.db.execute("DROP TABLE IF EXISTS files")
            self.db.execute("DROP TABLE IF EXISTS tickets")
            self.db.execute("DROP TABLE IF EXISTS listed")
            for statement in DDL.split(";"):
                self.db.execute(statement)
            meta = {}
        started = time.time_ns()
        folders = self._folders_stamp()  # before git looks: a file added meanwhile is seen next time
        known = dict(self.db.execute("SELECT path, blob FROM files"))
        look = self.start_look(untracked=True)
        if not known:
            self._prime_calendar()  # while git looks
        snap = None if look is None else self._snapshot_of(look)
        if snap is not None:
            head, dirty_now = snap
            self._sha256 = len(head) == 64
            todo = set(dirty_now) | set(json.loads(meta.get("dirty", "[]")))
            old = meta.get("head") if meta.get("mode") == "git" else None
            if not known:
                todo = set(self._walk())
            elif old != head:
                todo |= self._changed_since(old, head, known)
            moving = self.hd.moving_in()
            # The walk names ticket files only; git's names are filtered.
            paths = sorted(todo) if not known else sorted(p for p in todo if _is_ticket_path(p))
            with self._rows_going_in(first=not known):
                self._apply(self._read_changed(paths, known, track), known, listed_along=not known)
            left_out = self._leave_out_imports(moving)
            # What an import at work moved in is read again next time: it is whole by then.
            self._set_meta(mode="git", head=head, dirty=json.dumps(sorted(set(dirty_now) | left_out)),
                           folders=folders)
        else:
            moving = self.hd.moving_in()
            with self._rows_going_in(first=not known):
                self._apply(self._stat_scan(meta, known, track), known, listed_along=not known)
            self._leave_out_imports(moving)  # their stamps are not the files': read again next time
            self._set_meta(mode="stat", head="", dirty="[]")
        if not known and not self._listed_whole():
            self._written_all = True
        if (meta.get("config") != self._config_key() or meta.get("holidays") != hv) and known:
            # Rows kept from before were derived with the old configuration or holidays
            # (a first build has none: every row was just derived with these).
            self._derive_all()
        # Closed and open days are the configuration's: the counted days follow it.
        self._save_calendar(days=meta.get("config") != self._config_key() or meta.get("holidays") != hv)
        self._set_meta(schema=str(SCHEMA), code=code_key(), config=self._config_key(), holidays=hv,
                       synced_ns=str(started))

    @contextmanager
    def _rows_going_in(self, first: bool) -> Iterator[None]:
        """Where an update writes the rows it read; ``first``: a first build's, into empty tables.

        A first build keeps every secondary index up to date as its rows go
        in, while the workers parse: the files are read in path order (year,
        month, id), so every key (times, status, ids, names) comes nearly in
        order and each insert lands on the last pages of a small page cache
        (:data:`FIRST_BUILD_CACHE_KB`), and after the last row there is
        nothing left to sort, when one core would have nothing else to do.
        Its file goes to the disk meanwhile (:meth:`_start_flushing`).
        """
        with self._bulk(first, FIRST_BUILD_CACHE_KB):
            if first:
                self._start_flushing()
            yield
        self._rows_in()

    @contextmanager
    def _bulk(self, many: bool = True, kb: int = BULK_CACHE_KB) -> Iterator[None]:
        """Room in SQLite's page cache (``kb``, negative: KiB) while ``many`` rows go in.

        An import's new tickets, which land all over the tables' b-trees
        (:data:`BULK_CACHE_KB`), a first build filling the empty tables in
        the order of their keys (:data:`FIRST_BUILD_CACHE_KB`): with the
        default few pages (2 MB), every row's entries in the tables and the
        secondary indexes cost reads and writes of pages just dropped, twice
        the time at 100,000 rows.
        """
        if not many:
            yield
            return
        (cache,) = self.db.execute("PRAGMA cache_size").fetchone()
        self.db.execute(f"PRAGMA cache_size = {int(kb)}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size = {int(cache)}")

    @contextmanager
    def _indexed_after(self, tables: Sequence[str]) -> Iterator[None]:
        """The secondary indexes of ``tables`` dropped while their rows go in, made again after (same transaction).

        Made once from the rows, an index is a sort: kept up to date row by
        row, it is a search and an insert into a b-tree for every row, each
        landing on another page where the keys come in no order (an import's
        ids, a relisting by status). A transaction rolled back (a kill, an
        error) keeps them as they were.
        """
        # The schema's own statements, as SQLite keeps them (the automatic indexes of keys have none).
        statements = [(name, sql) for name, table, sql in self.db.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            if table in tables]
        for name, _ in statements:
            self.db.execute(f"DROP INDEX {name}")
        ok = False
        try:
            yield
            ok = True
        finally:
            if ok:
                self._sorting_threads()
                for _, sql in statements:
                    self.db.execute(sql)

    def _sorting_threads(self) -> None:
        """Let SQLite sort on every core while it makes an index from many rows."""
        self.db.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 8)}")

    def _leave_out_imports(self, before: Optional["MovingIn"]) -> set[str]:
        """Leave out what an unfinished import moved in, as every reader does; the files it names.

        Its new files are not in the index; a ticket it replaces is indexed
        from its backup, as it was before the import. Asked before and after
        the files were read: an import that started moving meanwhile had
        written its journal before its first move.
        """
        after = self.hd.moving_in()
        moving = after if before is None else before.merge(after)
        if moving is None:
            return set()
        results: list[FileResult] = []
        for full in moving.new:
            rel = self._rel(full)
            if rel is not None:
                results.append(FileResult(rel, None, None))
        for full, backup in moving.replaced.items():
            rel = self._rel(full)
            if rel is not None:
                results.append(read_file(self.tickets_dir, rel, self.ctx, self._sha256, source=backup))
        self._apply(results)
        return {r.path for r in results}

    def _rel(self, full: str) -> Optional[str]:
        """``full`` relative to tickets/ with /, or None outside it."""
        rel = os.path.relpath(full, self.tickets_dir)
        if rel.startswith(".."):
            return None
        return rel.replace(os.sep, "/")

    def _walk(self) -> list[str]:
        out = []
        for folder, names in self.hd._ticket_names():
            rel = os.path.relpath(folder, self.tickets_dir).replace(os.sep, "/")
            prefix = "" if rel == "." else rel + "/"
            out += [prefix + n for n in names]
        return out

    def _changed_since(self, old: Optional[str], head: str, known: dict[str, Optional[str]]) -> set[str]:
        """Ticket files whose committed text changed from ``old`` to ``head``."""
        git = self.hd.git
        assert git is not None
        rel = os.path.relpath(self.tickets_dir, git.root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        if old and head and git.rev_parse(old):
            try:
                return {p[len(prefix):] for _, p in git.changed_files(old, head, self.hd.tickets_dir)
                        if p.startswith(prefix)}
            except LpseError:
                pass
        # The recorded HEAD is gone (or there was none): compare blob ids one by one.
        staged = {p[len(prefix):]: b for p, b in git.staged_blobs(self.hd.tickets_dir) if p.startswith(prefix)}
        return {p for p in set(staged) | set(known) if staged.get(p) != known.get(p)}

    def _stat_scan(self, meta: dict[str, str], known: dict[str, Optional[str]],
                   track: Optional[Track]) -> Iterator[FileResult]:
        """Outside git: every file's stamps against the recorded ones."""
        stamps = dict(self.db.execute("SELECT path, stamp FROM files"))
        racy_from = int(meta.get("synced_ns", "0")) - RACY_NS
        todo = []
        present = set()
        for rel in self._walk():
            present.add(rel)
            try:
                st = os.stat(os.path.join(self.tickets_dir, *rel.split("/")))
            except OSError:
                todo.append(rel)
                continue
            if (stamps.get(rel) != stamp_of(st) or st.st_mtime_ns >= racy_from
                    or st.st_ctime_ns >= racy_from):
                todo.append(rel)
        todo += [p for p in known if p not in present]
        return self._read_changed(sorted(todo), known, track)

    def _read_changed(self, paths: list[str], known: dict[str, Optional[str]],
                      track: Optional[Track]) -> Iterator[FileResult]:
        """Each file read, as it is read (a first build never holds 100,000 rows at once)."""
        tracked = track(paths) if track else paths
        if _in_parallel(len(paths)):
            return (r for _, r in zip(tracked, self._read_parallel([(p, known.get(p)) for p in paths])))
        return (read_file(self.tickets_dir, p, self.ctx, self._sha256, known.get(p)) for p in tracked)

    def _prime_calendar(self) -> None:
        """The holidays of the years tickets/ has folders for: a first build needs them all."""
        from lpsectl.clock import FIRST_YEAR, LAST_YEAR

        try:
            names = os.listdir(self.tickets_dir)
        except OSError:
            return
        for name in names:
            if len(name) == 4 and name.isdigit() and FIRST_YEAR <= int(name) <= LAST_YEAR:
                self.hd.calendar.holidays(int(name))

    def _read_parallel(self, paths: list[tuple[str, Optional[str]]]) -> Iterator[FileResult]:
        # Years the files fall in, computed once here, not in every worker.
        for rel, _ in paths[:: max(1, len(paths) // 50)]:
            head = rel.split("/", 1)[0]
            if head.isdigit():
                self.hd.calendar.holidays(int(head))
        chunks = [paths[i:i + 500] for i in range(0, len(paths), 500)]
        import marshal

        for text in self._in_workers(_worker_read, chunks, self._sha256):
            for fields in marshal.loads(text):
                yield FileResult(*fields)

    def _in_workers(self, fn: Callable[[list], list], chunks: Iterable[list], sha256: bool) -> Iterator[Any]:
        """``fn`` of each chunk in a pool of processes, results in order, a few chunks ahead at most.

        Never all chunks at once: the rows of 100,000 tickets would wait in memory
        while this process writes them to the database.
        """
        from concurrent.futures import ProcessPoolExecutor

        workers = min(os.cpu_count() or 1, 8)
        with ProcessPoolExecutor(workers, initializer=_worker_init,
                                 initargs=(self.tickets_dir, str(self.hd.root), sha256,
                                           self.hd.calendar.known_holidays())) as pool:
            it = iter(chunks)
            pending = [pool.submit(fn, c) for c in itertools.islice(it, workers * 2)]
            while pending:
                done = pending.pop(0).result()
                nxt = next(it, None)
                if nxt is not None:
                    pending.append(pool.submit(fn, nxt))
                yield from done

    def _apply(self, results: Iterable[FileResult], known: Optional[dict[str, Optional[str]]] = None,
               listed_along: bool = False) -> None:
        """Write what was read into the tables, in order.

        ``known``: the paths the index held before, when the caller has them:
        a path not among them has no old row to remove, so its rows are
        written in batches (a first build is nothing but such paths).
        ``listed_along``: each batch's rows of ``listed`` are written with
        it (a first build, into empty tables): while the workers parse, from
        the rows just written, still in SQLite's cache, instead of by
        :meth:`_relist` after the last one, when there is nothing else to do
        (:meth:`_listed_whole` checks).
        """
        db = self.db
        ph = ", ".join("?" * len(COLUMNS))
        files: list[tuple] = []
        tickets: list[tuple] = []

        def flush() -> None:
            if files:
                db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", files)
                files.clear()
            if tickets:
                if listed_along:
                    (last,) = db.execute("SELECT coalesce(max(rowid), 0) FROM tickets").fetchone()
                db.executemany(f"INSERT OR REPLACE INTO tickets VALUES ({ph})", tickets)
                if listed_along:
                    db.execute(f"INSERT OR REPLACE INTO listed SELECT {LISTED_SELECT} FROM tickets WHERE rowid > ?",
                               (last,))
                tickets.clear()

        for r in results:
            if r.unchanged:
                db.execute("UPDATE files SET stamp = ? WHERE path = ?", (r.stamp, r.path))
                continue
            if known is None or r.path in known:
                flush()  # the batch goes first: it may hold this path's id
                old = db.execute("SELECT tid FROM files WHERE path = ?", (r.path,)).fetchone()
                if r.blob is None:  # gone
                    db.execute("DELETE FROM files WHERE path = ?", (r.path,))
                if old and old[0]:
                    db.execute("DELETE FROM tickets WHERE id = ? AND path = ?", (old[0], r.path))
                    self._written.add(old[0])
            if r.blob is None:
                continue
            files.append(r.files_row())
            if r.row is not None:
                tickets.append(r.row)
                if not listed_along:
                    self._written.add(r.row[0])
            if len(files) >= APPLY_BATCH:
                flush()
        flush()

    # -- an import's files, as it writes them -----------------------------------
    def parallel(self, n: int) -> bool:
        """Whether ``n`` tickets are worth a pool of processes."""
        return _in_parallel(n)

    def context(self) -> tuple[Context, bool]:
        """What making a row here needs (as :func:`worker_context` in a worker): the context, and whether git hashes with SHA-256."""
        return self.ctx, self._head_is_sha256()

    def in_workers(self, fn: Callable[[Any], list], jobs: Iterable[Any], years: Iterable[int] = ()) -> Iterator[Any]:
        """``fn`` of each job in the pool (:func:`worker_context` there), every result in order.

        An import makes its files and their rows so (:func:`written`) and
        hands the rows to :meth:`add_committed` while git commits, so the next
        command reads none of its files back. ``years``: the holidays the
        workers will need, computed once here and not in every worker.
        """
        for year in years:
            self.hd.calendar.holidays(year)
        return self._in_workers(fn, jobs, self._head_is_sha256())

    def _head_is_sha256(self) -> bool:
        git = self.hd.git
        head = git.head() if git is not None else None
        return bool(head) and len(head) == 64

    def state_key(self) -> Optional[dict[str, str]]:
        """What the index was brought up to date with, to hand to :meth:`add_committed`; None if unusable."""
        try:
            meta = self._meta()
        except sqlite3.DatabaseError:
            return None
        want = {"schema": str(SCHEMA), "code": code_key(), "config": self._config_key(),
                "holidays": holidays_version(), "mode": "git"}
        if any(meta.get(k) != v for k, v in want.items()):
            return None
        return {k: meta.get(k, "") for k in ("head", "dirty", "schema", "code", "config", "holidays")}

    def add_committed(self, results: Iterable[FileResult], before: dict[str, str], parent: str,
                      commit: Callable[[], Optional[str]], count: int = 0) -> bool:
        """Put rows of files being committed into the index while ``commit()`` records them in git.

        ``commit()`` runs here and returns the commit it made (None: none).
        Meanwhile a thread puts the rows in, in one transaction, made only
        when the index is still as :meth:`state_key` found it (``before``)
        and was up to date with ``parent``: then the commit changes nothing
        but these files. The transaction is committed, the index up to date
        with the new commit, only once git has moved the branch past
        ``parent``; if ``commit()`` fails or is interrupted, it is rolled
        back and the index is as it was. (One after the other, git and
        SQLite each kept one core busy and the other idle: many seconds
        each at 100,000 rows.) Returns whether the rows went in; otherwise
        the next update reads the files, as always.
        ``count``: how many ``results`` come; as many as the index holds or
        more (an import into a new helpdesk), and its secondary indexes are
        made again once from all the rows (:meth:`_indexed_after`).
        """
        import threading

        stop = threading.Event()
        done: dict[str, Any] = {}

        def fill() -> None:
            try:
                done["ready"] = self._fill(results, before, parent, count, stop)
            except BaseException as exc:  # handed to the caller's thread
                done["error"] = exc

        rows = threading.Thread(target=fill, name="lpsectl-index-rows", daemon=True)
        with self._bulk():  # rows of new tickets land all over the tables' b-trees
            rows.start()
            try:
                head = commit()
            except BaseException:
                stop.set()
                self.db.interrupt()
                self._join(rows, stop)
                self._roll_back()
                raise
            self._join(rows, stop)
            error = done.get("error")
            if error is not None:
                self._roll_back()
                if isinstance(error, sqlite3.DatabaseError):
                    return False
                raise error
            if not done.get("ready") or not head or head == parent:
                self._roll_back()
                return False
            try:
                self._set_meta(head=head)
                self.db.execute("COMMIT")
            except sqlite3.DatabaseError:
                self._roll_back()
                return False
            except BaseException:
                self._roll_back()
                raise
            return True

    def _fill(self, results: Iterable[FileResult], before: dict[str, str], parent: str, count: int,
              stop: Any) -> bool:
        """:meth:`add_committed`'s transaction, left open; False (and rolled back) if the index moved on."""
        self.db.execute("BEGIN IMMEDIATE")
        self._written, self._written_all = set(), False
        try:
            if self.state_key() != before or before.get("head") != parent:
                self.db.execute("ROLLBACK")
                return False
            (held,) = self.db.execute("SELECT count(*) FROM files").fetchone()
            remake = ("tickets", "files") if count >= max(held, PARALLEL_FROM) else ()
            with self._indexed_after(remake):
                self._add_rows(_until(results, stop))
            self._save_calendar()
            self._relist()
            return True
        except BaseException:
            self._roll_back()
            raise

    def _roll_back(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def _join(self, thread: Any, stop: Any) -> None:
        """Wait for ``thread``; a Ctrl-C (or SIGTERM) meanwhile stops its work, and is raised once it ended."""
        interrupted: Optional[BaseException] = None
        while thread.is_alive():
            try:
                thread.join()
            except KeyboardInterrupt as exc:
                interrupted = exc
                stop.set()
                self.db.interrupt()
        if interrupted is not None:
            raise interrupted

    def _add_rows(self, results: Iterable[FileResult]) -> None:
        """:meth:`add_committed`'s rows, with the files' stamps as they are now."""
        for batch in _batches(results, 1000):
            for r in batch:
                try:
                    r.stamp = stamp_of(os.stat(os.path.join(self.tickets_dir, *r.path.split("/"))))
                except OSError:
                    pass
            # The paths the index already holds, asked once a batch: the
            # others (every one, for new tickets) go in by executemany.
            self._apply(batch, self._held([r.path for r in batch]))

    def _held(self, paths: list[str]) -> set[str]:
        """Which of ``paths`` the index has a row of."""
        held: set[str] = set()
        for i in range(0, len(paths), 500):  # under SQLite's oldest limit of 999 parameters
            part = paths[i:i + 500]
            held.update(p for (p,) in self.db.execute(
                f"SELECT path FROM files WHERE path IN ({', '.join('?' * len(part))})", part))
        return held

    def _derive_all(self) -> None:
        """Deadlines and local times again, after the configuration or the holidays changed.

        A batch of rows at a time: 100,000 tickets made at once held more
        than a command may (issue 10: 300 MB). Many rows are derived in the
        pool of processes a first build uses.
        """
        select = f"SELECT rowid, {', '.join(COLUMNS[:_BASE])} FROM tickets WHERE rowid > ? ORDER BY rowid LIMIT ?"
        update = f"UPDATE tickets SET {', '.join(c + ' = ?' for c in DERIVED)} WHERE rowid = ?"

        def batches() -> Iterator[list[tuple]]:
            last = 0
            while True:
                rows = self.db.execute(select, (last, DERIVE_BATCH)).fetchall()
                if not rows:
                    return
                last = rows[-1][0]
                yield rows

        (count,) = self.db.execute("SELECT count(*) FROM tickets").fetchone()
        self._written_all = True  # every row of listed is written again before the commit
        if not _in_parallel(count):
            for rows in batches():
                self.db.executemany(update, [_derived_again(row, self.ctx) for row in rows])
            return
        self._prime_calendar()  # once here, not in every worker
        for done in _batches(self._in_workers(_worker_derive, batches(), self._sha256), DERIVE_BATCH):
            self.db.executemany(update, done)

    def _listed_whole(self) -> bool:
        """Whether ``listed`` holds a row for each row of tickets and no other (after :meth:`_apply` wrote it along).

        Two files of one id (damage) leave the row of the first in ``listed``.
        """
        (n,) = self.db.execute("SELECT count(*) FROM tickets").fetchone()
        (listed,) = self.db.execute("SELECT count(*) FROM listed").fetchone()
        return n == listed

    def _relist(self) -> None:
        """Write again the rows of ``listed`` whose rows of tickets this transaction wrote or removed.

        Called before each commit of a transaction that writes tickets, so
        readers see both tables as one. Many rows (a first build) are
        written whole, in the table's order.
        """
        columns = LISTED_SELECT
        if self._written_all or len(self._written) >= RELIST_ALL_FROM:
            with self._bulk(), self._indexed_after(("listed",)):
                self.db.execute("DELETE FROM listed")
                self.db.execute(f"INSERT INTO listed SELECT {columns} FROM tickets ORDER BY status, created_us, id")
        elif self._written:
            ids = json.dumps(sorted(self._written))
            self.db.execute("DELETE FROM listed WHERE id IN (SELECT value FROM json_each(?))", (ids,))
            self.db.execute(f"INSERT INTO listed SELECT {columns} FROM tickets WHERE id IN "
                            "(SELECT value FROM json_each(?)) ORDER BY status, created_us, id", (ids,))
        self._written.clear()
        self._written_all = False

    # -- questions ----------------------------------------------------------------
    def damaged_paths(self) -> list[Path]:
        """The ticket files that did not read cleanly, in file order (read again to say why)."""
        rows = self.db.execute("SELECT path FROM files WHERE tid IS NULL ORDER BY sortkey")
        return [Path(self.tickets_dir, *p.split("/")) for (p,) in rows]

    def message_ids(self) -> Iterator[tuple[Path, list[str]]]:
        for path, ids in self.db.execute("SELECT path, message_ids FROM files ORDER BY sortkey"):
            yield Path(self.tickets_dir, *path.split("/")), json.loads(ids or "[]")

    def select(self, where: str = "", params: Sequence[Any] | dict[str, Any] = (),
               columns: Sequence[str] = COLUMNS, order: str = "created_us, id", table: str = "tickets",
               limit: Optional[int] = None) -> list[tuple]:
        """Rows that match ``where``; ``params`` by position, or by name in a dict. ``table``: or ``listed``."""
        sql = f"SELECT {', '.join(columns)} FROM {table}"
        if where:
            sql += f" WHERE {where}"
        sql += f" ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.db.execute(sql, params if isinstance(params, dict) else list(params)).fetchall()

    def tickets(self, where: str = "", params: Sequence[Any] | dict[str, Any] = ()) -> list[Ticket]:
        """The tickets of the rows that match, oldest first.

        They are few (a question of an OR over indexed columns, such as the
        rows that may have moved): ``+created_us`` keeps SQLite from reading
        every row in the order of ``tickets_created`` to spare a sort of a few.
        """
        return [ticket_of(r) for r in self.select(where, params, COLUMNS[:_BASE], order="+created_us, id")]

    def close(self) -> None:
        self.db.close()
        self._drop_building()  # a first build never made (a command that only read its calendar)


def _remove(path: str, strict: bool = False) -> None:
    """Remove the SQLite file ``path`` and what SQLite keeps beside it.

    What cannot be removed now stays; ``strict``: raise its OSError instead
    (a damaged index that stayed would be read again).
    """
    for suffix in ("",) + SIDECARS:
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass
        except OSError:
            if strict:
                raise


def _sync(path: str) -> None:
    """The file ``path`` on the disk (written with ``synchronous=OFF``)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_quietly(path: str) -> None:
    """:func:`_sync`, its errors left to the sync that follows it (:meth:`Index._put_in_place`)."""
    try:
        _sync(path)
    except OSError:
        pass


def _nowhere() -> sqlite3.Connection:
    """An empty index in memory, where a first build was dropped: the questions asked after find nothing."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(DDL)
    return db


def _in_parallel(count: int) -> bool:
    """Whether ``count`` tickets are worth a pool of processes (``LPSECTL_SERIAL`` says never)."""
    return count >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 and not os.environ.get("LPSECTL_SERIAL")


class Stopped(Exception):
    """:meth:`Index.add_committed`'s rows were stopped: git's commit failed or was interrupted."""


def _until(items: Iterable[Any], stop: Any) -> Iterator[Any]:
    """``items`` until ``stop`` (a threading.Event) is set; then :class:`Stopped`."""
    for x in items:
        if stop.is_set():
            raise Stopped
        yield x


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for x in items:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _is_ticket_path(rel: str) -> bool:
    """The files :meth:`Helpdesk.ticket_files` walks: ``*.yaml``, no hidden names, no attachments."""
    parts = rel.split("/")
    name = parts[-1]
    if not name.endswith(".yaml") or name.startswith("."):
        return False
    return not any(d.startswith(".") or d == "attachments" for d in parts[:-1])
