"""Who holds a ticket, follow-ups flagged, and corrected channels and opening times, in the core.

The holder and the flag are derived from the history like the status, so a
merge of two desks' histories decides them by the events' times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lpsectl import merge, ticketfile
from lpsectl import workflow as wf
from lpsectl.errors import BadInput, Damaged, Refused
from lpsectl.model import CLEARS_FLAG, Event, Reporter, replay

from .clocks import T0, WIB, Clock


def phone_ticket(clock: Clock):
    return wf.new_ticket("2608-ABCDEF", clock.act(), "phone", None, Reporter(name="Budi", phone="0752 92317"),
                         "Lupa password", None, None, None, None)


def answered(clock: Clock):
    t = phone_ticket(clock)
    wf.answer(t, clock.act(), "Sudah dibuka")
    return t


# -- the holder ---------------------------------------------------------------------

def test_assign_records_one_event_with_the_officer_and_the_latest_assign_holds(clock):
    t = phone_ticket(clock)
    (e,) = wf.assign(t, clock.act(), "Ani")
    assert (e.action, e.fields, e.by) == ("assign", {"to": "Ani"}, "Rina")
    wf.assign(t, clock.act(), "  Budi   Santoso ")
    assert t.state().holder == "Budi Santoso"


def test_a_release_records_to_null_and_leaves_the_ticket_held_by_no_one(clock):
    t = phone_ticket(clock)
    wf.assign(t, clock.act(), "Ani")
    (e,) = wf.assign(t, clock.act(), "")
    assert e.fields == {"to": None}
    assert t.state().holder is None
    assert "  to: null\n" in ticketfile.dumps(t)
    assert ticketfile.loads(ticketfile.dumps(t)).state().holder is None


def test_assigning_the_holder_again_or_releasing_a_ticket_no_one_holds_is_refused(clock):
    t = phone_ticket(clock)
    with pytest.raises(Refused, match="held by no one: there is nothing to release"):
        wf.assign(t, clock.act(), "")
    wf.assign(t, clock.act(), "Ani")
    with pytest.raises(Refused, match="already held by Ani: nothing to do"):
        wf.assign(t, clock.act(), " Ani ")
    assert [e.action for e in t.history] == ["open", "assign"]


def test_a_closed_ticket_cannot_be_assigned_until_it_is_reopened(clock):
    t = answered(clock)
    wf.close(t, clock.act(), None, None)
    with pytest.raises(Refused, match="is closed: reopen it before assigning it"):
        wf.assign(t, clock.act(), "Ani")
    wf.reopen(t, clock.act(), "Belum beres")
    wf.assign(t, clock.act(), "Ani")
    assert t.state().holder == "Ani"


def test_an_answered_or_waiting_ticket_can_be_assigned(clock):
    t = answered(clock)
    wf.assign(t, clock.act(), "Ani")
    u = phone_ticket(clock)
    wf.wait(u, clock.act(), "reporter", None)
    wf.assign(u, clock.act(), "Ani")
    assert (t.state().holder, u.state().holder) == ("Ani", "Ani")


def test_an_assign_event_without_to_or_with_an_empty_name_is_damage(clock):
    t = phone_ticket(clock)
    wf.assign(t, clock.act(), "Ani")
    text = ticketfile.dumps(t)
    with pytest.raises(Damaged, match="an assign event needs `to`"):
        ticketfile.loads(text.replace("  to: Ani\n", ""))
    with pytest.raises(Damaged, match="to must be an officer's name or null"):
        ticketfile.loads(text.replace("  to: Ani\n", "  to: ''\n"))


def test_two_desks_assigning_apart_merge_to_the_latest_assign_with_both_in_history(clock):
    base = phone_ticket(clock)
    ours, theirs = base.copy(), base.copy()
    wf.assign(ours, wf.Act("Rina", T0 + timedelta(hours=2), T0 + timedelta(hours=2)), "Ani")
    wf.assign(theirs, wf.Act("Budi", T0 + timedelta(hours=1), T0 + timedelta(hours=1)), "Budi")
    for a, b in ((ours, theirs), (theirs, ours)):
        m = ticketfile.loads(merge.merge_text(ticketfile.dumps(base), ticketfile.dumps(a), ticketfile.dumps(b)))
        assert [e.get("to") for e in m.history if e.action == "assign"] == ["Budi", "Ani"]
        assert m.state().holder == "Ani"


# -- follow-ups flagged --------------------------------------------------------------

@pytest.mark.parametrize("close", [False, True])
def test_a_follow_up_on_an_answered_or_closed_ticket_flags_it_and_says_when_and_in_which_status(clock, close):
    t = answered(clock)
    if close:
        wf.close(t, clock.act(), None, None)
    act = clock.act()
    wf.followup(t, act, "Masih belum bisa")
    s = t.state()
    assert (s.flagged, s.flagged_at, s.flagged_in) == (True, act.at, "closed" if close else "answered")


def test_a_follow_up_on_an_open_or_waiting_ticket_flags_nothing(clock):
    t = phone_ticket(clock)
    wf.followup(t, clock.act(), "Halo?")
    wf.wait(t, clock.act(), "reporter", None)
    wf.followup(t, clock.act(), "Ini datanya")
    assert not t.state().flagged


def test_a_note_or_another_follow_up_leaves_the_flag_and_its_first_time(clock):
    t = answered(clock)
    first = clock.act()
    wf.followup(t, first, "Masih belum bisa")
    wf.note(t, clock.act(), "Dicek besok")
    wf.followup(t, clock.act(), "Halo?")
    assert t.state().flagged_at == first.at


ACTIONS_ON_AN_ANSWERED_TICKET = {
    "reopen": lambda t, act: wf.reopen(t, act, "Belum beres"),
    "close": lambda t, act: wf.close(t, act, None, None),
    "rate": lambda t, act: wf.rate(t, act, 3),
    "edit": lambda t, act: wf.edit(t, act, {"category": "login"}, None),
    "assign": lambda t, act: wf.assign(t, act, "Ani"),
}


@pytest.mark.parametrize("action", sorted(ACTIONS_ON_AN_ANSWERED_TICKET))
def test_any_officer_action_but_a_note_clears_the_flag(clock, action):
    t = answered(clock)
    wf.followup(t, clock.act(), "Masih belum bisa")
    ACTIONS_ON_AN_ANSWERED_TICKET[action](t, clock.act())
    assert not t.state().flagged


def test_every_action_that_clears_the_flag_clears_it_in_the_replay():
    for action in sorted(CLEARS_FLAG):
        history = [
            Event(T0, "open", "Rina", "helpdesk"),
            Event(T0 + timedelta(minutes=1), "answer", "Rina", "helpdesk", "x"),
            Event(T0 + timedelta(minutes=2), "followup", "Rina", "helpdesk", "y"),
        ]
        assert replay(history).flagged
        fields = {"on": "reporter"} if action == "wait" else {"to": "Ani"} if action == "assign" else {}
        history.append(Event(T0 + timedelta(minutes=3), action, "Rina", "helpdesk", "z", fields=fields))
        assert not replay(history).flagged, action
    assert "note" not in CLEARS_FLAG and "followup" not in CLEARS_FLAG


# -- corrections: channel and opening time -----------------------------------------------

def test_a_channel_correction_records_from_and_to_and_needs_the_new_channels_identity(clock):
    t = phone_ticket(clock)
    with pytest.raises(BadInput, match="an email ticket needs --email: give it in the same edit as --channel email"):
        wf.edit(t, clock.act(), {"channel": "surel"}, None)
    assert (t.channel, [e.action for e in t.history]) == ("phone", ["open"])
    (e,) = wf.edit(t, clock.act(), {"channel": "surel", "reporter.email": "budi@contoh.id"}, "lewat surel")
    assert e.get("changes")["channel"] == {"from": "phone", "to": "email"}
    assert t.channel == "email"


def test_a_corrected_opening_time_is_recorded_as_iso_text_and_moves_the_ticket(clock):
    t = phone_ticket(clock)
    before = t.created_at
    (e,) = wf.edit(t, clock.act(), {"created_at": "12/08/2026 15:30"}, None, WIB)
    assert e.get("changes")["created_at"] == {"from": before.isoformat(), "to": "2026-08-12T15:30:00+07:00"}
    assert t.created_at == datetime(2026, 8, 12, 15, 30, tzinfo=WIB)
    again = ticketfile.loads(ticketfile.dumps(t))
    assert again.created_at == t.created_at and again.history[-1].fields == e.fields


def test_an_opening_time_after_the_tickets_first_later_event_is_refused(clock):
    t = phone_ticket(clock)
    act = clock.act()
    wf.note(t, act, "ditelepon balik")
    with pytest.raises(BadInput, match="is after the ticket's first event since it was opened"):
        wf.edit(t, clock.act(), {"created_at": (act.at + timedelta(minutes=1)).isoformat()}, None, WIB)
    wf.edit(t, clock.act(), {"created_at": act.at.isoformat()}, None, WIB)  # at that event: accepted
    assert t.created_at == act.at


def test_an_opening_time_or_channel_cannot_be_emptied(clock):
    t = phone_ticket(clock)
    for name, flag in (("created_at", "--created-at"), ("channel", "--channel")):
        with pytest.raises(BadInput, match=f"{flag} cannot be empty"):
            wf.edit(t, clock.act(), {name: " "}, None, WIB)


def test_a_past_periods_view_keeps_a_triage_edit_undone_but_a_correction_made(clock):
    t = phone_ticket(clock)
    opened = t.created_at
    wf.edit(t, clock.act(), {"kind": "complaint", "channel": "walk-in", "reporter.address": "Jl. Sudirman 1",
                             "created_at": "2026-08-13T08:00"}, None, WIB)
    past = t.as_of(opened)
    assert (past.kind, past.channel, past.created_at) == ("question", "walk-in", datetime(2026, 8, 13, 8, 0, tzinfo=WIB))


def test_a_ticket_whose_opening_time_one_desk_corrected_is_still_the_same_ticket(clock):
    t = phone_ticket(clock)
    corrected = t.copy()
    wf.edit(corrected, clock.act(), {"created_at": "2026-08-13T08:00", "channel": "wa"}, None, WIB)
    assert merge.same_ticket(t, corrected) and merge.same_ticket(corrected, t)


def test_an_edit_naming_an_unknown_channel_or_a_malformed_time_is_damage(clock):
    t = phone_ticket(clock)
    wf.edit(t, clock.act(), {"channel": "wa", "created_at": "2026-08-13T08:00"}, None, WIB)
    text = ticketfile.dumps(t)
    with pytest.raises(Damaged, match="changes.channel.to: unknown channel 'fax'"):
        ticketfile.loads(text.replace("to: whatsapp", "to: fax"))
    with pytest.raises(Damaged, match="changes.created_at.to must be an ISO 8601 time"):
        ticketfile.loads(text.replace("to: '2026-08-13T08:00:00+07:00'", "to: kemarin"))
