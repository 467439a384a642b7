"""Merging two desks' versions of one ticket (the git merge driver).

Git calls ``lpsectl merge-file BASE OURS THEIRS PATH`` for every ticket file
that both sides changed (see :func:`setup`). The merge is by rule, never by
lines of text:

- history: the union of the base's, ours' and theirs' events (an event is
  its whole content), in time order (``at``, then ``recorded_at``); events
  with identical times keep each side's own order, and what is left open is
  decided by the events' content, so both desks get the same file whichever
  side git calls "ours";
- every other field three-way: changed on one side only, that side wins;
  changed on both sides to different values, the latest ``edit`` (or
  ``escalate --ref``) of that field in the merged history wins, else the
  value that sorts last; a value beats its absence, so no key is dropped;
- attachments: the union;
- status, tier and resolution: derived again from the merged history by
  :func:`lpsectl.model.replay`, under the desk's own rules: a tier never goes
  down, and an event the rules did not allow where the merge put it (two
  desks acted apart) is kept, has no effect but the tier an escalate names,
  and is flagged by ``show`` and ``check`` until an officer's next action
  settles it.

A side that cannot be read (hand-broken, conflict markers) falls back to
git's line merge, so the conflict stays visible to ``check``; nothing is
dropped silently. Two *different* tickets added under one id (an id
collision) are both kept: see :func:`merge_files`.
"""

from __future__ import annotations

import heapq
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from lpsectl import ticketfile
from lpsectl.clock import now as clock_now
from lpsectl.errors import Damaged, LpseError
from lpsectl.model import REPORTER_FIELDS, Event, Reporter, Ticket
from lpsectl.store import ALPHABET, RANDOM_LEN, Helpdesk
from lpsectl.mergedriver import DRIVER_NAME, driver_installed, install_driver
from lpsectl.i18n import _

ATTRIBUTES = f"tickets/**/*.yaml merge={DRIVER_NAME}"
ATTRIBUTES_TEXT = f"""\
# Ticket files are merged by rule by lpsectl (see `lpsectl sync --help`).
{ATTRIBUTES}
"""
# Collisions resolved by the driver, one per line, for `sync` to commit and report.
RENAMES_LOG = "lpsectl-renamed"
# Set by `sync`, which merges with `git merge-tree` and writes no file until
# git holds the merge: the driver then hands over this desk's moved ticket
# of an id collision as a git object only (its blob in RENAMES_LOG).
OUT_OF_TREE = "LPSECTL_MERGE_OUT_OF_TREE"
COLLISION_BY = "lpsectl"


class _Missing:
    """A key a version does not have; sorts before every value."""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "MISSING"


MISSING: Any = _Missing()


# -- canonical forms ----------------------------------------------------------

def canon(value: Any) -> str:
    """One text per value, the same on every machine: what "equal" and "last" mean."""
    if value is MISSING:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_canon(e: Event) -> str:
    return canon(ticketfile.event_data(e))


# -- the three-way merge of one ticket -----------------------------------------

def _flat(t: Ticket) -> dict[str, Any]:
    """Every mergeable field, named as ``edit`` events name them."""
    d: dict[str, Any] = {
        "id": t.id, "channel": t.channel, "kind": t.kind,
        "created_at": ticketfile.fmt_time(t.created_at), "difficulty": t.difficulty,
        "category": t.category, "subject": t.subject, "message": t.message,
    }
    for f in REPORTER_FIELDS:
        d[f"reporter.{f}"] = getattr(t.reporter, f)
    for k, v in t.refs.items():
        d[f"refs.{k}"] = v
    for k, v in t.extra.items():
        d[f"extra.{k}"] = v
    return d


def _edit_name(key: str) -> str:
    # A newer version's edit of an unknown top-level key would name it plainly.
    return key[len("extra."):] if key.startswith("extra.") else key


def _latest_edits(history: list[Event]) -> dict[str, Any]:
    """For each field, the value its latest edit in ``history`` set."""
    latest: dict[str, Any] = {}
    for e in history:  # in merged order: later ones overwrite
        if e.action == "edit" and isinstance(e.get("changes"), dict):
            for name, change in e.get("changes").items():
                if isinstance(change, dict) and "to" in change:
                    latest[str(name)] = change["to"]
        elif e.action == "escalate" and e.get("ref"):
            latest["refs.lpse-support"] = e.get("ref")
    return latest


