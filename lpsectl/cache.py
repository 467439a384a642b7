"""A disposable cache of parsed tickets, so a listing need not parse 100,000 YAML files.

Reading a ticket file is a YAML compose plus every check of
:mod:`lpsectl.ticketfile`; the cache keeps, for each file that read cleanly,
the ticket as plain JSON data that turns back into the same :class:`Ticket`
without a parser, and the state :func:`lpsectl.model.replay` derives from
its whole history, so a listing neither rebuilds nor replays histories
(:class:`CachedTicket`; that state stands for any moment at or after the
last event, and nothing that depends on the configuration or the clock,
such as a due date, is kept). It lives in ``.lpsectl/cache/`` (git-ignored
by ``init``, and by the ``.gitignore`` it writes into its own folder for
helpdesks made otherwise), one shard per ticket folder
(``tickets/YYYY/MM``), so one new or edited ticket rewrites one month's
shard, not the whole cache.

**When an entry is stale.** An entry is used only while its file's
``(name, st_mtime_ns, st_size, st_ino, st_ctime_ns)`` are unchanged, and
while the code that reads tickets is the one that wrote it (the shard's
key hashes this module, ticketfile.py and model.py, so an upgrade that reads
tickets differently starts afresh). lpsectl replaces a file by renaming a
new one over it: a new inode and ctime. A hand edit in place changes mtime
and ctime; what stat cannot see is a same-size rewrite within one tick of
the file system's clock (Linux stamps files with a clock that moves every
few milliseconds; FAT every 2 s). As git does for its index ("racy git"),
a file whose mtime or ctime is less than :data:`RACY_NS` before the load
began is not cached at all: it is parsed again next time, when it is old
enough for any later rewrite to show in its stamps. A content hash would
need every file read on every load, the very cost this cache avoids.

**Never an error.** A shard that is missing, truncated, hand-edited
(each carries a BLAKE2 checksum of its data), from another version, or that
cannot be written is ignored and rebuilt. Writes go through
:func:`lpsectl.store.atomic_write`: concurrent lpsectl processes each put a
whole shard in place, the last one wins, and whatever they wrote is keyed
by the stamps of the file it was read from. Damaged files are never cached:
they are read, and reported, every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

from lpsectl.model import Event, Reporter, State, Ticket, replay

# Bump when the layout of an entry changes.
FORMAT = 3
# A file stamped this close to the start of a load is not trusted to show a
# later same-size rewrite in its stamps (see the module's docstring).
RACY_NS = 2_000_000_000
CACHE_DIR = Path(".lpsectl") / "cache"
_SAFE_DIR = re.compile(r"^[0-9A-Za-z_][0-9A-Za-z_.-]*(/[0-9A-Za-z_][0-9A-Za-z_.-]*)*$")
_CODE_KEY: Optional[str] = None
_STAT_AT = os.stat in os.supports_dir_fd


def now_ns() -> int:
    """The wall clock the racy check compares file stamps with (tests move it)."""
    return time.time_ns()


def code_key() -> str:
    """Changes whenever the code that reads a ticket file or rebuilds a ticket does."""
    global _CODE_KEY
    if _CODE_KEY is None:
        from lpsectl import __version__, model, ticketfile

        h = hashlib.blake2b(f"{FORMAT} {__version__}".encode(), digest_size=16)
        for mod in (ticketfile, model):
            try:
                h.update(Path(mod.__file__).read_bytes())  # type: ignore[arg-type]
            except (OSError, TypeError):  # pragma: no cover - frozen or zipped
                pass
        try:
            h.update(Path(__file__).read_bytes())
        except OSError:  # pragma: no cover
            pass
        _CODE_KEY = h.hexdigest()
    return _CODE_KEY


# -- a ticket as plain data and back -----------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


_last_moment: tuple[Optional[datetime], int] = (None, 0)


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch; a listing asks for the same moment 100,000 times in a row."""
    global _last_moment
    if moment is not _last_moment[0]:
        _last_moment = (moment, (moment - _EPOCH) // _MICROSECOND)
    return _last_moment[1]


class CachedTicket(Ticket):
    """A :class:`Ticket` from the cache: its history is rebuilt when first used.

    Until then :meth:`state` is the state cached with it, which is what
    :func:`replay` of that history gives (a listing needs the state of every
    ticket, the history of none). Whoever touches ``history`` gets the real
    events, and from then on every state is replayed from them, so a changed
    history can never be shown with the state of the old one.
    """

    @property  # type: ignore[override]
    def history(self) -> list[Event]:
        d = self.__dict__
        h = d.get("_history")
        if h is None and "_rows" in d:
            fromiso = datetime.fromisoformat
            h = d["_history"] = [
                Event(fromiso(at), action, by, tier, msg, None if rec is None else fromiso(rec), fields)
                for at, action, by, tier, msg, rec, fields in json.loads(d.pop("_rows"))]
            d.pop("_state", None)
        return h  # type: ignore[return-value]

    @history.setter
    def history(self, value: list[Event]) -> None:
        d = self.__dict__
        d["_history"] = value
        d.pop("_rows", None)
        d.pop("_state", None)

    def state(self, as_of: Optional[datetime] = None) -> State:
        text = self.__dict__.get("_state")
        if text is None:
            return super().state(as_of)
        f = text.split("|")
        # The cached state is the whole history's: good for any moment at or
        # after the history's last event (replay stops at events after as_of).
        if as_of is not None and f[12] and int(f[12]) > _micros(as_of):
            return super().state(as_of)
        return _decode_state(f)

    def status_at(self, as_of: Optional[datetime] = None) -> str:
        text = self.__dict__.get("_state")
        if text is None:
            return super().status_at(as_of)
        f = text.split("|", 13)
        if as_of is not None and f[12] and int(f[12]) > _micros(as_of):
            return super().status_at(as_of)
        return f[0]

    def __eq__(self, other: object) -> bool:
        # The dataclass's __eq__ wants the very same class; a cached ticket
        # equals the parsed one it stands for.
        if not isinstance(other, Ticket):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in dataclass_fields(Ticket))

    __hash__ = None  # type: ignore[assignment]


