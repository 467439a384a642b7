"""The installed `lpsectl`: holding tickets, flagged follow-ups and corrections, in a real git helpdesk."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git

TIMEOUT = 300
PHONE = ("-c", "telepon", "--name", "Budi", "--phone", "0752 92317")


@pytest.fixture
def lp(lpsectl_cmd, tmp_path):
    """lp(*args, operator=...) runs the installed lpsectl in a fresh helpdesk; returns the process."""
    home = tmp_path / "desk"
    subprocess.run([*lpsectl_cmd, "--operator", "Rina", "init", str(home)], check=True, capture_output=True,
                   timeout=TIMEOUT)

    def run(*args: str, operator: str = "Rina", code: int = 0) -> subprocess.CompletedProcess:
        proc = subprocess.run([*lpsectl_cmd, "--operator", operator, *args], cwd=home, capture_output=True,
                              text=True, encoding="utf-8", timeout=TIMEOUT)
        assert proc.returncode == code, f"lpsectl {args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr
        return proc

    run.home = home  # type: ignore[attr-defined]
    return run


def show(lp, tid: str) -> dict:
    return json.loads(lp("show", tid, "--json").stdout)


def listed(lp, *args: str) -> list[dict]:
    return json.loads(lp("list", "--json", *args).stdout)


def commit_subjects(home: Path, n: int) -> list[str]:
    return git(home, "log", f"-{n}", "--format=%an: %s").splitlines()[::-1]


def test_assign_claim_and_release_are_commits_and_the_holder_shows_everywhere(lp):
    tid = lp("new", "-q", *PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00").stdout.strip()
    assert lp("assign", tid, "--to", "Ani", "--at", "2026-08-13T09:30").stdout == f"{tid}  held by Ani\n"
    assert lp("claim", tid, operator="Dewi").stdout == f"{tid}  held by Dewi\n"
    assert commit_subjects(lp.home, 2) == [f"Rina: assign {tid} to Ani", f"Dewi: assign {tid} to Dewi"]
    assert show(lp, tid)["holder"] == "Dewi" and listed(lp)[0]["holder"] == "Dewi"
    assert "Holder:      Dewi\n" in lp("show", tid).stdout
    assert "Ditangani oleh: Dewi" in lp("receipt", tid, "--lang", "id").stdout
    lp("assign", tid, "--to", "")
    assert show(lp, tid)["holder"] is None
    refused = lp("assign", tid, "--to", "", code=1)
    assert refused.stderr == f"Error: ticket {tid} is held by no one: there is nothing to release\n"
    assert git(lp.home, "status", "--porcelain") == ""


def test_a_follow_up_after_the_answer_is_flagged_until_an_officer_acts(lp):
    tid = lp("new", "-q", *PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00").stdout.strip()
    lp("answer", tid, "-m", "Sudah dibuka", "--close", "--at", "2026-08-13T10:00")
    lp("followup", tid, "-m", "Masih terkunci", "--at", "2026-08-14T08:00")
    assert [r["id"] for r in listed(lp, "--flagged")] == [tid]
    assert " closed *  " in lp("list", "--flagged").stdout
    lp("note", tid, "-m", "Dicek", "--at", "2026-08-14T08:10")
    assert show(lp, tid)["flagged"] is True
    lp("reopen", tid, "-m", "Masih terkunci", "--at", "2026-08-14T08:20")
    assert show(lp, tid)["flagged"] is False and listed(lp, "--flagged") == []


def test_a_wrong_channel_and_opening_time_are_corrected_and_deadlines_follow(lp):
    tid = lp("new", "-q", *PHONE, "-s", "Gagal unggah", "-d", "ringan", "--at", "2026-08-13T13:00").stdout.strip()
    refused = lp("edit", tid, "--channel", "surel", code=2)
    assert refused.stderr.startswith("Error: an email ticket needs --email") and refused.stdout == ""
    lp("edit", tid, "--channel", "surel", "--email", "budi@contoh.id", "--created-at", "2026-08-10T09:00")
    d = show(lp, tid)
    assert (d["channel"], d["created_at"], d["due_at"]) == \
        ("email", "2026-08-10T09:00:00+07:00", "2026-08-12T16:00:00+07:00")
    assert d["history"][-1]["changes"]["created_at"]["from"] == "2026-08-13T13:00:00+07:00"
    assert listed(lp)[0]["due_at"] == "2026-08-12T16:00:00+07:00"
    report = json.loads(lp("report", "--month", "2026-08", "-f", "json").stdout)
    assert report["by_channel"]["email"] == 1 and report["by_channel"]["phone"] == 0


def test_a_reply_mail_to_a_closed_ticket_is_flagged_through_import_mail(lp, tmp_path):
    (tmp_path / "first.eml").write_text(
        "From: Siti <siti@penyedia.co.id>\nSubject: Tidak bisa unggah\nDate: Thu, 13 Aug 2026 09:15:00 +0700\n"
        "Message-ID: <first@penyedia.co.id>\n\nDokumen penawaran gagal diunggah.\n", encoding="utf-8")
    (tmp_path / "reply.eml").write_text(
        "From: siti@penyedia.co.id\nSubject: Re: Tidak bisa unggah\nDate: Fri, 14 Aug 2026 11:00:00 +0700\n"
        "Message-ID: <reply@penyedia.co.id>\nIn-Reply-To: <first@penyedia.co.id>\n\nMasih gagal.\n",
        encoding="utf-8")
    tid = lp("import-mail", str(tmp_path / "first.eml")).stdout.split()[0]
    lp("answer", tid, "-m", "Coba peramban lain", "--close", "--at", "2026-08-13T10:00")
    assert listed(lp, "--flagged") == []
    assert lp("import-mail", str(tmp_path / "reply.eml")).stdout.split()[:2] == [tid, "followup"]
    assert [(r["id"], r["status"], r["flagged"]) for r in listed(lp, "--flagged")] == [(tid, "closed", True)]
    assert "after the ticket was closed" in lp("show", tid).stdout