def _decide(key: str, ours: Any, theirs: Any, latest: dict[str, Any]) -> Any:
    """Both sides changed ``key`` to different values: the rule in the docstring."""
    name = _edit_name(key)
    if name in latest:
        won = canon(latest[name])
        for v in (ours, theirs):
            if v is not MISSING and canon(v) == won:
                return v
    if ours is MISSING or theirs is MISSING:
        return theirs if ours is MISSING else ours
    return max((ours, theirs), key=canon)


def _three_way(base: Any, ours: Any, theirs: Any) -> tuple[bool, Any]:
    """(decided, value); not decided when both sides changed differently."""
    o, t, b = canon(ours), canon(theirs), canon(base)
    if o == t or t == b:
        return True, ours
    if o == b:
        return True, theirs
    return False, None


def _ordered_keys(base: dict, ours: dict, theirs: dict) -> list:
    """Base keys in base order, then new keys sorted: the same whichever side is ours."""
    seen = list(base)
    new = sorted((set(ours) | set(theirs)) - set(base), key=str)
    return seen + new


def merge_histories(base: list[Event], ours: list[Event], theirs: list[Event]) -> list[Event]:
    """The union of three histories, in time order, each side's own order kept for ties.

    Each history is a chain; an event is a node named by its content and
    its occurrence (the same content twice on one side is two events).
    Kahn's algorithm over the union of the chains, always taking the ready
    event with the smallest (time, content), gives the same order whichever
    side is "ours".
    """
    nodes: dict[tuple[str, int], Event] = {}
    texts: dict[tuple[str, int], str] = {}
    preds: dict[tuple[str, int], set] = {}
    succs: dict[tuple[str, int], set] = {}
    for chain in (base, ours, theirs):
        seen: dict[str, int] = {}
        prev = None
        for e in chain:
            c = event_canon(e)
            node = (c, seen.get(c, 0))
            seen[c] = node[1] + 1
            # Of equal events pick one deterministically (key order may differ).
            text = json.dumps(ticketfile.event_data(e), ensure_ascii=False, default=str)
            if node not in nodes or text < texts[node]:
                nodes[node], texts[node] = e, text
            preds.setdefault(node, set())
            succs.setdefault(node, set())
            if prev is not None and prev != node:
                preds[node].add(prev)
                succs[prev].add(node)
            prev = node

    def rank(node: tuple[str, int]) -> tuple:
        return (nodes[node].sort_key(), node)

    left = {n: set(p) for n, p in preds.items()}
    ready = [rank(n) for n, p in left.items() if not p]
    heapq.heapify(ready)
    out: list[Event] = []
    done: set = set()
    while len(done) < len(nodes):
        if not ready:
            # Two sides ordered the same events differently (by hand): break the tie.
            heapq.heappush(ready, min(rank(n) for n in nodes if n not in done))
        _, node = heapq.heappop(ready)
        if node in done:
            continue
        done.add(node)
        out.append(nodes[node])
        for s in succs[node]:
            left[s].discard(node)
            if not left[s] and s not in done:
                heapq.heappush(ready, rank(s))
    # Already in time order when the sides were; a stable sort makes it certain.
    out.sort(key=Event.sort_key)
    return out


