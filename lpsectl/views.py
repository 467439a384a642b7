"""Tickets as the JSON shapes of SPEC §2 and as rows for listings."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Optional

from lpsectl.lazyre import LazyPattern

if TYPE_CHECKING:
    from lpsectl.model import Conflict, Event, Ticket  # a listing the index answers makes none of them
    from lpsectl.sla import Assessment


def iso(t: Optional[datetime], tz: Optional[tzinfo] = None) -> Optional[str]:
    if t is None:
        return None
    return (t.astimezone(tz) if tz else t).isoformat()


def local(t: Optional[datetime], tz: tzinfo, seconds: bool = False) -> str:
    """``t`` as the office reads it: local date and time and the zone's name."""
    if t is None:
        return "-"
    lt = t.astimezone(tz)
    name = lt.tzname() or ""
    if name.startswith(("+", "-")):
        name = "UTC" + name
    # Formatted by hand: strftime costs more than the rest of a row's local times.
    text = f"{lt.year:04d}-{lt.month:02d}-{lt.day:02d} {lt.hour:02d}:{lt.minute:02d}"
    if seconds:
        text += f":{lt.second:02d}"
    return text + (f" {name}" if name else "")


_DIGITS = LazyPattern(r"\D")  # compiled where a phone number is searched or indexed


def phone_digits(text: str) -> str:
    """A phone number's digits, ``+62`` read as ``0``: how ``list --search`` compares numbers."""
    d = _DIGITS.sub("", text)
    if text.strip().startswith("+62") or (d.startswith("62") and len(d) > 9 and not text.strip().startswith("0")):
        d = "0" + d[2:]
    return d


def search_text(t: Ticket) -> str:
    """What ``list --search`` looks in, casefolded: subject, message, reporter fields, NUL between them."""
    r = t.reporter  # its fields in REPORTER_FIELDS order
    return "\0".join(x.casefold() for x in (t.subject, t.message, r.name, r.address, r.phone, r.email, r.account,
                                            r.role) if x)


def matches(t: Ticket, needle: str) -> bool:
    """Whether ``list --search needle`` finds ``t``."""
    if needle.casefold() in search_text(t):
        return True
    digits = phone_digits(needle)
    return len(digits) >= 3 and bool(t.reporter.phone) and digits in phone_digits(t.reporter.phone or "")


def event_json(e: Event) -> dict[str, Any]:
    d: dict[str, Any] = {
        "at": iso(e.at), "action": e.action, "by": e.by, "tier": e.tier,
        "message": e.message,
    }
    d.update(e.fields)
    d["recorded_at"] = iso(e.recorded_at or e.at)
    return d


def _summary(t: Ticket, a: Assessment, tz: tzinfo) -> dict[str, Any]:
    """The fields shared by ``show --json`` and ``list --json``, in that order."""
    s = a.state
    return {
        "id": t.id,
        "channel": t.channel,
        "kind": t.kind,
        "status": s.status,
        "tier": s.tier,
        "created_at": iso(t.created_at),
        "subject": t.subject,
    }


def ticket_json(t: Ticket, a: Assessment, tz: tzinfo) -> dict[str, Any]:
    from lpsectl.model import REF_KEYS  # loaded with the ticket

    s = a.state
    return _summary(t, a, tz) | {
        "message": t.message,
        "category": t.category,
        "difficulty": t.difficulty,
        "resolution": s.resolution,
        "waiting_on": s.wait_on,
        "rating": s.score,
        "reporter": t.reporter.as_dict(),
        "refs": {k: t.refs.get(k) for k in REF_KEYS} | {k: v for k, v in t.refs.items() if k not in REF_KEYS},
        "attachments": list(t.attachments),
        "due_at": iso(a.due_at, tz),
        "response_due_at": iso(a.response_due_at, tz),
        "first_response_at": iso(s.first_response_at),
        "resolved_at": iso(s.resolved_at),
        "overdue": a.overdue,
        "holder": s.holder,
        "flagged": s.flagged,
        "waiting_days": a.waiting_days,
        "conflicts": [conflict_json(c) for c in t.conflicts()],
        "history": [event_json(e) for e in t.history],
    }


def conflict_json(c: Conflict) -> dict[str, Any]:
    """An event a merge put where the rules do not allow it: which one (its
    index in ``history``) and why."""
    e = c.event
    return {"event": c.index, "at": iso(e.at), "action": e.action, "by": e.by, "why": c.why}


# How much of a subject a listing's table shows, and the morning page's.
LIST_SUBJECT = 48
PAGE_SUBJECT = 32


def short(text: Optional[str], width: int) -> str:
    """A subject as a table cell: on one line, cut to ``width`` characters with an ellipsis."""
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def list_json(t: Ticket, a: Assessment, tz: tzinfo) -> dict[str, Any]:
    # list_texts writes the same fields: a field added here goes there too.
    return _summary(t, a, tz) | {
        "category": t.category,
        "difficulty": t.difficulty,
        "reporter_name": t.reporter.name,
        "due_at": iso(a.due_at, tz),
        "overdue": a.overdue,
        "holder": a.state.holder,
        "flagged": a.state.flagged,
        "waiting_days": a.waiting_days,
        # The first response's deadline while none has been given.
        "respond_by": None if a.state.first_response_at is not None else iso(a.response_due_at, tz),
    }


# Between the fields of a row of a listing's JSON (``textout.object_text`` one level deep).
_FIELD_SEP = ",\n    "
_dumps: Any = None  # textout.dumps, imported when first used (the plain `show` needs no JSON)


def list_texts(t: Ticket, a: Assessment, tz: tzinfo, due_iso: Optional[str] = None,
               respond_iso: Optional[str] = None, created_iso: Optional[str] = None) -> tuple[str, str]:
    """``textout.split_around(list_json(t, a, tz), "overdue")``, without the object made to be taken apart.

    What an index row keeps of a ticket's ``list --json`` object: the text
    before the value of ``overdue`` and the text after it, each part by one
    call of the C encoder, with the field separator carrying the newline and
    indent (JSON writes none raw inside a string). ``due_iso``,
    ``respond_iso`` and ``created_iso``: ``iso(a.due_at, tz)``,
    ``iso(a.response_due_at, tz)`` and ``iso(t.created_at)``, when the caller
    has them (each ``isoformat`` formats by C's printf).
    """
    global _dumps
    if _dumps is None:
        from lpsectl.textout import dumps as _dumps
    s = a.state
    head = _dumps({
        "id": t.id, "channel": t.channel, "kind": t.kind, "status": s.status, "tier": s.tier,
        "created_at": iso(t.created_at) if created_iso is None else created_iso,
        "subject": t.subject, "category": t.category, "difficulty": t.difficulty,
        "reporter_name": t.reporter.name, "due_at": iso(a.due_at, tz) if due_iso is None else due_iso,
    }, _FIELD_SEP)
    tail = _dumps({
        "holder": s.holder, "flagged": s.flagged, "waiting_days": a.waiting_days,
        "respond_by": None if s.first_response_at is not None else (
            iso(a.response_due_at, tz) if respond_iso is None else respond_iso),
    }, _FIELD_SEP)
    return "{\n    " + head[1:-1] + _FIELD_SEP + '"overdue": ', _FIELD_SEP + tail[1:-1] + "\n  }"
