"""Tickets, events and the words of the service standard.

The history of events is the truth: status, tier and resolution are derived
from it by :func:`replay`, which never refuses (a merged history must always
yield a state). The status table (:data:`ALLOWED`) lives here because both
sides read it: :mod:`lpsectl.workflow` refuses an action it does not allow,
and :func:`replay` flags an event that two desks' merged histories put where
it does not allow it (see :func:`refusal`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Optional

from lpsectl.i18n import _
# The vocabularies live apart (a listing needs their words, not the classes below); re-exported here.
from lpsectl.vocabulary import (  # noqa: F401
    CHANNEL, DIFFICULTY, KIND, RESOLUTION, STATUS, TIER, WAIT_ON, Vocabulary, officer_name,
)

ACTIONS = (
    "open", "answer", "escalate", "redirect", "note", "wait", "resume",
    "close", "reopen", "rate", "edit", "followup", "assign", "erase",
)
# The status table of the service standard (SPEC §1).
ALLOWED: dict[str, tuple[str, ...]] = {
    "open": ("answer", "escalate", "redirect", "wait", "close"),
    "waiting": ("resume", "answer", "close"),
    "answered": ("close", "reopen", "rate"),
    "closed": ("reopen", "rate"),
}
ANY_STATUS = ("note", "edit", "followup")
# An ``erase`` event (lpsectl.privacy) changes no state: the figures stay as they were.
# An event that settles the conflicts an officer saw lists them here (see
# :func:`conflict_ref`); a follow-up is the reporter's, so it settles none.
SETTLES = "settles"
# The officer's actions that clear a follow-up's flag: every action of this
# version but a note (an internal remark is no answer to the reporter) and
# the reporter's own follow-up. An action only a newer version knows leaves
# the flag as it is.
CLEARS_FLAG = frozenset((
    "answer", "escalate", "redirect", "wait", "resume", "close", "reopen", "rate", "edit", "assign",
))
# The statuses in which a follow-up flags the ticket: the office thinks it is done.
FLAGGED_IN = ("answered", "closed")
# Resolutions that take a ticket out of every SLA figure.
UNCOUNTED_RESOLUTIONS = ("duplicate", "withdrawn", "invalid")
REPORTER_FIELDS = ("name", "address", "phone", "email", "account", "role")
REF_KEYS = ("lapor", "lpse-support", "message-id")
# Edits that correct a wrong entry made at the desk rather than triage the
# ticket later: they hold for the ticket's whole life, so a past period's
# figures take the corrected value too (see Ticket.as_of).
CORRECTIONS = ("channel", "created_at")
# Fields that `edit` may change, in file order; reporter fields are written
# `reporter.name` and so on in an edit event's `changes`.
EDITABLE = ("channel", "created_at", "subject", "category", "difficulty", "kind") + tuple(
    f"reporter.{f}" for f in REPORTER_FIELDS
) + tuple(f"refs.{k}" for k in REF_KEYS)
# Fields a past period shows as they are now, never as they were: a
# correction (or an erasure) of who reported it and of what they wrote must
# not come back in the recap of an earlier month (UU 27/2022).
CURRENT_ALWAYS = frozenset(CORRECTIONS + ("subject",) + tuple(f"reporter.{f}" for f in REPORTER_FIELDS)
                           + tuple(f"refs.{k}" for k in REF_KEYS))


_TIER_RANK = {t: i for i, t in enumerate(TIER.values)}


def next_tier(tier: str) -> Optional[str]:
    order = TIER.values
    i = order.index(tier)
    return order[i + 1] if i + 1 < len(order) else None


def higher_tier(a: str, b: str) -> str:
    """The higher of two tiers: a tier never goes down."""
    return b if _TIER_RANK[b] > _TIER_RANK[a] else a


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

    def conflicts(self) -> list["Conflict"]:
        """Events not allowed where a merge put them, not yet settled.

        Replayed from the history itself (a cached state does not carry them).
        """
        return review(self.history).conflicts

    def reachable(self) -> bool:
        """Whether the answer can go back to the reporter (not an anonymous slip)."""
        return self.reporter.reachable() or bool(self.refs.get("lapor"))

    def add(self, event: Event) -> None:
        """Insert ``event`` in history order (time, then recording)."""
        self.history.append(event)
        self.history.sort(key=Event.sort_key)

    def get_field(self, name: str) -> Any:
        """A field as an edit's ``changes`` records it: text (a time in ISO 8601) or None."""
        if name == "created_at":
            return self.created_at.isoformat()
        if name.startswith("reporter."):
            return getattr(self.reporter, name.split(".", 1)[1])
        if name.startswith("refs."):
            return self.refs.get(name.split(".", 1)[1])
        return getattr(self, name)

    def set_field(self, name: str, value: Any) -> None:
        if name == "created_at":
            self.created_at = datetime.fromisoformat(value)
        elif name.startswith("reporter."):
            setattr(self.reporter, name.split(".", 1)[1], value)
        elif name.startswith("refs."):
            self.refs[name.split(".", 1)[1]] = value
        else:
            setattr(self, name, value)

    def as_of(self, moment: datetime) -> "Ticket":
        """The ticket's fields as they stood at ``moment``: later edits undone.

        So a past period's figures do not move when a ticket is triaged
        again afterwards (its difficulty, kind or category edited). The
        reporter, the subject, the references and the corrections of
        channel and opening time stay as they are now (:data:`CURRENT_ALWAYS`):
        the value a correction replaced was never true.
        """
        later = [e for e in self.history if e.action == "edit" and e.at > moment]
        if not later:
            return self
        t = self.copy()
        for e in reversed(later):
            changes = e.get("changes") or {}
            for name, change in changes.items():
                if (name in EDITABLE and name not in CURRENT_ALWAYS and isinstance(change, dict)
                        and "from" in change):
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
class Conflict:
    """An event that was not allowed where the merged history puts it.

    It stays in the history (it happened on some desk) but changes nothing
    except the tier an escalate names, until an officer settles it.
    """

    index: int  # its place in the history
    event: Event
    why: str

    @property
    def ref(self) -> str:
        return conflict_ref(self.event)