def _merge_list(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    done, value = _three_way(base, ours, theirs)
    if done:
        return list(value)
    union = [a for a in base if a in ours or a in theirs]
    return union + sorted(set(ours + theirs) - set(union))


def merge_tickets(base: Optional[Ticket], ours: Ticket, theirs: Ticket) -> Ticket:
    """The three-way merge of one ticket; ``base`` None when both sides added it."""
    history = merge_histories(base.history if base else [], ours.history, theirs.history)
    latest = _latest_edits(history)
    fb, fo, ft = (_flat(base) if base else {}), _flat(ours), _flat(theirs)
    merged: dict[str, Any] = {}
    for key in _ordered_keys(fb, fo, ft):
        b, o, t = fb.get(key, MISSING), fo.get(key, MISSING), ft.get(key, MISSING)
        done, value = _three_way(b, o, t)
        if not done:
            value = _decide(key, o, t, latest)
        if value is not MISSING:
            merged[key] = value
    refs = {k[len("refs."):]: v for k, v in merged.items() if k.startswith("refs.")}
    extra = {k[len("extra."):]: v for k, v in merged.items() if k.startswith("extra.")}
    return Ticket(
        id=merged["id"], channel=merged["channel"], kind=merged["kind"],
        created_at=datetime.fromisoformat(merged["created_at"]),
        subject=merged.get("subject"), message=merged.get("message"),
        category=merged.get("category"), difficulty=merged["difficulty"],
        reporter=Reporter(**{f: merged.get(f"reporter.{f}") for f in REPORTER_FIELDS}),
        refs=refs,
        attachments=_merge_list(base.attachments if base else [], ours.attachments, theirs.attachments),
        history=history, extra=extra,
    )


def merge_text(base: Optional[str], ours: str, theirs: str, where: str = "<ticket>") -> str:
    """Merge three ticket files' text; raises :class:`Damaged` if one cannot be read."""
    b = None
    if base is not None and base.strip():
        try:
            b = ticketfile.loads(base, where + " (base)")
        except Damaged:
            b = None  # merge the two sides as if both had added the ticket
    o = ticketfile.loads(ours, where + " (ours)")
    t = ticketfile.loads(theirs, where + " (theirs)")
    text = ticketfile.dumps(merge_tickets(b, o, t))
    ticketfile.loads(text, where + " (merged)")  # never write what cannot be read back
    return text


_AS_OPENED = ("channel", "created_at", "kind", "subject", "message") + tuple(f"reporter.{f}" for f in REPORTER_FIELDS)


def as_opened(t: Ticket) -> dict[str, Any]:
    """The ticket's fields as they were opened: every edit undone."""
    flat = _flat(t)
    values = {k: flat.get(k) for k in _AS_OPENED}
    undone: set[str] = set()
    for e in t.history:
        changes = e.get("changes") if e.action == "edit" else None
        if isinstance(changes, dict):
            for name, change in changes.items():
                if name in values and name not in undone and isinstance(change, dict):
                    values[name] = change.get("from")
                    undone.add(name)
    return values


def same_ticket(a: Ticket, b: Ticket) -> bool:
    """Whether two files are versions of one ticket: the same opening, the same report.

    Compared as opened, so a desk's later correction of the channel or of the
    opening time does not make its version look like another ticket.
    """
    return (event_canon(a.history[0]) == event_canon(b.history[0])
            and canon(as_opened(a)) == canon(as_opened(b)))


# -- the merge driver -----------------------------------------------------------

@dataclass
class DriverResult:
    clean: bool
    renamed: Optional[tuple[str, str, str, str]] = None  # old id, new id, new path, its blob
    problem: Optional[str] = None
    messages: list[str] = field(default_factory=list)


def _fresh_id(old_id: str, folder: Path) -> str:
    import secrets

    stem = old_id.split("-", 1)[0] + "-"
    for _attempt in range(1000):
        tid = stem + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LEN))
        if not (folder / f"{tid}.yaml").exists():
            return tid
    raise LpseError(_("could not find a free ticket id"))  # pragma: no cover


