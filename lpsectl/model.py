"""Tickets, events and the words of the service standard.

The history of events is the truth: status, tier and resolution are derived
from it by :func:`replay`, which never refuses (a merged history must always
yield a state); the rules about which action is allowed live in
:mod:`lpsectl.workflow`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Optional

from lpsectl.errors import BadInput


class Vocabulary:
    """A closed set of English values with their Indonesian aliases."""

    def __init__(self, what: str, values: dict[str, tuple[str, ...]]) -> None:
        self.what = what
        self.values = tuple(values)
        self._lookup: dict[str, str] = {}
        for value, aliases in values.items():
            for word in (value, *aliases):
                self._lookup[word.lower()] = value

    def __iter__(self):
        return iter(self.values)

    def __contains__(self, value: object) -> bool:
        return value in self.values

    def parse(self, word: str) -> str:
        """The English value for ``word`` (English or Indonesian, any case)."""
        key = str(word).strip().lower().replace("_", "-").replace(" ", "-")
        try:
            return self._lookup[key]
        except KeyError:
            raise BadInput(
                f"unknown {self.what} {word!r}; use one of {', '.join(self.values)}"
            ) from None


CHANNEL = Vocabulary(
    "channel",
    {
        "portal": ("lpse-support",),
        "phone": ("telepon", "telp", "telpon"),
        "walk-in": ("datang-langsung", "langsung", "walkin"),
        "email": ("surel", "e-mail", "mail"),
        "suggestion-box": ("kotak-saran",),
        "lapor": ("sp4n-lapor", "lapor!"),
        "whatsapp": ("wa",),
    },
)
KIND = Vocabulary(
    "kind",
    {
        "complaint": ("pengaduan",),
        "problem": ("permasalahan", "masalah"),
        "grievance": ("keluhan",),
        "suggestion": ("masukan", "saran"),
        "question": ("pertanyaan",),
    },
)
TIER = Vocabulary(
    "tier",
    {"helpdesk": (), "admin-ppe": ("adminppe", "ppe"), "lkpp": ("lkpp-ri",)},
)
STATUS = Vocabulary(
    "status",
    {
        "open": ("terbuka", "baru"),
        "waiting": ("menunggu",),
        "answered": ("dijawab", "terjawab"),
        "closed": ("ditutup", "selesai"),
    },
)
DIFFICULTY = Vocabulary(
    "difficulty",
    {
        "easy": ("ringan",),
        "normal": ("sedang",),
        "hard": ("berat", "sulit"),
        "investigation": ("investigasi",),
    },
)
RESOLUTION = Vocabulary(
    "resolution",
    {
        "answered": ("dijawab", "terjawab"),
        "redirected": ("dialihkan",),
        "referred": ("dirujuk", "dilimpahkan"),
        "duplicate": ("duplikat", "ganda"),
        "withdrawn": ("dicabut", "ditarik"),
        "invalid": ("tidak-valid", "tidak-sah"),
    },
)
WAIT_ON = Vocabulary("wait target", {"reporter": ("pelapor",), "lkpp": ()})

ACTIONS = (
    "open", "answer", "escalate", "redirect", "note", "wait", "resume",
    "close", "reopen", "rate", "edit", "followup",
)
# Resolutions that take a ticket out of every SLA figure.
UNCOUNTED_RESOLUTIONS = ("duplicate", "withdrawn", "invalid")
REPORTER_FIELDS = ("name", "address", "phone", "email", "account", "role")
REF_KEYS = ("lapor", "lpse-support", "message-id")
# Fields that `edit` may change, in file order; reporter fields are written
# `reporter.name` and so on in an edit event's `changes`.
EDITABLE = ("subject", "category", "difficulty", "kind") + tuple(
    f"reporter.{f}" for f in REPORTER_FIELDS
) + tuple(f"refs.{k}" for k in REF_KEYS)


def next_tier(tier: str) -> Optional[str]:
    order = TIER.values
    i = order.index(tier)
    return order[i + 1] if i + 1 < len(order) else None


@dataclass
class Reporter:
    name: Optional[str] = None
    address: Optional[str] = None
    phone: Optional[str] = None
    email: Optional[str] = None
    account: Optional[str] = None
    role: Optional[str] = None

    def as_dict(self) -> dict[str, Optional[str]]:
        return {f: getattr(self, f) for f in REPORTER_FIELDS}

    def reachable(self) -> bool:
        """Whether the office has any way to send the answer back."""
        return any((self.phone, self.email, self.account, self.address))


@dataclass
class Event:
    """One entry of a ticket's history.

    ``at`` is when it happened, ``recorded_at`` when it was written down; the
    history is ordered by both. ``fields`` holds the action's own fields
    (ref, resolution, score, on, head, changes, ...) in file order, unknown
    ones included, so nothing written by a newer version is dropped.
    """

    at: datetime
    action: str
    by: str
    tier: str
    message: Optional[str] = None
    recorded_at: Optional[datetime] = None
    fields: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    def sort_key(self) -> tuple:
        return (self.at, self.recorded_at or self.at)


@dataclass
class Ticket:
    id: str
    channel: str
    kind: str
    created_at: datetime
    subject: Optional[str] = None
    message: Optional[str] = None
    category: Optional[str] = None
    difficulty: str = "normal"
    reporter: Reporter = field(default_factory=Reporter)
    refs: dict[str, Optional[str]] = field(default_factory=lambda: {k: None for k in REF_KEYS})
    attachments: list[str] = field(default_factory=list)
    history: list[Event] = field(default_factory=list)
    # Keys of the file this version does not know, carried through untouched.
    extra: dict[str, Any] = field(default_factory=dict)

    # -- derived state -------------------------------------------------
    def state(self, as_of: Optional[datetime] = None) -> "State":
        return replay(self.history, as_of)

    @property
    def status(self) -> str:
        return self.state().status

    @property
    def tier(self) -> str:
        return self.state().tier

    def reachable(self) -> bool:
        """Whether the answer can go back to the reporter (not an anonymous slip)."""
        return self.reporter.reachable() or bool(self.refs.get("lapor"))

    def add(self, event: Event) -> None:
        """Insert ``event`` in history order (time, then recording)."""
        self.history.append(event)
        self.history.sort(key=Event.sort_key)

    def get_field(self, name: str) -> Any:
        if name.startswith("reporter."):
            return getattr(self.reporter, name.split(".", 1)[1])
        if name.startswith("refs."):
            return self.refs.get(name.split(".", 1)[1])
        return getattr(self, name)

    def set_field(self, name: str, value: Any) -> None:
        if name.startswith("reporter."):
            setattr(self.reporter, name.split(".", 1)[1], value)
        elif name.startswith("refs."):
            self.refs[name.split(".", 1)[1]] = value
        else:
            setattr(self, name, value)

    def as_of(self, moment: datetime) -> "Ticket":
        """The ticket's fields as they stood at ``moment``: later edits undone.

        So a past period's figures do not move when a ticket is triaged
        again afterwards (its difficulty, kind or category edited).
        """
        later = [e for e in self.history if e.action == "edit" and e.at > moment]
        if not later:
            return self
        t = self.copy()
        for e in reversed(later):
            changes = e.get("changes") or {}
            for name, change in changes.items():
                if name in EDITABLE and isinstance(change, dict) and "from" in change:
                    t.set_field(name, change["from"])
        return t

    def copy(self) -> "Ticket":
        return dataclasses.replace(
            self,
            reporter=dataclasses.replace(self.reporter),
            refs=dict(self.refs),
            attachments=list(self.attachments),
            history=[dataclasses.replace(e, fields=dict(e.fields)) for e in self.history],
            extra=dict(self.extra),
        )


@dataclass
class State:
    """What the history says of a ticket at some moment."""

    status: str = "open"
    tier: str = "helpdesk"
    resolution: Optional[str] = None
    wait_on: Optional[str] = None
    score: Optional[int] = None
    highest_tier: str = "helpdesk"
    head_noted: bool = False
    answered_tier: Optional[str] = None
    # When the clock first stopped (the first response) and when the
    # ticket was resolved since it was opened or last reopened.
    first_response_at: Optional[datetime] = None
    resolved_at: Optional[datetime] = None
    # Intervals during which the resolution clock stood still; the last one
    # may be open (end None) while the ticket waits or is answered.
    pauses: list[tuple[datetime, Optional[datetime]]] = field(default_factory=list)
    last_at: Optional[datetime] = None


_RESOLVING = ("answer", "redirect", "close")
_FIRST_RESPONSE = ("answer", "redirect", "close")


def replay(history: Iterable[Event], as_of: Optional[datetime] = None) -> State:
    """Derive the state from the events up to ``as_of`` (all when None).

    Total by design: every event has one effect whatever came before, so
    the union of two desks' histories always has a state.
    """
    s = State()
    tiers = TIER.values
    for e in history:
        if as_of is not None and e.at > as_of:
            break
        s.last_at = e.at
        a = e.action
        running = s.status == "open"
        if a == "open":
            s.status, s.resolution, s.wait_on = "open", None, None
            if e.tier in tiers:
                s.tier = e.tier
        elif a == "answer":
            s.status, s.wait_on = "answered", None
            s.answered_tier = s.tier
        elif a == "escalate":
            target = e.tier if e.tier in tiers else next_tier(s.tier)
            if target:
                s.tier = target
        elif a == "redirect":
            s.status, s.resolution, s.wait_on = "closed", "redirected", None
        elif a == "wait":
            s.status, s.wait_on = "waiting", e.get("on")
        elif a == "resume":
            if s.status == "waiting":
                s.status, s.wait_on = "open", None
        elif a == "close":
            s.status, s.wait_on = "closed", None
            s.resolution = e.get("resolution") or "answered"
        elif a == "reopen":
            s.status, s.resolution, s.wait_on = "open", None, None
            s.resolved_at = None
            if e.tier in tiers:
                s.tier = e.tier
        elif a == "rate":
            score = e.get("score")
            s.score = score if isinstance(score, int) else s.score
        elif a == "followup":
            if s.status == "waiting" and s.wait_on == "reporter":
                s.status, s.wait_on = "open", None
        elif a == "note":
            if e.get("head"):
                s.head_noted = True
        # The clock: first response, resolution, pauses.
        if s.first_response_at is None and (
            a in _FIRST_RESPONSE or (a == "wait" and e.get("on") == "reporter")
        ):
            s.first_response_at = e.at
        if a in _RESOLVING and s.resolved_at is None:
            s.resolved_at = e.at
        now_running = s.status == "open"
        if running and not now_running:
            s.pauses.append((e.at, None))
        elif not running and now_running and s.pauses and s.pauses[-1][1] is None:
            s.pauses[-1] = (s.pauses[-1][0], e.at)
        if tiers.index(s.tier) > tiers.index(s.highest_tier):
            s.highest_tier = s.tier
    return s
