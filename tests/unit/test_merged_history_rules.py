"""What a merged history means: a tier never goes down, and an event the rules
did not allow where the merge put it is kept, flagged and settled by an officer."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lpsectl import merge, ticketfile
from lpsectl import workflow as wf
from lpsectl.errors import LpseError
from lpsectl.model import SETTLES, TIER, Event, Ticket, conflict_ref, review
from tests.unit.test_merge import at, base_ticket, ev, merged, text, with_events


def escalate(minutes: int, to: str, by: str) -> object:
    return ev(minutes, "escalate", by=by, tier=to)


@pytest.mark.parametrize("b_minutes", [20, 40], ids=["B-between", "B-last"])
def test_a_tier_never_goes_down_when_one_desk_escalated_twice_and_the_other_once(b_minutes):
    base = base_ticket()
    a = with_events(base, escalate(10, "admin-ppe", "Andi"), escalate(30, "lkpp", "Andi"))
    b = with_events(base, escalate(b_minutes, "admin-ppe", "Budi"))
    m = merged(base, a, b)
    s = m.state()
    assert (s.status, s.tier, s.highest_tier) == ("open", "lkpp", "lkpp")
    # Budi's escalate went to a tier the ticket had already reached: flagged.
    [c] = m.conflicts()
    assert (c.event.by, c.event.action, c.index) == ("Budi", "escalate", [e.by for e in m.history].index("Budi"))
    assert "already at" in c.why


def test_a_ticket_closed_as_invalid_stays_closed_when_another_desk_escalated_and_waited_later():
    base = base_ticket()
    a = with_events(base, ev(10, "close", by="Andi", resolution="invalid"))
    b = with_events(base, escalate(20, "admin-ppe", "Budi"), escalate(30, "lkpp", "Budi"),
                    ev(40, "wait", by="Budi", tier="lkpp", on="lkpp"))
    m = merged(base, a, b)
    s = m.state()
    assert (s.status, s.resolution, s.wait_on) == ("closed", "invalid", None)
    # The matter did go up: the escalations still raise the tier, nothing else.
    assert s.tier == "lkpp"
    assert [(c.event.action, c.event.at) for c in m.conflicts()] == [("escalate", at(20)), ("escalate", at(30)),
                                                                     ("wait", at(40))]
    assert all("the ticket was closed, invalid then" in c.why for c in m.conflicts())


def test_closing_as_answered_merged_after_a_reopen_is_a_conflict_and_the_ticket_stays_open():
    base = with_events(base_ticket(), ev(10, "answer", message="jawaban"))
    a = with_events(base, ev(20, "close", by="Andi", resolution="answered"))
    b = with_events(base, ev(15, "reopen", by="Budi", message="pelapor menolak"))
    m = merged(base, a, b)
    s = m.state()
    assert (s.status, s.resolution) == ("open", None)
    [c] = m.conflicts()
    assert c.event.action == "close" and "reopened and not answered since" in c.why


def test_two_desks_answering_the_same_question_flag_the_second_answer():
    base = base_ticket()
    a = with_events(base, ev(10, "answer", by="Andi", message="jawaban A"))
    b = with_events(base, ev(20, "answer", by="Budi", message="jawaban B"))
    m = merged(base, a, b)
    s = m.state()
    assert s.status == "answered"
    assert [c.event.message for c in m.conflicts()] == ["jawaban B"]


def test_histories_that_interleave_within_the_rules_have_no_conflict():
    base = base_ticket()
    a = with_events(base, ev(10, "note", message="catatan"), ev(30, "answer", message="sudah"))
    b = with_events(base, escalate(20, "admin-ppe", "Budi"), ev(25, "edit", changes={}))
    assert merged(base, a, b).conflicts() == []


def test_the_merge_driver_writes_the_rule_following_state_into_the_file(tmp_path: Path):
    base = base_ticket()
    a = with_events(base, escalate(10, "admin-ppe", "Andi"), escalate(20, "lkpp", "Andi"))
    b = with_events(base, escalate(30, "admin-ppe", "Budi"))
    files = {}
    for name, t in (("base", base), ("ours", b), ("theirs", a)):
        files[name] = tmp_path / name
        files[name].write_text(text(t), encoding="utf-8")
    result = merge.merge_files(files["base"], files["ours"], files["theirs"], "tickets/2026/11/2611-ABCDEF.yaml")
    assert result.clean
    written = files["ours"].read_text(encoding="utf-8")
    assert "\nstatus: open\ntier: lkpp\n" in written
    t = ticketfile.loads(written)
    assert [c.event.by for c in t.conflicts()] == ["Budi"]


def _conflicted() -> Ticket:
    base = base_ticket()
    a = with_events(base, ev(10, "close", by="Andi", resolution="invalid"))
    b = with_events(base, escalate(20, "admin-ppe", "Budi"))
    return merged(base, a, b)


def test_an_officers_note_settles_the_conflicts_it_saw():
    t = _conflicted()
    [c] = t.conflicts()
    [note] = wf.note(t, wf.Act("Rina", at(60), at(60)), "Sudah dicek: tiket memang tidak valid")
    assert note.get(SETTLES) == [conflict_ref(c.event)]
    assert t.conflicts() == []
    # The settling survives the file.
    assert ticketfile.loads(ticketfile.dumps(t)).conflicts() == []


def test_an_officers_next_valid_action_settles_the_conflicts():
    t = _conflicted()
    wf.reopen(t, wf.Act("Rina", at(60), at(60)), "Ternyata valid, lanjut ke PPE")
    assert t.conflicts() == []
    assert (t.status, t.tier) == ("open", "admin-ppe")


def test_a_follow_up_from_the_reporter_settles_nothing():
    t = _conflicted()
    [e] = wf.followup(t, wf.Act("Rina", at(60), at(60)), "Pelapor menelepon lagi")
    assert SETTLES not in e.fields
    assert len(t.conflicts()) == 1


def test_a_note_written_before_the_merge_does_not_settle_a_conflict_it_never_saw():
    base = base_ticket()
    a = with_events(base, ev(10, "close", by="Andi", resolution="invalid"))
    b = with_events(base, escalate(20, "admin-ppe", "Budi"), ev(30, "note", by="Budi", message="menunggu PPE"))
    assert len(merged(base, a, b).conflicts()) == 1


def test_a_conflict_merged_in_after_an_officer_settled_others_is_still_flagged():
    settled = _conflicted()
    wf.note(settled, wf.Act("Rina", at(60), at(60)), "dicek")
    base = base_ticket()
    late = with_events(base, ev(15, "answer", by="Dewi", message="jawaban dari meja lain"))
    m = merged(base, settled, late)
    assert [c.event.by for c in m.conflicts()] == ["Dewi"]


def test_the_state_as_of_a_moment_only_counts_conflicts_up_to_it():
    t = _conflicted()
    assert review(t.history, at(15)).conflicts == []
    assert len(review(t.history, at(20)).conflicts) == 1


@pytest.mark.parametrize("action", ["note", "edit", "followup", "assign", "erase"])
def test_actions_allowed_in_every_status_or_unknown_here_are_never_conflicts(action):
    closed = with_events(base_ticket(), ev(10, "close", resolution="invalid"))
    e = Event(at=at(20), action=action, by="Dewi", tier="helpdesk", message="x")
    assert review([*closed.history, e]).conflicts == []


_STEPS = ["answer", "escalate", "redirect", "wait-reporter", "wait-lkpp", "resume", "close", "close-invalid",
          "reopen", "rate", "note", "head", "followup"]


def _apply(t: Ticket, step: str, act) -> None:
    calls = {
        "answer": lambda: wf.answer(t, act, "jawaban"),
        "escalate": lambda: wf.escalate(t, act, None, None),
        "redirect": lambda: wf.redirect(t, act, None),
        "wait-reporter": lambda: wf.wait(t, act, "reporter", None),
        "wait-lkpp": lambda: wf.wait(t, act, "lkpp", None),
        "resume": lambda: wf.resume(t, act, None),
        "close": lambda: wf.close(t, act, None, None),
        "close-invalid": lambda: wf.close(t, act, "invalid", None),
        "reopen": lambda: wf.reopen(t, act, "ditolak"),
        "rate": lambda: wf.rate(t, act, 3),
        "note": lambda: wf.note(t, act, "catatan"),
        "head": lambda: wf.note(t, act, "kepala", head=True),
        "followup": lambda: wf.followup(t, act, "lagi"),
    }
    try:
        calls[step]()
    except LpseError:
        pass  # refused on the desk: nothing recorded


def _desk(steps: list[str], start: int, by: str) -> Ticket:
    t = base_ticket()
    for i, step in enumerate(steps):
        when = at(start + 10 * i)
        _apply(t, step, wf.Act(by, when, when))
    return t


_STEP_LISTS = st.lists(st.sampled_from(_STEPS), max_size=8)


@settings(max_examples=150, deadline=None)
@given(_STEP_LISTS)
def test_whatever_one_desk_records_under_the_rules_has_no_conflict(steps):
    t = _desk(steps, 1, "Rina")
    assert t.conflicts() == []


@settings(max_examples=150, deadline=None)
@given(_STEP_LISTS, _STEP_LISTS, st.integers(0, 9))
def test_a_merge_of_two_desks_reaches_only_states_the_rules_allow(a_steps, b_steps, offset):
    base = base_ticket()
    a, b = _desk(a_steps, 1, "Andi"), _desk(b_steps, 1 + offset, "Budi")
    s = merged(base, a, b).state()
    order = TIER.values
    # A tier never goes down: as high as either desk had it, and as high as it ever was.
    assert order.index(s.tier) >= max(order.index(a.tier), order.index(b.tier))
    assert s.tier == s.highest_tier
    # Status, resolution and wait agree with each other as the status table has them.
    assert (s.resolution is not None) == (s.status == "closed")
    assert (s.wait_on is not None) == (s.status == "waiting")
    assert s.wait_on != "lkpp" or s.tier == "lkpp"
