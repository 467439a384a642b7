from datetime import datetime

import pytest

from lpsectl import workflow as wf
from lpsectl.errors import BadInput, Refused
from lpsectl.model import Reporter, replay

from .clocks import T0, WIB


def open_ticket(clock, channel="phone", kind="question", **rep):
    rep = rep or {"name": "Budi", "phone": "0752 92317"}
    return wf.new_ticket("2608-ABCDEF", clock.act(), channel, kind, Reporter(**rep), "Tidak bisa login",
                         None, None, None, None if channel != "lapor" else "LAPOR-1")


def test_a_new_ticket_opens_at_the_helpdesk_tier_with_defaults(clock):
    t = open_ticket(clock)
    assert (t.status, t.tier, t.kind, t.difficulty) == ("open", "helpdesk", "question", "normal")
    assert [e.action for e in t.history] == ["open"]


@pytest.mark.parametrize("channel,missing", [
    ("walk-in", "--name, --address, --phone"), ("phone", "--name, --phone"),
    ("whatsapp", "--name, --phone"), ("portal", "--account"), ("email", "--email"), ("lapor", "--ref"),
])
def test_each_channel_requires_its_identity(clock, channel, missing):
    with pytest.raises(BadInput, match=f"needs {missing}"):
        wf.new_ticket("2608-ABCDEF", clock.act(), channel, None, Reporter(), "s", None, None, None, None)


def test_a_suggestion_box_slip_may_be_anonymous(clock):
    t = wf.new_ticket("2608-ABCDEF", clock.act(), "kotak-saran", "masukan", Reporter(), None, "AC rusak",
                      None, None, None)
    assert (t.channel, t.kind) == ("suggestion-box", "suggestion")


def test_indonesian_words_are_accepted_in_any_case(clock):
    t = wf.new_ticket("2608-ABCDEF", clock.act(), "TELEPON", "Pengaduan", Reporter(name="a", phone="1"),
                      "s", None, None, "Berat", None)
    assert (t.channel, t.kind, t.difficulty) == ("phone", "complaint", "hard")


def test_a_subject_or_a_message_is_required(clock):
    with pytest.raises(BadInput, match="subject or a message"):
        wf.new_ticket("2608-ABCDEF", clock.act(), "kotak-saran", None, Reporter(), "  ", None, None, None, None)


def test_the_tier_chain_goes_helpdesk_admin_ppe_lkpp_and_stops_there(clock):
    t = open_ticket(clock)
    wf.escalate(t, clock.act(), "perlu admin", None)
    assert t.tier == "admin-ppe"
    wf.escalate(t, clock.act(), None, "LS-123")
    assert t.tier == "lkpp" and t.refs["lpse-support"] == "LS-123"
    assert t.history[-1].get("ref") == "LS-123"
    with pytest.raises(Refused, match="already at LKPP, the top tier"):
        wf.escalate(t, clock.act(), None, None)


def test_wait_on_lkpp_only_at_the_lkpp_tier(clock):
    t = open_ticket(clock)
    with pytest.raises(Refused, match="only a ticket at LKPP"):
        wf.wait(t, clock.act(), "lkpp", None)
    wf.escalate(t, clock.act(), None, None)
    wf.escalate(t, clock.act(), None, None)
    wf.wait(t, clock.act(), "lkpp", "menunggu LKPP")
    assert t.status == "waiting"
    wf.resume(t, clock.act(), None)
    assert t.status == "open"


def test_redirect_is_refused_for_portal_lapor_and_suggestion_box(clock):
    for channel, rep in (("portal", {"account": "cv.x"}), ("lapor", {}), ("suggestion-box", {"name": None})):
        t = open_ticket(clock, channel, **rep)
        with pytest.raises(Refused, match="cannot be redirected"):
            wf.redirect(t, clock.act(), None)
    t = open_ticket(clock, "phone")
    wf.redirect(t, clock.act(), "Admin PPE tidak dapat dihubungi")
    assert (t.status, replay(t.history).resolution) == ("closed", "redirected")


def test_close_without_resolution_needs_an_earlier_answer(clock):
    t = open_ticket(clock)
    with pytest.raises(Refused, match="has no answer yet"):
        wf.close(t, clock.act(), None, None)
    wf.answer(t, clock.act(), "jawaban")
    wf.close(t, clock.act(), None, None)
    assert (t.status, replay(t.history).resolution) == ("closed", "answered")


