"""Personal data under UU 27/2022: access, erasure that reaches git's history, retention.

Erasure is a deterministic rewrite of history (see docs/personal-data.md):

- ``erase`` scrubs the ticket (:func:`scrub`), records an ``erase`` event
  and a marker file ``tickets/.erased/<ID>`` in one commit, then rewrites
  every local branch and remote-tracking branch so that each earlier version
  of that ticket file is replaced by its scrubbed form and its attachments
  are gone (:func:`rewrite`). Commits that never held the ticket keep their
  ids; later ones get new ids but the same author, time and message.
- The rewrite is a pure function of the history and the erased ids, so two
  desks rewriting the same shared history get the same commits: ``sync``
  rewrites whatever it holds (its own branch, the fetched remote branch)
  for every id a marker names on either side, merges as usual and pushes
  over the remote's old history (with a lease, so no other desk's push is
  lost). A desk that was offline rewrites its own new work the same way.
- After ``git reflog expire --expire=now --all && git gc --prune=now`` the
  old objects are gone from each repository.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from lpsectl import ticketfile
from lpsectl.errors import Damaged, LpseError
from lpsectl.model import REPORTER_FIELDS, Event, Reporter, Ticket
from lpsectl.i18n import _

if TYPE_CHECKING:
    from lpsectl.gitrepo import GitRepo
    from lpsectl.store import Helpdesk

# Beside the tickets, one empty file per erased ticket: which ids every desk must scrub.
MARKER_DIR = ".erased"
# In the git folder: the ids whose erasure this clone's refs already carry.
APPLIED_NAME = "lpsectl-erased"
# Event fields that hold mail message-ids or the reporter's files.
PERSONAL_EVENT_FIELDS = ("message-id", "sent_message_id", "in_reply_to", "attachments", "attachment_names")
# Edit changes whose from/to are personal values (or the reporter's words).
PERSONAL_CHANGES = tuple(f"reporter.{f}" for f in REPORTER_FIELDS) + ("refs.message-id", "subject")
# What a version of an erased ticket becomes when it does not read as a ticket.
UNREADABLE_VERSION = b"# erased: this version of the ticket did not read as a ticket\n"


# -- access -------------------------------------------------------------------------

@dataclass
class Person:
    """Who an access request is about: one of these is given."""

    email: Optional[str] = None
    phone: Optional[str] = None
    name: Optional[str] = None
    account: Optional[str] = None


def names_person(t: Ticket, who: Person) -> bool:
    """Whether ``t`` names the person: e-mail, name and account in any case, phones on their digits."""
    from lpsectl.views import phone_digits

    def same(a: Optional[str], b: Optional[str]) -> bool:
        return bool(a and b) and a.strip().casefold() == b.strip().casefold()  # type: ignore[union-attr]

    r = t.reporter
    if who.email is not None and same(r.email, who.email):
        return True
    if who.name is not None and same(r.name, who.name):
        return True
    if who.account is not None and same(r.account, who.account):
        return True
    if who.phone is not None and r.phone:
        want = phone_digits(who.phone)
        return bool(want) and phone_digits(r.phone) == want
    return False


# -- erasure of one ticket ------------------------------------------------------------

def scrub(t: Ticket) -> Ticket:
    """``t`` without the reporter's personal data and own words; what the figures need stays.

    Kept: id, channel, kind, difficulty, category, times, tiers, resolution,
    rating, officers' actions and their texts, external references. Gone:
    every reporter field, subject and message, follow-up texts, mail
    message-ids, attachments (names included), and the from/to of edits of
    any of those (the edit itself, and which field it changed, stay).
    """
    t = t.copy()
    t.reporter = Reporter()
    t.subject = None
    t.message = None
    t.attachments = []
    if "message-id" in t.refs:
        t.refs["message-id"] = None
    for e in t.history:
        if e.action in ("followup", "open"):
            e.message = None
        for key in PERSONAL_EVENT_FIELDS:
            e.fields.pop(key, None)
        changes = e.fields.get("changes")
        if isinstance(changes, dict):
            e.fields["changes"] = {
                name: ({"from": None, "to": None} if name in PERSONAL_CHANGES and isinstance(c, dict) else c)
                for name, c in changes.items()
            }
    return t


def erased_ticket(t: Ticket, operator: str, at: datetime, now: datetime, reason: str) -> Ticket:
    """The scrubbed ticket with its ``erase`` event: who, when, why; never the values."""
    out = scrub(t)
    out.add(Event(at=at, action="erase", by=operator, tier=t.tier, message=reason, recorded_at=now))
    return out


def scrub_text(data: bytes) -> bytes:
    """One stored version of an erased ticket file, scrubbed; the same bytes on every desk."""
    try:
        t = ticketfile.loads(data.decode("utf-8"))
    except (Damaged, UnicodeDecodeError, ValueError):
        return UNREADABLE_VERSION
    return ticketfile.dumps(scrub(t)).encode("utf-8")


# -- which ids are erased --------------------------------------------------------------

def marker_dir(hd: "Helpdesk") -> Path:
    return hd.tickets_dir / MARKER_DIR


def markers_in(git: "GitRepo", hd: "Helpdesk", commit: Optional[str]) -> set[str]:
    """The ids a commit's tree marks as erased."""
    if commit is None:
        return set()
    rel = os.path.relpath(marker_dir(hd), git.root).replace(os.sep, "/")
    proc = git.run("ls-tree", "--name-only", "-z", f"{commit}:{rel}", check=False)
    if proc.returncode != 0:
        return set()
    return {n.upper() for n in proc.stdout.split("\0") if n}


