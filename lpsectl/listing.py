"""What ``list`` selects: the same rows from parsed tickets or from the index.

:func:`listed` assesses every ticket in Python (the way without the index,
and the reference); :func:`listed_from_index` asks the index, which holds
each ticket's state and deadline. They give the same rows in the same order
(tests/cli/test_index_answers_like_the_files.py compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Iterable, Optional

from lpsectl.index import Index, micros
from lpsectl.model import Ticket
from lpsectl.sla import Assessment, assess
from lpsectl.views import list_json, local, matches, phone_digits

if TYPE_CHECKING:
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
    # Only tickets with a follow-up not yet acted on, closed ones included.
    flagged: bool = False

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


Found = list  # of (list --json object, created as shown, due as shown)


def _found(t: Ticket, a: Assessment, tz: tzinfo) -> tuple:
    return list_json(t, a, tz), local(t.created_at, tz), local(a.due_at, tz)


def listed(hd: "Helpdesk", tickets: Iterable[Ticket], want: Filters, now: datetime) -> Found:
    """The listing from parsed tickets: every ticket assessed in Python."""
    out = []
    for t in tickets:
        if not want.keeps_ticket(t, hd.tz):
            continue
        s = t.state(now)
        if not want.keeps_state(s.status, s.tier):
            continue
        if want.flagged and not s.flagged:
            continue
        a = assess(t, hd.config, hd.calendar, now, state=s)
        if want.overdue and not a.overdue:
            continue
        out.append((t.created_at, t.id, _found(t, a, hd.tz)))
    out.sort(key=lambda x: (x[0], x[1]))
    return [f for _, _, f in out]


def listed_from_index(hd: "Helpdesk", ix: Index, want: Filters, now: datetime) -> Found:
    """The listing as queries: the rows whose state and deadline the index holds as they are now.

    A waiting ticket's deadline moves while it waits, and a ticket with an
    event after now (``--at`` a little ahead) had another state now: those
    few are assessed in Python, like every ticket without the index.
    """
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
    if want.search:
        digits = phone_digits(want.search)
        where.append("(instr(search, ?) > 0 OR (? AND phone IS NOT NULL AND instr(phone, ?) > 0))")
        params += [want.search.casefold(), len(digits) >= 3, digits]
    moving = "(last_us > ? OR status = 'waiting')"
    settled = list(where) + [f"NOT {moving}"]
    settled_params = list(params) + [now_us]
    if want.statuses:
        settled.append(f"status IN ({', '.join('?' * len(want.statuses))})")
        settled_params += sorted(want.statuses)
    elif not want.every_status():
        settled.append("status != 'closed'")
    if want.flagged:
        settled.append("flagged = 1")
    if want.tier:
        settled.append("tier = ?")
        settled_params.append(want.tier)
    if want.overdue:
        settled.append("status = 'open' AND due_us < ?")
        settled_params.append(now_us)
    out = []
    for (tid, created_us, channel, kind, status, tier, created, subject, category, difficulty, name,
         due_us, due_iso, created_local, due_local, holder, flagged) in ix.select(
            " AND ".join(settled), settled_params,
            ("id", "created_us", "channel", "kind", "status", "tier", "created_iso", "subject", "category",
             "difficulty", "reporter_name", "due_us", "due_iso", "created_local", "due_local", "holder",
             "flagged")):
        row = {"id": tid, "channel": channel, "kind": kind, "status": status, "tier": tier,
               "created_at": created, "subject": subject, "category": category, "difficulty": difficulty,
               "reporter_name": name, "due_at": due_iso, "overdue": status == "open" and due_us < now_us,
               "holder": holder, "flagged": bool(flagged)}
        out.append((created_us, tid, (row, created_local, due_local)))
    others = ix.tickets(" AND ".join(where + [moving]), params + [now_us])
    if others:
        for t in others:
            f = _one(hd, t, want, now)
            if f is not None:
                out.append((micros(t.created_at), t.id, f))
        out.sort(key=lambda x: (x[0], x[1]))
    return [f for _, _, f in out]


def _one(hd: "Helpdesk", t: Ticket, want: Filters, now: datetime) -> Optional[tuple]:
    s = t.state(now)
    if not want.keeps_state(s.status, s.tier) or want.flagged and not s.flagged:
        return None
    a = assess(t, hd.config, hd.calendar, now, state=s)
    if want.overdue and not a.overdue:
        return None
    return _found(t, a, hd.tz)