def conflict_ref(e: Event) -> str:
    """How a settling event names a conflicting one: time, action and who."""
    return f"{e.at.isoformat()} {e.action} {e.by}"


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
    # The officer who holds the ticket (the latest assign), None when no one does.
    holder: Optional[str] = None
    # A follow-up the office has not acted on yet, received while the ticket
    # was answered or closed: when it came and in which status.
    flagged_at: Optional[datetime] = None
    flagged_in: Optional[str] = None

    @property
    def flagged(self) -> bool:
        return self.flagged_at is not None


class Review:
    """What the rules read off a history besides its state (never cached with it).

    Made for every replay, so a plain class with slots.
    """

    __slots__ = ("answered_since_open", "reopened", "conflicts")

    def __init__(self) -> None:
        # Whether an answer was given since the ticket was opened or last reopened.
        self.answered_since_open = False
        self.reopened = False
        # Events not allowed at their place that no officer has settled yet.
        self.conflicts: list[Conflict] = []


_RESOLVING = ("answer", "redirect", "close")
_FIRST_RESPONSE = ("answer", "redirect", "close")
# The actions the status table allows in some statuses only.
_JUDGED = frozenset(a for actions in ALLOWED.values() for a in actions)
_OWN_RULE = frozenset(("escalate", "wait", "close"))  # refusal() has a rule beyond the table


def escalation_target(s: "State", e: Event) -> Optional[str]:
    """The tier an escalate goes to: the one it names (files record it as the
    event's tier), else, for an event without a valid tier, the next one."""
    return e.tier if e.tier in _TIER_RANK else next_tier(s.tier)


def refusal(s: "State", r: Review, e: Event) -> Optional[str]:
    """Why ``e`` was not allowed in state ``s``, or None when it was.

    The rules of :mod:`lpsectl.workflow` that a history can show: the status
    table, one tier up at a time and never down, waiting on LKPP only at
    LKPP, closing as answered after a reopen only once answered again.
    Only the actions of the status table are judged: ``open``, ``note``,
    ``edit``, ``followup`` and actions this version does not know (or that a
    later one adds for any status) are never conflicts.
    """
    a = e.action
    if a not in _JUDGED:
        return None
    if a not in ALLOWED[s.status]:
        was = s.status + (f" {s.wait_on}" if s.wait_on else "") + (f", {s.resolution}" if s.resolution else "")
        if s.wait_on:
            was = _("{status} on {party}").format(status=s.status, party=s.wait_on)
            was += f", {s.resolution}" if s.resolution else ""
        return _("the ticket was {state} then; {action} was not allowed (allowed: {allowed})").format(
            state=was, action=a, allowed=", ".join(ALLOWED[s.status]))
    if a == "escalate":
        target = escalation_target(s, e)
        if target is None or _TIER_RANK[target] <= _TIER_RANK[s.tier]:
            return _("the ticket was already at {tier}; an escalate to {target} does not raise it").format(
                tier=s.tier, target=target or e.tier)
    elif a == "wait" and e.get("on") == "lkpp" and s.tier != "lkpp":
        return _("the ticket was at {tier} then; only a ticket at lkpp waits on lkpp").format(tier=s.tier)
    elif (a == "close" and (e.get("resolution") or "answered") == "answered"
          and r.reopened and not r.answered_since_open):
        # Only after a reopen: a close as answered with no answer ever is an
        # imported record (the live rules do not apply to those), not a merge.
        return _("closed as answered, but the ticket had been reopened and not answered since")
    return None