def _keep_both(ours: Ticket, theirs_text: str, ours_file: Path, path: str) -> tuple[str, str, str, str]:
    """An id collision: the incoming ticket keeps the id, ours moves to a fresh one.

    The incoming one is already on the remote (other desks know it by this
    id); ours has not left this desk, so the desk that merges is the one
    that learns, from ``sync``, that its ticket got a new id. The moved
    ticket is stored as a git object; for a `git merge` run by a person it
    is written into the work tree too (`sync` adds it to its merge itself).
    """
    folder = Path(path).parent
    new_id = _fresh_id(ours.id, folder)
    old_id = ours.id
    moved = ours.copy()
    moved.id = new_id
    last = moved.history[-1]
    # In the offset the ticket was opened in: the office's, with no config to read.
    at = clock_now(moved.history[0].at.tzinfo)
    moved.add(Event(
        at=max(at, last.at), action="note", by=COLLISION_BY, tier=moved.tier,
        message=(f"Id changed from {old_id} to {new_id}: another desk had already "
                 f"given {old_id} to a different ticket."),
        fields={"former_id": old_id},
    ))
    new_path = folder / f"{new_id}.yaml"
    data = ticketfile.dumps(moved).encode("utf-8")
    from lpsectl.gitrepo import hash_object

    blob = hash_object(data)
    if not os.environ.get(OUT_OF_TREE):
        from lpsectl.store import atomic_write

        atomic_write(new_path, data)
    ours_file.write_text(theirs_text, encoding="utf-8", newline="")
    return old_id, new_id, new_path.as_posix(), blob


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def merge_files(base_file: Path, ours_file: Path, theirs_file: Path, path: str) -> DriverResult:
    """What git's merge driver does: merge into ``ours_file``; clean or not.

    ``path`` is the ticket's path in the work tree (git runs drivers at its
    top). Two different tickets added under one id on both sides are kept:
    see :func:`_keep_both`.
    """
    try:
        base, ours, theirs = _read(base_file), _read(ours_file), _read(theirs_file)
    except (OSError, UnicodeDecodeError) as exc:
        return _line_merge(base_file, ours_file, theirs_file, path, f"cannot read a version: {exc}")
    try:
        if not base.strip():
            o = ticketfile.loads(ours, path)
            t = ticketfile.loads(theirs, path)
            if not same_ticket(o, t):
                renamed = _keep_both(o, theirs, ours_file, path)
                return DriverResult(True, renamed=renamed, messages=[
                    f"lpsectl: id collision in {path}: the incoming ticket keeps {renamed[0]}, "
                    f"this desk's ticket is now {renamed[1]} ({renamed[2]})"])
        merged = merge_text(base, ours, theirs, path)
    except Damaged as exc:
        return _line_merge(base_file, ours_file, theirs_file, path, str(exc))
    ours_file.write_text(merged, encoding="utf-8", newline="")
    return DriverResult(True)


def _line_merge(base_file: Path, ours_file: Path, theirs_file: Path, path: str, why: str) -> DriverResult:
    """git's own line merge, conflict markers and all, so `check` can report it."""
    from lpsectl.gitrepo import merge_file

    conflicts = merge_file(ours_file, base_file, theirs_file, path)
    return DriverResult(
        conflicts == 0, problem=why,
        messages=[f"lpsectl: {path} merged line by line, not by rule ({why})"],
    )


def record_rename(git_dir: Path, renamed: tuple[str, str, str, str]) -> None:
    with open(git_dir / RENAMES_LOG, "a", encoding="utf-8") as f:
        f.write("\t".join(renamed) + "\n")


def read_renames(git_dir: Path) -> list[tuple[str, str, str, str]]:
    """(old id, new id, new path from the top, blob) of each collision the driver resolved."""
    try:
        text = (git_dir / RENAMES_LOG).read_text(encoding="utf-8")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            out.append((parts[0], parts[1], parts[2], parts[3]))
    return out


def clear_renames(git_dir: Path) -> None:
    try:
        os.unlink(git_dir / RENAMES_LOG)
    except OSError:
        pass


# -- installing the driver ------------------------------------------------------
# (lpsectl.mergedriver: every command checks it, and need not import this module to do so)

def attributes_ok(hd: Helpdesk) -> bool:
    p = hd.root / ".gitattributes"
    try:
        return ATTRIBUTES in p.read_text(encoding="utf-8").splitlines()
    except OSError:
        return False


def setup(hd: Helpdesk) -> list[Path]:
    """Install what git needs to merge tickets in this clone; the files changed."""
    changed: list[Path] = []
    if not attributes_ok(hd):
        p = hd.root / ".gitattributes"
        text = p.read_text(encoding="utf-8") if p.exists() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        from lpsectl.store import atomic_write

        atomic_write(p, (text + ("\n" if text else "") + ATTRIBUTES_TEXT).encode("utf-8"))
        changed.append(p)
    if hd.git is not None and not driver_installed(hd):
        install_driver(hd)
    return changed