def test_referred_needs_a_message_naming_the_body(clock):
    t = open_ticket(clock)
    with pytest.raises(BadInput, match="naming the body"):
        wf.close(t, clock.act(), "dirujuk", None)
    wf.close(t, clock.act(), "referred", "Sanggah ke Pokja")
    assert replay(t.history).resolution == "referred"


def test_a_complaint_is_not_closed_as_answered_before_a_head_note(clock):
    t = open_ticket(clock, kind="complaint")
    with pytest.raises(Refused, match="Kepala LPSE"):
        wf.answer(t, clock.act(), "jawaban", close=True)
    assert [e.action for e in t.history] == ["open"]
    wf.answer(t, clock.act(), "jawaban")
    with pytest.raises(Refused, match="Kepala LPSE"):
        wf.close(t, clock.act(), None, None)
    wf.note(t, clock.act(), "dikoordinasikan", head=True)
    assert t.history[-1].get("head") is True
    wf.close(t, clock.act(), None, None)
    assert t.status == "closed"


def test_an_anonymous_slip_is_closed_by_its_answer(clock):
    t = wf.new_ticket("2608-ABCDEF", clock.act(), "suggestion-box", None, Reporter(), "s", None, None, None, None)
    wf.answer(t, clock.act(), "terima kasih")
    assert (t.status, replay(t.history).resolution) == ("closed", "answered")


def test_reopen_returns_to_the_tier_that_answered(clock):
    t = open_ticket(clock)
    wf.escalate(t, clock.act(), None, None)
    wf.answer(t, clock.act("Andi"), "jawaban")
    wf.close(t, clock.act(), None, None)
    with pytest.raises(BadInput, match="needs a message"):
        wf.reopen(t, clock.act(), None)
    wf.reopen(t, clock.act(), "pelapor menolak jawaban")
    assert (t.status, t.tier) == ("open", "admin-ppe")
    assert replay(t.history).resolution is None


def test_rating_is_1_to_4_and_a_new_rating_replaces_the_old(clock):
    t = open_ticket(clock)
    wf.answer(t, clock.act(), "jawaban")
    for bad in ("0", "5", "x", "3.5"):
        with pytest.raises(BadInput, match="1 to 4"):
            wf.rate(t, clock.act(), bad)
    wf.rate(t, clock.act(), "2")
    wf.rate(t, clock.act(), 4)
    assert replay(t.history).score == 4


def test_a_followup_ends_a_wait_on_the_reporter(clock):
    t = open_ticket(clock)
    wf.wait(t, clock.act(), "pelapor", "minta NPWP")
    assert t.status == "waiting"
    wf.followup(t, clock.act(), "NPWP dikirim")
    assert t.status == "open"


def test_an_answer_ends_a_wait(clock):
    t = open_ticket(clock)
    wf.wait(t, clock.act(), "reporter", None)
    wf.answer(t, clock.act(), "jawaban")
    assert t.status == "answered"


TABLE = {
    "open": {"answer", "escalate", "redirect", "wait", "close"},
    "waiting": {"resume", "answer", "close"},
    "answered": {"close", "reopen", "rate"},
    "closed": {"reopen", "rate"},
}


def _to_status(clock, status):
    t = open_ticket(clock)
    if status == "waiting":
        wf.wait(t, clock.act(), "reporter", None)
    elif status == "answered":
        wf.answer(t, clock.act(), "a")
    elif status == "closed":
        wf.close(t, clock.act(), "withdrawn", None)
    assert t.status == status
    return t


ATTEMPTS = {
    "answer": lambda t, a: wf.answer(t, a, "a"),
    "escalate": lambda t, a: wf.escalate(t, a, None, None),
    "redirect": lambda t, a: wf.redirect(t, a, None),
    "wait": lambda t, a: wf.wait(t, a, "reporter", None),
    "resume": lambda t, a: wf.resume(t, a, None),
    "close": lambda t, a: wf.close(t, a, "withdrawn", None),
    "reopen": lambda t, a: wf.reopen(t, a, "r"),
    "rate": lambda t, a: wf.rate(t, a, 3),
    "note": lambda t, a: wf.note(t, a, "n"),
    "followup": lambda t, a: wf.followup(t, a, "f"),
    "edit": lambda t, a: wf.edit(t, a, {"category": "login"}, None),
}


