"""The service standard: one function per action.

Each function checks that the action is allowed in the ticket's present
state, adds the event(s) to the ticket and returns them, or raises
:class:`Refused` (exit 1) or :class:`BadInput` (exit 2) and leaves the
ticket untouched. An action recorded on a ticket whose merged history has
conflicts (see :func:`lpsectl.model.replay`) settles them: the officer saw
the ticket as it stands, and its first event lists them under ``settles``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Optional

from lpsectl.clock import now as clock_now, parse_time
from lpsectl.errors import BadInput, Refused
from lpsectl.i18n import _, ngettext
from lpsectl.model import (
    ALLOWED, ANY_STATUS, CHANNEL, DIFFICULTY, EDITABLE, KIND, RESOLUTION, SETTLES, WAIT_ON,
    Event, Reporter, Ticket, next_tier, officer_name, replay, review,
)

FUTURE_SLACK = timedelta(minutes=5)
# The reporter's words, recorded by whoever reads the mail: no officer's decision.
_SETTLES_NOTHING = ("followup",)

# Identity each channel needs (SPEC §1): reporter fields and references.
REQUIRED = {
    "walk-in": ("name", "address", "phone"),
    "phone": ("name", "phone"),
    "whatsapp": ("name", "phone"),
    "portal": ("account",),
    "email": ("email",),
    "lapor": ("ref",),
    "suggestion-box": (),
}
NO_REDIRECT = ("portal", "lapor", "suggestion-box")
TIER_NAMES = {"helpdesk": "the Helpdesk", "admin-ppe": "the Admin PPE", "lkpp": "LKPP"}


@dataclass
class Act:
    """Who records an event, when it happened and when it was written down."""

    operator: str
    at: datetime
    recorded_at: datetime
    at_given: bool = False


def make_act(operator: str, at_text: Optional[str], tz: tzinfo, now: Optional[datetime] = None) -> Act:
    # To the second: events recorded within one second keep the order in
    # which they were added (the history sort is stable).
    recorded = (now or clock_now(tz)).replace(microsecond=0)
    if at_text is None:
        return Act(operator, recorded, recorded)
    at = parse_time(at_text, tz, _("--at time"))
    if at > recorded + FUTURE_SLACK:
        raise BadInput(_("--at {time} is in the future; give the time the event happened").format(time=at_text))
    return Act(operator, at, recorded, at_given=True)


def _event(t: Ticket, act: Act, action: str, message: Optional[str] = None,
           tier: Optional[str] = None, **fields: Any) -> Event:
    e = Event(
        at=act.at, action=action, by=act.operator, tier=tier or t.tier,
        message=message, recorded_at=act.recorded_at,
        fields={k: v for k, v in fields.items() if v is not None},
    )
    return e


def _check_order(t: Ticket, act: Act) -> None:
    latest = t.history[-1].at
    if act.at_given and act.at < latest:
        raise BadInput(
            _("--at {time} is before the ticket's latest event ({latest}); events are recorded in order")
            .format(time=act.at.isoformat(), latest=latest.isoformat())
        )


def _allow(t: Ticket, action: str) -> None:
    status = t.status
    if action in ANY_STATUS or action in ALLOWED[status]:
        return
    allowed = ", ".join(ALLOWED[status] + ANY_STATUS)
    raise Refused(_("ticket {id} is {status}: cannot {action} it; allowed now: {allowed}")
                  .format(id=t.id, status=status, action=action, allowed=allowed))


def _add(t: Ticket, act: Act, *events: Event) -> list[Event]:
    _check_order(t, act)
    conflicts = review(t.history).conflicts
    if conflicts and events[0].action not in _SETTLES_NOTHING:
        events[0].fields[SETTLES] = [c.ref for c in conflicts]
    for e in events:
        t.add(e)
    return list(events)


def _text(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    value = value.strip("\n")
    return value if value.strip() else None


def _need_message(message: Optional[str], problem: str) -> str:
    """The message's text; ``problem`` (what says it is missing) raised when there is none."""
    m = _text(message)
    if m is None:
        raise BadInput(problem)
    return m


# -- opening -------------------------------------------------------------

def needs_identity(channel: str, missing: list[str], emptied: bool = False) -> str:
    """What a ticket of ``channel`` lacking the fields ``missing`` is told, with its article."""
    fields = ", ".join(missing)
    if channel[:1].lower() in "aeiou":
        if emptied:
            return _("an {channel} ticket needs {fields}; it cannot be emptied").format(channel=channel, fields=fields)
        return _("an {channel} ticket needs {fields}").format(channel=channel, fields=fields)
    if emptied:
        return _("a {channel} ticket needs {fields}; it cannot be emptied").format(channel=channel, fields=fields)
    return _("a {channel} ticket needs {fields}").format(channel=channel, fields=fields)


