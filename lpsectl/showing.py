"""``show``: one ticket with its history, as text or JSON.

Click-free: the ``show`` command prints what :func:`show_text` makes, and so
does the console script's path for the plainest ``lpsectl show ID [--json]``
(:mod:`lpsectl.launch`), which never imports click.
"""

from __future__ import annotations

from typing import Any

from lpsectl.app import App, open_calendar_index, terminal_safe
from lpsectl.i18n import N_, _
from lpsectl.views import local as view_local


def show_text(app: App, ticket_id: str, as_json: bool) -> str:
    """What ``show`` prints of the ticket ``ticket_id`` (an id or an id prefix), without the last newline."""
    from lpsectl import clock
    from lpsectl.sla import assess
    from lpsectl.views import ticket_json

    hd = app.helpdesk()
    t = hd.load(ticket_id)
    now = clock.now(hd.tz)
    ix = open_calendar_index(app)  # the holidays it keeps: no `holidays` import
    a = assess(t, hd.config, hd.calendar, now)
    if ix is not None:
        ix.keep_calendar()
        ix.close()
    if as_json:
        from lpsectl.textout import json_text

        return json_text(ticket_json(t, a, hd.tz))
    return terminal_safe("\n".join(show_lines(t, a, hd.tz)))


# The words of `show`'s history lines for an event's own fields.
EVENT_FIELDS = {
    "on": N_("on {value}"), "resolution": N_("resolution {value}"), "ref": N_("ref {value}"),
    "score": N_("score {value}"),
}
REPORTER_LABELS = {
    "name": N_("name"), "address": N_("address"), "phone": N_("phone"), "email": N_("e-mail"),
    "account": N_("account"), "role": N_("role"),
}


def show_lines(t: Any, a: Any, tz: Any) -> list[str]:
    """``show``'s text of one ticket (also a ticket of ``privacy export``), before terminal_safe.

    Labelled fields, the message, then the history, in the interface language.
    """
    s = a.state
    fields: list[tuple[str, str]] = []
    if s.wait_on:
        state = _("{status} on {party}, {tier}").format(status=s.status, party=s.wait_on, tier=s.tier)
    else:
        state = _("{status}, {tier}").format(status=s.status, tier=s.tier)
    title = _("{id}  {kind} via {channel}  [{state}]").format(id=t.id, kind=t.kind, channel=t.channel, state=state)
    if a.overdue:
        title += "  " + _("OVERDUE")
    fields.append((_("Subject"), t.subject or "-"))
    fields.append((_("Created"), view_local(t.created_at, tz)))
    difficulty = t.difficulty
    if t.category:
        difficulty = _("{difficulty}   Category: {category}").format(difficulty=t.difficulty, category=t.category)
    fields.append((_("Difficulty"), difficulty))
    fields.append((_("Due"), _("{due}   (first response by {response_due})").format(
        due=view_local(a.due_at, tz), response_due=view_local(a.response_due_at, tz))))
    fields.append((_("Holder"), s.holder if s.holder else _("no one")))
    if a.waiting_days is not None:
        from lpsectl.sla import waiting_since

        fields.append((_("Waiting"), _("on {party} since {since}, {n} working day(s) so far").format(
            party=s.wait_on, since=view_local(waiting_since(s), tz), n=a.waiting_days)))
    if s.flagged_in == "answered":
        fields.append((_("Flagged"), _("the reporter wrote again on {at}, after the ticket was answered; any "
                                       "action but a note clears this").format(at=view_local(s.flagged_at, tz))))
    elif s.flagged:
        fields.append((_("Flagged"), _("the reporter wrote again on {at}, after the ticket was closed; any "
                                       "action but a note clears this").format(at=view_local(s.flagged_at, tz))))
    if s.resolution:
        fields.append((_("Resolution"), s.resolution))
    conflicts = t.conflicts()
    for c in conflicts:
        # Two desks acted apart: the merged history has an event its rules did not allow there.
        fields.append((_("Conflict"), _("{action} by {officer} at {at}: {why}").format(
            action=c.event.action, officer=c.event.by, at=view_local(c.event.at, tz), why=c.why)))
    if conflicts:
        fields.append(("", _("settle it: record the next action, or a note (lpsectl note {id} -m ...)")
                       .format(id=t.id)))
    flagged = {c.index for c in conflicts}
    if s.score:
        fields.append((_("Rating"), f"{s.score}/4"))
    who = [f"{_(REPORTER_LABELS.get(k, k))}: {v}" for k, v in t.reporter.as_dict().items() if v]
    fields.append((_("Reporter"), "; ".join(who) if who else _("anonymous")))
    refs = [f"{k}: {v}" for k, v in t.refs.items() if v]
    if refs:
        fields.append((_("Refs"), "; ".join(refs)))
    if t.attachments:
        fields.append((_("Attachments"), ", ".join(t.attachments)))
    # Labels and values in two columns, as wide as the language's longest label needs.
    width = max(12, *(len(label) + 1 for label, _value in fields))
    lines = [title] + [(f"{label + ':' if label else '':<{width}} {value}") for label, value in fields]
    if t.message:
        lines += ["", _("Message") + ":"] + ["  " + line for line in t.message.splitlines()]
    lines += ["", _("History") + ":"]
    for i, e in enumerate(t.history):
        extra = [_("conflict")] if i in flagged else []
        for key, words in EVENT_FIELDS.items():
            if e.get(key) is not None:
                extra.append(_(words).format(value=e.get(key)))
        if e.get("head"):
            extra.append(_("with the Kepala LPSE"))
        if e.action == "assign":
            extra.append(_("to {officer}").format(officer=e.get("to")) if e.get("to") else _("released"))
        if e.get("changes"):
            extra.append(_("changed {fields}").format(fields=", ".join(e.get("changes"))))
        if e.get("sent_message_id"):
            extra.append(_("mailed"))
        lines.append(f"  {view_local(e.at, tz)}  {e.action:<9} {e.tier:<10} " + _("by {officer}").format(officer=e.by)
                     + (f"  ({'; '.join(extra)})" if extra else ""))
        if e.message:
            lines += ["      " + line for line in e.message.splitlines()]
    return lines