@pytest.mark.parametrize("status", list(TABLE))
@pytest.mark.parametrize("action", list(ATTEMPTS))
def test_the_status_table_of_the_spec_is_enforced(clock, status, action):
    t = _to_status(clock, status)
    before = len(t.history)
    if action in TABLE[status] or action in ("note", "edit", "followup"):
        ATTEMPTS[action](t, clock.act())
        assert len(t.history) > before
    else:
        with pytest.raises(Refused) as exc:
            ATTEMPTS[action](t, clock.act())
        assert f"is {status}: cannot {action} it; allowed now:" in str(exc.value)
        assert len(t.history) == before


def test_edit_records_which_fields_changed_and_from_what(clock):
    t = open_ticket(clock)
    wf.edit(t, clock.act(), {"difficulty": "ringan", "reporter.phone": "0752 11111", "category": "login"}, "triase")
    e = t.history[-1]
    assert e.action == "edit" and e.message == "triase"
    assert e.get("changes") == {
        "difficulty": {"from": "normal", "to": "easy"},
        "reporter.phone": {"from": "0752 92317", "to": "0752 11111"},
        "category": {"from": None, "to": "login"},
    }
    assert (t.difficulty, t.reporter.phone, t.category) == ("easy", "0752 11111", "login")


def test_edit_cannot_empty_a_field_the_channel_requires_nor_change_nothing(clock):
    t = open_ticket(clock)
    with pytest.raises(BadInput, match="needs --phone"):
        wf.edit(t, clock.act(), {"reporter.phone": ""}, None)
    with pytest.raises(BadInput, match="nothing to change"):
        wf.edit(t, clock.act(), {"reporter.name": "Budi"}, None)
    assert t.reporter.phone == "0752 92317" and len(t.history) == 1


def test_an_event_dated_before_the_latest_one_is_refused_but_now_is_always_accepted(clock):
    t = open_ticket(clock)
    wf.note(t, clock.act(), "n")
    earlier = wf.Act("Rina", T0, T0, at_given=True)
    with pytest.raises(BadInput, match="before the ticket's latest event"):
        wf.note(t, earlier, "late entry")
    drifted = wf.Act("Rina", T0, T0, at_given=False)  # a desk whose clock is behind
    wf.note(t, drifted, "drift")
    assert len(t.history) == 3


def test_at_more_than_five_minutes_ahead_is_refused():
    now = datetime(2026, 8, 13, 9, 0, tzinfo=WIB)
    assert wf.make_act("x", "2026-08-13T09:04", WIB, now).at.minute == 4
    with pytest.raises(BadInput, match="in the future"):
        wf.make_act("x", "2026-08-13T09:06", WIB, now)


def test_first_response_and_resolution_are_read_off_the_history(clock):
    t = open_ticket(clock)
    wf.escalate(t, clock.act(), None, None)
    wf.wait(t, clock.act(), "reporter", None)
    wait_at = t.history[-1].at
    wf.answer(t, clock.act(), "a")
    answer_at = t.history[-1].at
    s = replay(t.history)
    assert s.first_response_at == wait_at and s.resolved_at == answer_at
    assert s.highest_tier == "admin-ppe"
    wf.reopen(t, clock.act(), "ditolak")
    assert replay(t.history).resolved_at is None


def test_as_of_undoes_the_edits_made_after_the_moment(clock):
    t = open_ticket(clock)
    wf.edit(t, clock.act(), {"difficulty": "easy", "category": "login"}, None)
    moment = clock.t
    wf.edit(t, clock.act(), {"difficulty": "hard", "kind": "complaint"}, None)
    then = t.as_of(moment)
    assert (then.difficulty, then.category, then.kind) == ("easy", "login", "question")
    assert (t.difficulty, t.kind) == ("hard", "complaint")
    assert t.as_of(clock.t) is t


def test_closing_as_answered_after_a_reopen_needs_a_new_answer(clock):
    # The reporter rejected the first answer: it no longer counts.
    t = open_ticket(clock)
    wf.answer(t, clock.act(), "jawaban pertama")
    wf.reopen(t, clock.act(), "pelapor menolak jawaban")
    with pytest.raises(Refused, match="has no answer yet"):
        wf.close(t, clock.act(), None, None)
    assert t.status == "open"
    wf.answer(t, clock.act(), "jawaban kedua")
    wf.close(t, clock.act(), None, None)
    assert (t.status, replay(t.history).resolution) == ("closed", "answered")