def encode_state(t: Ticket) -> Optional[str]:
    """What :meth:`CachedTicket.state` needs, as one string; None for a state it cannot hold.

    ``|``-separated: status, tier, resolution, wait_on, score, highest
    tier, head noted ("1" or ""), answered tier, then the first response,
    resolution, pauses (``a:b,...``) and last event as indexes into the
    times at the end, then the latest event time in microseconds since the
    epoch. "" is None. One string costs a shard's JSON parser one value
    instead of a dozen: 100,000 of them are read for every listing.
    """
    s = replay(t.history)
    words = (s.status, s.tier, s.resolution, s.wait_on, s.highest_tier, s.answered_tier)
    if (not all(w is None or (type(w) is str and w and "|" not in w) for w in words)
            or not (s.score is None or type(s.score) is int)):
        return None  # a value from a newer version or a hand edit: replayed instead
    last = max((e.at for e in t.history), default=None)
    # The state's times are mostly one or two events' times: each distinct
    # one is written (and parsed back) once, the state names it by index.
    times: list[str] = []

    def ref(moment: Optional[datetime]) -> str:
        if moment is None:
            return ""
        text = moment.isoformat()
        if text not in times:
            times.append(text)
        return str(times.index(text))

    return "|".join([
        s.status, s.tier, s.resolution or "", s.wait_on or "", "" if s.score is None else str(s.score),
        s.highest_tier, "1" if s.head_noted else "", s.answered_tier or "",
        ref(s.first_response_at), ref(s.resolved_at), ",".join(f"{ref(a)}:{ref(b)}" for a, b in s.pauses),
        ref(s.last_at), "" if last is None else str((last - _EPOCH) // _MICROSECOND),
        *times,
    ])


def _decode_state(f: list[str]) -> State:
    """The :class:`State` of :func:`encode_state`'s string, split at ``|``."""
    times = list(map(datetime.fromisoformat, f[13:]))
    pauses = []
    if f[10]:
        for pause in f[10].split(","):
            a, _, b = pause.partition(":")
            pauses.append((times[int(a)], times[int(b)] if b else None))
    return State(
        f[0], f[1], f[2] or None, f[3] or None, int(f[4]) if f[4] else None, f[5], f[6] == "1",
        f[7] or None, times[int(f[8])] if f[8] else None, times[int(f[9])] if f[9] else None,
        pauses, times[int(f[11])] if f[11] else None,
    )


def encode(t: Ticket) -> list[Any]:
    """The ticket as JSON-able lists, in the order :func:`decode` reads them."""
    r = t.reporter
    return [
        t.id, t.channel, t.kind, t.created_at.isoformat(), t.subject, t.message, t.category,
        t.difficulty, [r.name, r.address, r.phone, r.email, r.account, r.role], t.refs,
        t.attachments, t.extra,
        # A string the shard's parser passes over: only a history that is used is parsed.
        json.dumps([[e.at.isoformat(), e.action, e.by, e.tier, e.message,
                     None if e.recorded_at is None else e.recorded_at.isoformat(), e.fields]
                    for e in t.history], separators=(",", ":")),
    ]


def decode(row: list[Any], state: Optional[str] = None) -> Ticket:
    """The :class:`Ticket` :func:`encode` was given (equal, times with the same offsets).

    ``state``: what :func:`encode_state` made of it, for :meth:`CachedTicket.state`.
    """
    (tid, channel, kind, created, subject, message, category, difficulty, rep, refs,
     attachments, extra, history) = row
    if type(history) is not str or (state is not None and (type(state) is not str or state.count("|") < 12)):
        raise ValueError("not an entry of this version")
    # Positional arguments in the dataclasses' field order: this runs 100,000
    # times a listing (tests/unit/test_cache.py checks the round trip).
    t = CachedTicket(
        tid, channel, kind, datetime.fromisoformat(created), subject, message, category, difficulty,
        Reporter(*rep), refs, attachments, None, extra,  # type: ignore[arg-type]
    )
    d = t.__dict__
    d["_rows"] = history
    if state is not None:
        d["_state"] = state
    return t


def stamp(st: os.stat_result) -> list[int]:
    return [st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns]


# -- shards ------------------------------------------------------------------

@dataclass
class Shard:
    """The entries of one ticket folder: file name -> [stamp..., message-ids, ticket, state]."""

    rel: str
    path: Path
    entries: dict[str, list[Any]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    changed: bool = False


class TicketCache:
    """The cache of one helpdesk for one load; :meth:`save` writes what changed."""

    def __init__(self, root: Path, tickets_dir: Path) -> None:
        self.dir = root / CACHE_DIR
        self.tickets_dir = tickets_dir
        self.started = now_ns()
        self._shards: dict[str, Shard] = {}

    # -- reading ------------------------------------------------------------
    def _shard(self, folder: str) -> Shard:
        s = self._shards.get(folder)
        if s is None:
            rel = os.path.relpath(folder, self.tickets_dir).replace(os.sep, "/")
            if _SAFE_DIR.match(rel):
                name = rel.replace("/", "-")
            else:
                name = "x" + hashlib.blake2b(rel.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
            s = Shard(rel, self.dir / f"{name}.json")
            s.entries = self._read_shard(s)
            self._shards[folder] = s
        return s

    def _read_shard(self, s: Shard) -> dict[str, list[Any]]:
        try:
            raw = s.path.read_bytes()
            head, _, body = raw.partition(b"\n")
            header = json.loads(head)
            if (header.get("key") != code_key() or header.get("dir") != s.rel
                    or header.get("sum") != hashlib.blake2b(body, digest_size=16).hexdigest()):
                s.changed = True  # another version's, or damaged: replace it
                return {}
            entries = json.loads(body)
            if not isinstance(entries, dict):
                raise ValueError("not a mapping")
            return entries
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, AttributeError, UnicodeDecodeError, RecursionError):
            s.changed = True
            return {}

    # Files are named by folder and name, as os.walk gives them: a listing
    # of 100,000 tickets builds no Path for a file the cache holds.
    def _entry(self, folder: str, name: str) -> tuple[Shard, Optional[list[Any]]]:
        s = self._shard(folder)
        s.seen.add(name)
        entry = s.entries.get(name)
        if not isinstance(entry, list) or len(entry) != 7:
            return s, None
        try:
            st = os.stat(os.path.join(folder, name))
        except OSError:
            return s, None
        if entry[:4] != stamp(st):
            return s, None
        return s, entry

    def tickets(self, folder: str, names: list[str]) -> list[Optional[Ticket]]:
        """:meth:`ticket` of each file of one folder, in a loop kept tight for listings."""
        s = self._shard(folder)
        s.seen.update(names)
        entries = s.entries
        prefix = os.path.join(folder, "")
        # Each file stat'ed relative to its open folder: the kernel walks no path.
        folder_fd = None
        if _STAT_AT:
            try:
                folder_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError:
                pass
        out: list[Optional[Ticket]] = []
        try:
            for name in names:
                t = None
                entry = entries.get(name)
                if type(entry) is list and len(entry) == 7:
                    try:
                        st = os.stat(prefix + name) if folder_fd is None else os.stat(name, dir_fd=folder_fd)
                    except OSError:
                        st = None
                    if (st is not None and entry[0] == st.st_mtime_ns and entry[1] == st.st_size
                            and entry[2] == st.st_ino and entry[3] == st.st_ctime_ns):
                        try:
                            t = decode(entry[5], entry[6])
                        except (TypeError, ValueError, AttributeError):
                            del entries[name]  # not what this code writes: read the file instead
                            s.changed = True
                out.append(t)
        finally:
            if folder_fd is not None:
                os.close(folder_fd)
        return out

    def message_ids(self, folder: str, name: str) -> Optional[list[str]]:
        """The Message-IDs cached for the file if it is unchanged, else None."""
        _, entry = self._entry(folder, name)
        if entry is None or not isinstance(entry[4], list):
            return None
        return entry[4]

    # -- remembering --------------------------------------------------------
    def remember(self, folder: str, name: str, st: os.stat_result, t: Ticket, message_ids: list[str]) -> None:
        """Keep ``t``, read from the file when it had the stamps ``st``."""
        s = self._shard(folder)
        s.seen.add(name)
        if max(st.st_mtime_ns, st.st_ctime_ns) >= self.started - RACY_NS:
            # Too fresh to trust its stamps; drop any older entry of it.
            if s.entries.pop(name, None) is not None:
                s.changed = True
            return
        try:
            entry = [*stamp(st), message_ids, encode(t), encode_state(t)]
        except (ValueError, TypeError):  # what JSON cannot hold (an int beyond its digits limit)
            if s.entries.pop(name, None) is not None:
                s.changed = True
            return
        s.entries[name] = entry
        s.changed = True

    def forget(self, folder: str, name: str) -> None:
        """The file did not read cleanly: no entry for it."""
        s = self._shard(folder)
        s.seen.add(name)
        if s.entries.pop(name, None) is not None:
            s.changed = True

    # -- writing ------------------------------------------------------------
    def save(self, complete: bool = False) -> None:
        """Write the shards that changed; best effort, never an error.

        ``complete``: every ticket file was looked at, so entries (and whole
        shards) of files that are gone can be dropped.
        """
        from lpsectl.store import atomic_write

        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            ignore = self.dir / ".gitignore"
            if not ignore.exists():
                # Ignored even where the helpdesk's .gitignore lacks `.lpsectl/`.
                atomic_write(ignore, b"# lpsectl's disposable cache\n*\n")
        except OSError:
            return
        for s in self._shards.values():
            if complete:
                gone = [n for n in s.entries if n not in s.seen]
                for n in gone:
                    del s.entries[n]
                s.changed = s.changed or bool(gone)
            if not s.changed:
                continue
            try:
                if not s.entries:
                    s.path.unlink(missing_ok=True)
                    continue
                body = _dumps(s.entries)
                header = {"key": code_key(), "dir": s.rel,
                          "sum": hashlib.blake2b(body, digest_size=16).hexdigest()}
                atomic_write(s.path, json.dumps(header).encode() + b"\n" + body)
            except OSError:
                continue
        if complete:
            self._drop_other_shards()

    def _drop_other_shards(self) -> None:
        """Shards of folders that no longer hold tickets."""
        keep = {s.path.name for s in self._shards.values()}
        try:
            names = os.listdir(self.dir)
        except OSError:
            return
        for name in names:
            if name.endswith(".json") and name not in keep:
                try:
                    os.unlink(self.dir / name)
                except OSError:
                    pass


def _dumps(entries: dict[str, list[Any]]) -> bytes:
    """The entries as JSON; an entry JSON cannot hold (an int beyond its digits limit) is left out."""
    try:
        return json.dumps(entries, separators=(",", ":")).encode()
    except (ValueError, TypeError):
        ok = {}
        for name, entry in entries.items():
            try:
                json.dumps(entry)
            except (ValueError, TypeError):
                continue
            ok[name] = entry
        return json.dumps(ok, separators=(",", ":")).encode()