def needs_identity_with_channel(channel: str, missing: list[str]) -> str:
    """What an edit to ``channel`` is told when the fields ``missing`` did not come with it."""
    fields = ", ".join(missing)
    if channel[:1].lower() in "aeiou":
        return ngettext("an {channel} ticket needs {fields}: give it in the same edit as --channel {channel}; "
                        "nothing was written",
                        "an {channel} ticket needs {fields}: give them in the same edit as --channel {channel}; "
                        "nothing was written", len(missing)).format(channel=channel, fields=fields)
    return ngettext("a {channel} ticket needs {fields}: give it in the same edit as --channel {channel}; "
                    "nothing was written",
                    "a {channel} ticket needs {fields}: give them in the same edit as --channel {channel}; "
                    "nothing was written", len(missing)).format(channel=channel, fields=fields)


def with_article(word: str) -> str:
    """``word`` after "a" or "an" as it is spoken: an email, a phone, an admin-ppe."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def missing_identity(channel: str, reporter: Reporter, ref: Optional[str]) -> list[str]:
    have = dict(reporter.as_dict(), ref=ref)
    return [f for f in REQUIRED[channel] if not (have.get(f) or "").strip()]


def new_ticket(
    tid: str, act: Act, channel: str, kind: Optional[str], reporter: Reporter,
    subject: Optional[str], message: Optional[str], category: Optional[str],
    difficulty: Optional[str], ref: Optional[str],
) -> Ticket:
    channel = CHANNEL.parse(channel)
    kind = KIND.parse(kind) if kind else "question"
    difficulty = DIFFICULTY.parse(difficulty) if difficulty else "normal"
    reporter = Reporter(**{k: _text(v) for k, v in reporter.as_dict().items()})
    missing = missing_identity(channel, reporter, _text(ref))
    if missing:
        raise BadInput(needs_identity(channel, ["--" + m for m in missing]))
    if reporter.email and "@" not in reporter.email:
        raise BadInput(_("--email {email!r} is not an e-mail address").format(email=reporter.email))
    subject, message = _text(subject), _text(message)
    if subject is None and message is None:
        raise BadInput(_("a ticket needs a subject or a message: add --subject or -m"))
    t = Ticket(
        id=tid, channel=channel, kind=kind, created_at=act.at, subject=subject,
        message=message, category=_text(category), difficulty=difficulty,
        reporter=reporter,
    )
    ref = _text(ref)
    if ref:
        t.refs["lapor" if channel == "lapor" else "lpse-support"] = ref
    t.history.append(Event(at=act.at, action="open", by=act.operator, tier="helpdesk",
                           recorded_at=act.recorded_at))
    return t


# -- the actions ---------------------------------------------------------

def _check_head(t: Ticket) -> None:
    if t.kind == "complaint" and not replay(t.history).head_noted:
        raise Refused(
            _("ticket {id} is a complaint: record the coordination with the Kepala LPSE "
              "first (lpsectl note {id} --head -m ...), then close it as answered").format(id=t.id)
        )


def answer(t: Ticket, act: Act, message: Optional[str], close: bool = False) -> list[Event]:
    _allow(t, "answer")
    text = _need_message(message, _("an answer needs a message: add -m TEXT"))
    closes = close or not t.reachable()
    if closes:
        _check_head(t)
    events = [_event(t, act, "answer", text)]
    if closes:
        events.append(_event(t, act, "close", resolution="answered"))
    return _add(t, act, *events)


def escalate(t: Ticket, act: Act, message: Optional[str], ref: Optional[str]) -> list[Event]:
    _allow(t, "escalate")
    target = next_tier(t.tier)
    if target is None:
        raise Refused(_("ticket {id} is already at LKPP, the top tier; answer or close it").format(id=t.id))
    ref = _text(ref)
    events = _add(t, act, _event(t, act, "escalate", _text(message), tier=target, ref=ref))
    if ref:
        t.refs["lpse-support"] = ref
    return events


def redirect(t: Ticket, act: Act, message: Optional[str]) -> list[Event]:
    _allow(t, "redirect")
    if t.channel in NO_REDIRECT:
        raise Refused(
            _("ticket {id} came through {channel}: it cannot be redirected to LPSE Support; "
              "answer, escalate or close it").format(id=t.id, channel=t.channel)
        )
    return _add(t, act, _event(t, act, "redirect", _text(message), resolution="redirected"))


def note(t: Ticket, act: Act, message: Optional[str], head: bool = False) -> list[Event]:
    text = _need_message(message, _("a note needs a message: add -m TEXT"))
    return _add(t, act, _event(t, act, "note", text, head=True if head else None))


def wait(t: Ticket, act: Act, on: str, message: Optional[str]) -> list[Event]:
    _allow(t, "wait")
    on = WAIT_ON.parse(on)
    if on == "lkpp" and t.tier != "lkpp":
        raise Refused(_("ticket {id} is at {tier}: only a ticket at LKPP can wait on LKPP")
                      .format(id=t.id, tier=TIER_NAMES[t.tier]))
    return _add(t, act, _event(t, act, "wait", _text(message), on=on))


def resume(t: Ticket, act: Act, message: Optional[str]) -> list[Event]:
    _allow(t, "resume")
    return _add(t, act, _event(t, act, "resume", _text(message)))


def close(t: Ticket, act: Act, resolution: Optional[str], message: Optional[str]) -> list[Event]:
    _allow(t, "close")
    res = RESOLUTION.parse(resolution) if resolution else "answered"
    text = _text(message)
    if res == "answered":
        if not review(t.history).answered_since_open:
            raise Refused(
                _("ticket {id} has no answer yet: answer it first, or close it with "
                  "--resolution referred, duplicate, withdrawn or invalid").format(id=t.id)
            )
        _check_head(t)
    if res == "referred" and text is None:
        raise BadInput(_("closing as referred needs -m naming the body it was referred to (Pokja, APIP, ...)"))
    if res == "redirected":
        return redirect(t, act, text)
    return _add(t, act, _event(t, act, "close", text, resolution=res))


def reopen(t: Ticket, act: Act, message: Optional[str]) -> list[Event]:
    _allow(t, "reopen")
    text = _need_message(message, _("reopening needs a message: add -m TEXT"))
    # At the tier that answered: no tier changes after an answer, and none goes down.
    return _add(t, act, _event(t, act, "reopen", text, tier=t.tier))


def rate(t: Ticket, act: Act, score: Any) -> list[Event]:
    try:
        value = int(str(score).strip())
    except ValueError:
        value = None
    if value is None or not 1 <= value <= 4:
        raise BadInput(_("a rating is 1 to 4, not {score!r}").format(score=score))
    _allow(t, "rate")
    return _add(t, act, _event(t, act, "rate", score=value))


def followup(t: Ticket, act: Act, message: Optional[str]) -> list[Event]:
    text = _need_message(message, _("a follow-up needs a message: add -m TEXT"))
    return _add(t, act, _event(t, act, "followup", text))


# Fields an edit may change but never clear.
_NEVER_EMPTY = ("difficulty", "kind", "channel", "created_at")


def _check_opening(t: Ticket, act: Act) -> None:
    """A corrected opening time comes before everything that happened to the ticket."""
    later = [e.at for e in t.history[1:]] + [act.at]
    first = min(later)
    if t.created_at > first:
        raise BadInput(
            _("--created-at {value} is after the ticket's first event since it was opened ({value2}); a "
              "ticket is opened before anything happens to it").format(value=t.created_at.isoformat(), value2=first.isoformat())
        )


def assign(t: Ticket, act: Act, to: Optional[str]) -> list[Event]:
    """Give the ticket to an officer (``to``), or release it (``to`` empty or None).

    A closed ticket is refused: nobody works on it until it is reopened. So
    is an assign that changes nothing (the same holder again, or a release
    of a ticket nobody holds): it would only add noise to the history.
    """
    name = officer_name(to)
    status = t.status
    if status == "closed":
        raise Refused(_("ticket {id} is closed: reopen it before assigning it to anyone").format(id=t.id))
    holder = replay(t.history).holder
    if name == holder:
        if name is None:
            raise Refused(_("ticket {id} is held by no one: there is nothing to release").format(id=t.id))
        raise Refused(_("ticket {id} is already held by {name}: nothing to do").format(id=t.id, name=name))
    e = _event(t, act, "assign")
    e.fields["to"] = name  # kept when None: a release says so
    return _add(t, act, e)


def edit(t: Ticket, act: Act, changes: dict[str, Optional[str]], message: Optional[str],
         tz: Optional[tzinfo] = None) -> list[Event]:
    """Correct or triage fields; ``changes`` maps EDITABLE names to new text.

    ``tz``: the office's time zone, for a ``created_at`` given without an offset.
    """
    parsers = {"difficulty": DIFFICULTY.parse, "kind": KIND.parse, "channel": CHANNEL.parse,
               "created_at": lambda text: parse_time(text, tz or act.at.tzinfo, "--created-at time").isoformat()}
    new = t.copy()
    diff: dict[str, dict[str, Any]] = {}
    for name, raw in changes.items():
        if name not in EDITABLE:
            raise BadInput(_("{field} cannot be edited").format(field=name))
        value = _text(raw)
        if value is not None and name in parsers:
            value = parsers[name](value)
        if value is None and name in _NEVER_EMPTY:
            raise BadInput(_("--{field} cannot be empty").format(field=name.replace("_", "-")))
        old = new.get_field(name)
        if old != value:
            diff[name] = {"from": old, "to": value}
            new.set_field(name, value)
    if not diff:
        raise BadInput(_("nothing to change: give at least one field with a new value"))
    if "created_at" in diff:
        _check_opening(new, act)
    if new.reporter.email and "@" not in new.reporter.email:
        raise BadInput(_("--email {email!r} is not an e-mail address").format(email=new.reporter.email))
    missing = missing_identity(new.channel, new.reporter, new.refs.get("lapor"))
    if missing and "channel" in diff:
        raise BadInput(needs_identity_with_channel(new.channel, ["--" + m for m in missing]))
    if missing:
        raise BadInput(needs_identity(new.channel, ["--" + m for m in missing], emptied=True))
    if new.subject is None and new.message is None:
        raise BadInput(_("a ticket needs a subject or a message"))
    events = _add(new, act, _event(new, act, "edit", _text(message), changes=diff))
    for name in diff:
        t.set_field(name, new.get_field(name))
    t.history = new.history
    return events
