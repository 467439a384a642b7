"""A reporter who writes again after the answer is not lost: the ticket is flagged until an officer acts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PHONE = ("-c", "telepon", "--name", "Budi", "--phone", "0752 92317")
MAIL = ("From: Siti <siti@penyedia.co.id>\nSubject: Tidak bisa unggah\nDate: Thu, 13 Aug 2026 09:15:00 +0700\n"
        "Message-ID: <first@penyedia.co.id>\n\nDokumen penawaran gagal diunggah.\n")
REPLY = ("From: siti@penyedia.co.id\nSubject: Re: Tidak bisa unggah\nDate: Fri, 14 Aug 2026 11:00:00 +0700\n"
         "Message-ID: <reply@penyedia.co.id>\nIn-Reply-To: <first@penyedia.co.id>\n\nMasih gagal.\n")


def flagged(run, tid: str) -> bool:
    return json.loads(run.ok("show", tid, "--json"))["flagged"]


@pytest.fixture
def answered(run) -> str:
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("answer", tid, "-m", "Sudah dibuka", "--at", "2026-08-13T10:00")
    return tid


def test_a_follow_up_on_an_answered_ticket_flags_it_in_show_and_both_json_forms(run, answered):
    assert not flagged(run, answered)
    run.ok("followup", answered, "-m", "Masih belum bisa", "--at", "2026-08-14T08:30")
    assert flagged(run, answered)
    assert [r["flagged"] for r in json.loads(run.ok("list", "--json"))] == [True]
    assert ("Flagged:     the reporter wrote again on 2026-08-14 08:30 WIB, after the ticket was answered; "
            "any action but a note clears this\n") in run.ok("show", answered)


def test_a_follow_up_on_a_closed_ticket_flags_it_and_list_flagged_lists_it_though_closed(run, answered):
    open_one = run.new(*PHONE, "-s", "Jadwal", "--at", "2026-08-13T09:30")
    run.ok("followup", open_one, "-m", "Kapan?", "--at", "2026-08-13T11:00")  # open: not flagged
    run.ok("close", answered, "--at", "2026-08-13T11:00")
    run.ok("followup", answered, "-m", "Masih belum bisa", "--at", "2026-08-14T08:30")
    assert "after the ticket was closed; any action but a note clears this\n" in run.ok("show", answered)
    assert answered not in run.ok("list")  # closed tickets stay out of the default listing
    table = run.ok("list", "--flagged").splitlines()
    assert len(table) == 3 and answered in table[2] and " closed *  " in table[2]
    assert [r["id"] for r in json.loads(run.ok("list", "--flagged", "--json"))] == [answered]
    assert json.loads(run.ok("list", "--flagged", "--status", "answered", "--json")) == []
    header, row = run.ok("list", "--flagged", "--csv").splitlines()[:2]
    assert dict(zip(header.split(","), row.split(",")))["flagged"] == "true"


def test_a_note_keeps_the_flag_and_the_next_officer_action_clears_it(run, answered):
    run.ok("followup", answered, "-m", "Masih belum bisa", "--at", "2026-08-14T08:30")
    run.ok("note", answered, "-m", "Ditelepon besok", "--at", "2026-08-14T09:00")
    assert flagged(run, answered)
    run.ok("claim", answered, "--at", "2026-08-14T09:10")
    assert not flagged(run, answered)
    assert "Flagged:" not in run.ok("show", answered)
    result = run("list", "--flagged")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No tickets match.\n")


def test_a_reply_mail_on_an_answered_ticket_flags_it(run, tmp_path: Path):
    (tmp_path / "first.eml").write_text(MAIL, encoding="utf-8")
    (tmp_path / "reply.eml").write_text(REPLY, encoding="utf-8")
    tid = run.ok("import-mail", str(tmp_path / "first.eml")).split()[0]
    run.ok("answer", tid, "-m", "Coba peramban lain", "--at", "2026-08-13T10:00")
    assert run.ok("import-mail", str(tmp_path / "reply.eml")).split()[:2] == [tid, "followup"]
    assert flagged(run, tid)
    assert [r["id"] for r in json.loads(run.ok("list", "--flagged", "--json"))] == [tid]