def applied(git: "GitRepo") -> set[str]:
    try:
        text = (git.git_dir() / APPLIED_NAME).read_text(encoding="ascii")
    except OSError:
        return set()
    return {line.strip().upper() for line in text.splitlines() if line.strip()}


def remember_applied(git: "GitRepo", ids: Iterable[str]) -> None:
    from lpsectl.store import atomic_write

    known = applied(git) | set(ids)
    atomic_write(git.git_dir() / APPLIED_NAME, "".join(f"{i}\n" for i in sorted(known)).encode("ascii"))


# -- the rewrite -----------------------------------------------------------------------

@dataclass
class Rewritten:
    """Refs the rewrite moved: ref -> (old, new)."""

    moved: dict[str, tuple[str, str]] = field(default_factory=dict)


_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34}


def _unquote(path: bytes) -> bytes:
    """A path as fast-export writes it (C-style quoted when unusual) -> its bytes."""
    if not path.startswith(b'"'):
        return path
    body, out, i = path[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c == 92 and i + 1 < len(body):
            nxt = chr(body[i + 1])
            if nxt in "01234567":
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


_MODIFY = re.compile(rb"^M ([0-7]+) ([0-9a-f]{40,64}) (.+)$")


def _erased_path(path: bytes, erased: set[str]) -> Optional[str]:
    """'file' for an erased ticket's file, 'attachment' for one of its attachments, else None."""
    parts = path.decode("utf-8", "surrogateescape").split("/")
    name = parts[-1]
    if name.endswith(".yaml") and name[:-5].upper() in erased and "attachments" not in parts[:-1]:
        return "file"
    for i, part in enumerate(parts[:-1]):
        if part == "attachments" and i + 1 < len(parts) - 1 and parts[i + 1].upper() in erased:
            return "attachment"
    return None


def rewrite(git: "GitRepo", erased: set[str]) -> Rewritten:
    """Rewrite every branch and remote-tracking branch without the erased tickets' personal data.

    Deterministic: the same history and ids give the same commits anywhere.
    The checked-out branch's files follow (only erased tickets' files can
    change). Refs move in one transaction, each only if it did not move
    meanwhile.
    """
    # A rewrite killed half-way leaves its temporary refs, which would keep the old objects alive.
    git.update_refs([(ref, None, None) for ref in git.refs_under("refs/lpsectl-rewrite/")], delete=True)
    refs = git.rewritable_refs()
    if not erased or not refs:
        return Rewritten()
    clean = _clean_bases(git, sorted(set(refs.values())), erased)
    if clean is None:
        return Rewritten()  # no commit ever held an erased ticket
    temp = {ref: f"refs/lpsectl-rewrite/{i}" for i, ref in enumerate(refs)}
    git.update_refs([(temp[ref], sha, None) for ref, sha in refs.items()])
    try:
        stream = git.fast_export(list(temp.values()) + [f"^{c}" for c in clean])
        wanted = _erased_blobs(stream, erased)
        if not wanted:
            return Rewritten()
        scrubbed = {sha: scrub_text(data) for sha, data in git.blobs(sorted(wanted)).items()}
        git.fast_import_forced(_filtered(stream, erased, scrubbed))
        new = {ref: git.rev_parse(temp[ref]) or sha for ref, sha in refs.items()}
    finally:
        git.update_refs([(t, None, None) for t in temp.values()], delete=True)
    moved = {ref: (refs[ref], new[ref]) for ref in refs if new[ref] != refs[ref]}
    branch = git.branch_ref()
    if branch in moved:
        old, now = moved[branch]
        git.move_work_tree(old, now)
    try:
        git.update_refs([(ref, now, old) for ref, (old, now) in moved.items()])
    except LpseError:
        if branch in moved:
            git.move_work_tree(moved[branch][1], moved[branch][0])
        raise
    git.forget_orig_head()
    return Rewritten(moved)


def _pathspecs(erased: set[str]) -> list[str]:
    out = []
    for tid in sorted(erased):
        out += [f":(glob,icase)**/{tid}.yaml", f":(glob,icase)**/attachments/{tid}/**"]
    return out


def _clean_bases(git: "GitRepo", tips: list[str], erased: set[str]) -> Optional[list[str]]:
    """Commits whose whole ancestry never held an erased ticket: the rewrite may leave them out.

    None when no commit of ``tips`` ever held one. Leaving out less is
    always right (their rewrite is the same commit), so only the parents of
    the first commits that added an erased ticket are tried, each checked.
    """
    specs = _pathspecs(erased)
    first = git.touching(tips, specs, limit=8)
    if not first:
        return None
    out: list[str] = []
    for commit in first:
        for parent in git.parents(commit):
            if parent not in out and not git.touching([parent], specs, limit=1):
                out.append(parent)
    return out


def _pieces(stream: bytes):
    """The stream as (is_data, bytes): command lines, and the raw bytes of each ``data`` block."""
    pos, n = 0, len(stream)
    while pos < n:
        end = stream.find(b"\n", pos)
        if end < 0:
            end = n
        line = stream[pos:end]
        pos = end + 1
        if line.startswith(b"data "):
            size = int(line[5:])
            yield True, line + b"\n" + stream[pos:pos + size]
            pos += size
            continue  # the newline after the data, if any, comes as an empty line
        yield False, line


def _erased_blobs(stream: bytes, erased: set[str]) -> set[str]:
    """The blob ids of every version of the erased tickets' files the stream names."""
    out = set()
    for is_data, line in _pieces(stream):
        m = None if is_data else _MODIFY.match(line)
        if m and _erased_path(_unquote(m.group(3)), erased) == "file":
            out.add(m.group(2).decode("ascii"))
    return out


def _filtered(stream: bytes, erased: set[str], scrubbed: dict[str, bytes]) -> bytes:
    """The fast-export stream with the erased tickets' versions replaced and attachments dropped."""
    out = bytearray()
    for is_data, line in _pieces(stream):
        if is_data:
            out += line
            continue
        m = _MODIFY.match(line)
        if m:
            what = _erased_path(_unquote(m.group(3)), erased)
            if what == "attachment":
                continue
            if what == "file":
                data = scrubbed[m.group(2).decode("ascii")]
                out += b"M " + m.group(1) + b" inline " + m.group(3) + b"\n"
                out += b"data %d\n" % len(data) + data + b"\n"
                continue
        out += line + b"\n"
    return bytes(out)


# -- the commands' core ------------------------------------------------------------------

@dataclass
class Erasure:
    ids: list[str]
    at: datetime
    operator: str
    reason: str


def erase(hd: "Helpdesk", id_texts: list[str], operator: str, reason: str, at_text: Optional[str] = None,
          now: Optional[datetime] = None) -> Erasure:
    """Erase the personal data of the tickets ``id_texts`` name, here and in this clone's history.

    Every id is resolved first: an unknown one erases nothing. One commit
    records the scrubbed tickets, their ``erase`` events and markers, and
    removes their attachments; then the history is rewritten and what this
    desk derived from the tickets (index, outbox, import-mail memory) is
    dropped.
    """
    from lpsectl.errors import BadInput
    from lpsectl.store import atomic_write
    from lpsectl.workflow import make_act

    if not reason or not reason.strip():
        raise BadInput(_("say why the data is erased with -m REASON (the request, the rule); nothing was erased"))
    with hd.locked():
        tids: list[str] = []
        for text in id_texts:
            tid = hd.resolve(text)
            if tid not in tids:
                tids.append(tid)
        tickets = [hd.load_for_change(tid) for tid in tids]
        act = make_act(operator, at_text, hd.tz, now)
        for t in tickets:
            if act.at_given and t.history and act.at < t.history[-1].at:
                raise BadInput(_("--at {value} is before the latest event of {id} ({value2}); events are recorded in order").format(value=act.at.isoformat(), id=t.id, value2=t.history[-1].at.isoformat()))
        paths: list[Path] = []
        for t in tickets:
            done = any(e.action == "erase" for e in t.history)
            new = scrub(t) if done else erased_ticket(t, operator, act.at, act.recorded_at, reason)
            paths.append(hd.save(new))
            folder = hd.path_for(t.id).parent / "attachments" / t.id
            if folder.is_dir():
                for f in sorted(folder.iterdir()):
                    if f.is_file() or f.is_symlink():
                        f.unlink()
                        paths.append(f)
            marker = marker_dir(hd) / t.id
            if not marker.exists():
                marker.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(marker, b"")
            paths.append(marker)
        try:
            hd.commit(paths, f"erase {', '.join(tids)}: personal data removed", operator)
        except BaseException:
            if hd.git is not None:  # nothing recorded: the files as git has them, markers and attachments too
                known = [p for p in paths if hd.git.blob_at("HEAD", p) is not None]
                if known:
                    hd.git.run("checkout", "HEAD", "--", *[os.path.relpath(p, hd.git.root) for p in known],
                               check=False)
                new = [p for p in paths if p not in known]
                if new:  # staged on the way to the commit: unstaged
                    hd.git.run("rm", "-q", "--cached", "--ignore-unmatch", "--",
                               *[os.path.relpath(p, hd.git.root) for p in new], check=False)
                for p in new:
                    p.unlink(missing_ok=True)
                try:
                    marker_dir(hd).rmdir()  # made by this erasure, now empty
                except OSError:
                    pass
            raise
        if hd.git is not None:
            git = hd.git
            pending = set(tids) | (markers_in(git, hd, git.head()) - applied(git))
            rewrite(git, pending)
            remember_applied(git, pending)
        forget_derived(hd, set(tids))
    return Erasure(tids, act.at, operator, reason)


def forget_derived(hd: "Helpdesk", tids: set[str]) -> None:
    """Drop what this desk derived from erased tickets: the index, their outbox mails, import-mail's memory."""
    from lpsectl.index import INDEX_NAME
    from lpsectl.intake.mail import REPORTED_DIR, REPORTED_NAME
    from lpsectl.outbox import Outbox

    # The index is rebuilt from the files; deleted rows could linger in SQLite's free pages.
    base = hd.root / INDEX_NAME
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{base}{suffix}")
        except FileNotFoundError:
            pass
    box = Outbox(hd)
    for e in box.entries():
        if e.ticket.upper() in tids:
            box.remove(e)
    try:
        os.unlink(hd.root / REPORTED_DIR / REPORTED_NAME)  # disposable: keys of mails, some of these tickets'
    except FileNotFoundError:
        pass


def catch_up(git: "GitRepo", hd: "Helpdesk", head: Optional[str], their: Optional[str]) -> set[str]:
    """Before a sync merges: rewrite what this clone holds for every erasure either side knows.

    Returns the ids rewritten now (none when both sides already carry every
    erasure). The remote's branch is rewritten too when it lacks a marker,
    so the merge never brings an erased version back.
    """
    mine, theirs = markers_in(git, hd, head), markers_in(git, hd, their)
    known = mine | theirs
    pending = (known - applied(git)) | (known - theirs if their else set())
    if not pending:
        return set()
    rewrite(git, pending)
    remember_applied(git, pending)
    forget_derived(hd, pending)
    return pending


# -- retention ---------------------------------------------------------------------------

def closed_at(t: Ticket) -> Optional[datetime]:
    """When the ticket was last closed; None while it is not closed."""
    from lpsectl.model import replay

    if replay(t.history).status != "closed":
        return None
    when = None
    for i in range(len(t.history)):
        if replay(t.history[:i + 1]).status == "closed" and (
                i == 0 or replay(t.history[:i]).status != "closed"):
            when = t.history[i].at
    return when


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def is_erased(t: Ticket) -> bool:
    return any(e.action == "erase" for e in t.history)


@dataclass
class Expired:
    id: str
    channel: str
    kind: str
    created_at: datetime
    closed_at: datetime
    resolution: Optional[str]


def expired(tickets: Iterable[Ticket], years: int, now: datetime) -> list[Expired]:
    """Tickets closed longer ago than ``years`` and not erased yet, oldest closing first."""
    out = []
    for t in tickets:
        when = closed_at(t)
        if when is None or is_erased(t) or add_years(when, years) > now:
            continue
        out.append(Expired(t.id, t.channel, t.kind, t.created_at, when, t.state().resolution))
    out.sort(key=lambda x: (x.closed_at, x.id))
    return out
