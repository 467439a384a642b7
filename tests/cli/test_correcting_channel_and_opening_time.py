"""`edit --channel` and `edit --created-at`: a wrong entry at the desk corrected, deadlines following."""

from __future__ import annotations

import json

import pytest

from tests.conftest import git, ticket_file

PHONE = ("-c", "telepon", "--name", "Budi", "--phone", "0752 92317")


def commits(run) -> int:
    return int(git(run.home, "rev-list", "--count", "HEAD"))


def show(run, tid: str) -> dict:
    return json.loads(run.ok("show", tid, "--json"))


@pytest.fixture
def tid(run) -> str:
    return run.new(*PHONE, "-s", "Gagal unggah", "-d", "ringan", "--at", "2026-08-13T13:00")


@pytest.mark.parametrize("args,error", [
    (("--channel", "surel"), "Error: an email ticket needs --email: give it in the same edit as --channel email; "
                             "nothing was written\n"),
    (("--channel", "portal"), "Error: a portal ticket needs --account: give it in the same edit as --channel portal; "
                              "nothing was written\n"),
    (("--channel", "datang-langsung"), "Error: a walk-in ticket needs --address: give it in the same edit as "
                                       "--channel walk-in; nothing was written\n"),
    (("--channel", "datang-langsung", "--name", ""), "Error: a walk-in ticket needs --name, --address: give them in "
                                                     "the same edit as --channel walk-in; nothing was written\n"),
    (("--channel", "surel", "--email", "budi"), "Error: --email 'budi' is not an e-mail address\n"),
    (("--channel", "fax"), "Error: unknown channel 'fax'; use one of portal, phone, walk-in, email, "
                           "suggestion-box, lapor, whatsapp\n"),
    (("--channel", ""), "Error: --channel cannot be empty\n"),
])
def test_a_channel_whose_identity_rules_are_not_met_is_refused_and_nothing_is_written(run, tid, args, error):
    before, text = commits(run), ticket_file(run.home, tid).read_text(encoding="utf-8")
    result = run("edit", tid, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", error)
    assert commits(run) == before and ticket_file(run.home, tid).read_text(encoding="utf-8") == text


def test_a_corrected_channel_is_recorded_from_and_to_and_shown(run, tid):
    out = run.ok("edit", tid, "--channel", "surel", "--email", "budi@contoh.id", "-m", "datang lewat surel")
    assert out == f"{tid}  edited: channel, reporter.email\n"
    assert git(run.home, "log", "-1", "--format=%s").strip() == f"edit {tid} (channel, reporter.email)"
    d = show(run, tid)
    assert d["channel"] == "email"
    assert d["history"][-1]["changes"]["channel"] == {"from": "phone", "to": "email"}
    assert [r["channel"] for r in json.loads(run.ok("list", "--json"))] == ["email"]
    assert f"{tid}  question via email" in run.ok("show", tid)


def test_a_ref_given_with_a_channel_corrected_to_lapor_is_the_lapor_number(run, tid):
    run.ok("edit", tid, "--channel", "lapor", "--ref", "LAPOR-2608-77")
    d = show(run, tid)
    assert (d["channel"], d["refs"]["lapor"], d["refs"]["lpse-support"]) == ("lapor", "LAPOR-2608-77", None)


def test_deadlines_follow_a_corrected_opening_time(run, tid):
    before = show(run, tid)
    assert (before["due_at"], before["response_due_at"]) == ("2026-08-18T16:00:00+07:00", "2026-08-14T16:00:00+07:00")
    out = run.ok("edit", tid, "--created-at", "10/08/2026 09:00", "-m", "the call came on Monday")
    assert out == f"{tid}  edited: created_at\n"
    d = show(run, tid)
    assert d["created_at"] == "2026-08-10T09:00:00+07:00"
    assert d["history"][-1]["changes"]["created_at"] == {
        "from": "2026-08-13T13:00:00+07:00", "to": "2026-08-10T09:00:00+07:00"}
    assert (d["due_at"], d["response_due_at"]) == ("2026-08-12T16:00:00+07:00", "2026-08-11T16:00:00+07:00")
    assert "Created:     2026-08-10 09:00 WIB\n" in run.ok("show", tid)
    assert [r["due_at"] for r in json.loads(run.ok("list", "--json", "--since", "2026-08-10", "--until", "2026-08-10"))] \
        == ["2026-08-12T16:00:00+07:00"]


def test_the_report_counts_a_corrected_ticket_in_its_new_month_channel_and_deadlines(run, tid):
    run.ok("answer", tid, "-m", "Coba peramban lain", "--at", "2026-08-18T10:00")
    august = json.loads(run.ok("report", "--month", "2026-08", "-f", "json"))
    assert (august["total"], august["sla"]["on_time"], august["sla"]["late"]) == (1, 1, 0)
    run.ok("edit", tid, "--created-at", "2026-07-31T09:00", "--channel", "wa")
    august = json.loads(run.ok("report", "--month", "2026-08", "-f", "json"))
    july = json.loads(run.ok("report", "--month", "2026-07", "-f", "json"))
    assert august["total"] == 0
    assert (july["total"], july["by_channel"]["whatsapp"], july["by_channel"]["phone"]) == (1, 1, 0)
    assert (july["sla"]["unresolved"], july["sla"]["awaiting_response"]) == (1, 1)  # as of 31 July: not yet due
    both = json.loads(run.ok("report", "--from", "2026-07-01", "--to", "2026-08-31", "-f", "json"))
    # due 4 August 16:00 from 31 July, answered 18 August: late now, first response too
    assert (both["sla"]["on_time"], both["sla"]["late"], both["sla"]["response_late"]) == (0, 1, 1)


def test_an_opening_time_after_the_next_event_or_malformed_is_bad_input_and_nothing_is_written(run, tid):
    run.ok("note", tid, "-m", "ditelepon balik", "--at", "2026-08-13T14:00")
    before, text = commits(run), ticket_file(run.home, tid).read_text(encoding="utf-8")
    for value, error in (
        ("2026-08-13T14:01", "Error: --created-at 2026-08-13T14:01:00+07:00 is after the ticket's first event "
                             "since it was opened (2026-08-13T14:00:00+07:00); a ticket is opened before anything "
                             "happens to it\n"),
        ("08/13/2026", "Error: malformed --created-at time '08/13/2026': no such day (day first: DD/MM/YYYY HH:MM)\n"),
        ("", "Error: --created-at cannot be empty\n"),
    ):
        result = run("edit", tid, "--created-at", value)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", error), value
    assert commits(run) == before and ticket_file(run.home, tid).read_text(encoding="utf-8") == text
    run.ok("edit", tid, "--created-at", "2026-08-13T14:00")  # at the next event itself: accepted