def replay(history: Iterable[Event], as_of: Optional[datetime] = None) -> State:
    """Derive the state from the events up to ``as_of`` (all when None): see :func:`review`."""
    return _replay(history, as_of)[0]


def review(history: Iterable[Event], as_of: Optional[datetime] = None) -> Review:
    """What the rules need to know of the history besides its state: see :func:`_replay`."""
    return _replay(history, as_of)[1]


def _replay(history: Iterable[Event], as_of: Optional[datetime] = None) -> tuple[State, Review]:
    """Derive the state from the events up to ``as_of`` (all when None).

    Total by design, so the union of two desks' histories always has a
    state. Each event is taken in order under the desk's own rules: an event
    they allow has its effect; one they do not (two desks acted apart, see
    :func:`refusal`) is kept as a :class:`Conflict` and has no effect, except
    that an escalate still raises the tier to the tier it names. A tier never
    goes down. A later event listing the conflict under ``settles`` (an
    officer's action after seeing it) settles it.
    """
    s, r = State(), Review()
    for i, e in enumerate(history):
        if as_of is not None and e.at > as_of:
            break
        s.last_at = e.at
        a = e.action
        if a in CLEARS_FLAG:
            # An officer acted on the ticket (even where a merge put the action
            # against the rules: it was seen).
            s.flagged_at = s.flagged_in = None
        elif a == "followup" and s.flagged_at is None and s.status in FLAGGED_IN:
            s.flagged_at, s.flagged_in = e.at, s.status
        if r.conflicts:
            settles = e.fields.get(SETTLES)
            if settles and isinstance(settles, list):
                named = {str(x) for x in settles}
                r.conflicts = [c for c in r.conflicts if c.ref not in named]
        # Most events are allowed by the status table and have no rule of their own.
        why = refusal(s, r, e) if a in _JUDGED and (a in _OWN_RULE or a not in ALLOWED[s.status]) else None
        if why is not None:
            r.conflicts.append(Conflict(i, e, why))
            if a == "escalate":
                target = escalation_target(s, e)
                if target:
                    s.tier = higher_tier(s.tier, target)
                    s.highest_tier = higher_tier(s.highest_tier, s.tier)
            continue
        running = s.status == "open"
        if a == "open":
            s.status, s.resolution, s.wait_on = "open", None, None
            if e.tier in _TIER_RANK:
                s.tier = higher_tier(s.tier, e.tier)
        elif a == "answer":
            s.status, s.wait_on = "answered", None
            s.answered_tier = s.tier
            r.answered_since_open = True
        elif a == "escalate":
            target = escalation_target(s, e)
            if target:
                s.tier = higher_tier(s.tier, target)
        elif a == "redirect":
            s.status, s.resolution, s.wait_on = "closed", "redirected", None
        elif a == "wait":
            s.status, s.wait_on = "waiting", e.get("on")
        elif a == "resume":
            s.status, s.wait_on = "open", None
        elif a == "close":
            s.status, s.wait_on = "closed", None
            s.resolution = e.get("resolution") or "answered"
        elif a == "reopen":
            s.status, s.resolution, s.wait_on = "open", None, None
            s.resolved_at = None
            r.answered_since_open = False
            r.reopened = True
            if e.tier in _TIER_RANK:
                s.tier = higher_tier(s.tier, e.tier)
        elif a == "rate":
            score = e.get("score")
            s.score = score if isinstance(score, int) else s.score
        elif a == "followup":
            if s.status == "waiting" and s.wait_on == "reporter":
                s.status, s.wait_on = "open", None
        elif a == "note":
            if e.get("head"):
                s.head_noted = True
        elif a == "assign":
            to = e.get("to")
            s.holder = to if isinstance(to, str) and to else None
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
        if s.tier != s.highest_tier:
            s.highest_tier = higher_tier(s.highest_tier, s.tier)
    return s, r
