"""`lpsectl import-mail`: tickets, follow-ups, attachments, one commit per run."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from lpsectl.store import Helpdesk
from tests.conftest import git

DATA = Path(__file__).resolve().parent.parent / "data" / "mail"


def commits(run) -> int:
    return int(git(run.home, "rev-list", "--count", "HEAD").strip())


def show(run, tid: str) -> dict:
    return json.loads(run.ok("show", tid, "--json"))


def test_a_mailbox_becomes_tickets_in_one_commit_and_unreadable_mails_are_reported(run):
    before = commits(run)
    result = run("import-mail", str(DATA))
    assert result.exit_code == 1
    opened = [line.split()[0] for line in result.stdout.splitlines()]
    assert len(opened) == 11  # 13 mails, 2 without any sender address
    assert all(" opened " in line for line in result.stdout.splitlines())
    err = result.stderr.splitlines()
    assert f"{DATA / 'inbox.mbox'}: message 3: no sender address in From, Reply-To or Sender; skipped" in err
    assert f"{DATA / 'no-from.eml'}: message 1: no sender address in From, Reply-To or Sender; skipped" in err
    assert any(line.startswith(f"Warning: {DATA / 'no-date.eml'}: message 1: no readable Date") for line in err)
    assert err[-1] == "Error: 2 mails could not be read and were skipped (11 new tickets, 0 follow-ups); see the lines above"
    assert commits(run) == before + 1
    assert git(run.home, "status", "--porcelain").strip() == ""
    tickets = {t.refs["message-id"]: t for t in Helpdesk(run.home).load_all().tickets}
    t = tickets["<CAF1qp@mail.penyedia.co.id>"]
    assert (t.channel, t.reporter.name, t.reporter.email) == ("email", "Siti Núrhaliza", "siti@penyedia.co.id")
    assert t.created_at.isoformat() == "2026-08-13T09:15:00+07:00"
    assert t.subject == "Tidak bisa unggah dokumen penawaran" and t.history[0].by == "Rina"
    assert tickets["<nodate@contoh.id>"].created_at.year >= 2026  # the import time
    assert run("check").exit_code == 0


def test_importing_the_same_mail_twice_adds_nothing(run):
    run.ok("import-mail", str(DATA / "qp-utf8.eml"), str(DATA / "no-date.eml"))
    before = commits(run)
    result = run("import-mail", str(DATA / "qp-utf8.eml"), str(DATA / "no-date.eml"))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines() == ["0 new tickets, 0 follow-ups, 2 already imported"]
    assert "already imported as" in run("import-mail", "--verbose", str(DATA / "qp-utf8.eml")).stderr
    assert commits(run) == before
    assert len(list(Helpdesk(run.home).ticket_files())) == 2


def test_a_duplicate_message_id_in_one_run_opens_one_ticket(run, tmp_path):
    raw = (DATA / "qp-utf8.eml").read_bytes()
    (tmp_path / "a.eml").write_bytes(raw)
    (tmp_path / "b.eml").write_bytes(raw.replace(b"Selamat pagi", b"Selamat siang"))
    result = run("import-mail", str(tmp_path / "a.eml"), str(tmp_path / "b.eml"))
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1
    assert len(list(Helpdesk(run.home).ticket_files())) == 1


def test_replies_thread_onto_their_ticket_by_header_or_by_id_in_the_subject(run, tmp_path):
    first = run.ok("import-mail", str(DATA / "qp-utf8.eml")).split()[0]
    (tmp_path / "reply.eml").write_text(
        "From: siti@penyedia.co.id\nSubject: Re: Tidak bisa unggah\nDate: Thu, 13 Aug 2026 11:00:00 +0700\n"
        "Message-ID: <reply-1@penyedia.co.id>\nIn-Reply-To: <lpse-out@payakumbuhkota.go.id>\n"
        "References: <CAF1qp@mail.penyedia.co.id> <lpse-out@payakumbuhkota.go.id>\n\n"
        "Sudah bisa, terima kasih.\n\nOn Thu, 13 Aug 2026 LPSE wrote:\n> Silakan coba lagi\n")
    (tmp_path / "by-id.eml").write_text(
        f"From: Siti <siti@penyedia.co.id>\nSubject: Re: [{first.lower()}] tanya lagi\n"
        "Date: Fri, 14 Aug 2026 08:00:00 +0700\nMessage-ID: <reply-2@penyedia.co.id>\n\nSatu lagi.\n")
    before = commits(run)
    out = run.ok("import-mail", str(tmp_path))
    assert out.splitlines() == [f"{first}  followup  Re: Tidak bisa unggah",
                                f"{first}  followup  Re: [{first.lower()}] tanya lagi"]
    assert commits(run) == before + 1
    history = show(run, first)["history"]
    assert [(e["action"], e["message"], e.get("message-id")) for e in history] == [
        ("open", None, None),
        ("followup", "Sudah bisa, terima kasih.", "<reply-1@penyedia.co.id>"),
        ("followup", "Satu lagi.", "<reply-2@penyedia.co.id>"),
    ]
    # A reply to the reply is known too, and a second run adds nothing.
    assert run.ok("import-mail", str(tmp_path)) == ""


def test_a_reply_ends_a_wait_on_the_reporter(run, tmp_path):
    first = run.ok("import-mail", str(DATA / "qp-utf8.eml")).split()[0]
    run.ok("wait", first, "--on", "reporter", "--at", "2026-08-13T10:00")
    (tmp_path / "r.eml").write_text(
        "From: siti@penyedia.co.id\nSubject: Re: x\nDate: Thu, 13 Aug 2026 11:00:00 +0700\n"
        "Message-ID: <r@x>\nIn-Reply-To: <CAF1qp@mail.penyedia.co.id>\n\nIni datanya.\n")
    run.ok("import-mail", str(tmp_path / "r.eml"))
    assert show(run, first)["status"] == "open"


def test_attachments_are_saved_beside_the_ticket_up_to_the_cap(run):
    cfg = run.home / "lpsectl.yaml"
    cfg.write_text(cfg.read_text().replace("attachment_max_bytes: 10485760", "attachment_max_bytes: 20"))
    git(run.home, "commit", "-qam", "small cap")
    result = run("import-mail", str(DATA / "with-attachment.eml"), str(DATA / "forwarded.eml"))
    assert result.exit_code == 0
    fwd, shots = [line.split()[0] for line in result.stdout.splitlines()]  # in time order
    t = show(run, shots)
    png = b"\x89PNG\r\n\x1a\n"
    stored = f"layar galat-{hashlib.sha256(png).hexdigest()[:12]}.png"  # named by content too
    assert t["attachments"] == [stored]
    assert (t["history"][0]["attachments"], t["history"][0]["attachment_names"]) == ([stored], ["layar galat.png"])
    folder = run.home / "tickets" / "2026" / "08" / "attachments" / shots
    assert sorted(p.name for p in folder.iterdir()) == [stored]
    assert (folder / stored).read_bytes() == png
    assert t["history"][-1]["action"] == "note" and "besar.zip" in t["history"][-1]["message"]
    assert "besar.zip" in result.stderr and "not kept" in result.stderr
    (bukti,) = show(run, fwd)["attachments"]
    assert bukti.startswith("bukti-") and bukti.endswith(".pdf")
    assert (run.home / "tickets" / "2026" / "08" / "attachments" / fwd / bukti).is_file()
    committed = git(run.home, "show", "--name-only", "--format=", "HEAD").split()
    assert f"tickets/2026/08/attachments/{shots}/layar" in " ".join(committed)
    assert git(run.home, "status", "--porcelain").strip() == ""


def test_a_maildir_is_read(run, tmp_path):
    md = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    shutil.copy(DATA / "html-only.eml", md / "new" / "1.host")
    out = run.ok("import-mail", str(md))
    assert out.endswith("opened    Akun terkunci\n")


def test_a_missing_path_is_bad_usage_and_writes_nothing(run, tmp_path):
    before = commits(run)
    result = run("import-mail", str(DATA / "qp-utf8.eml"), str(tmp_path / "nope.mbox"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.mbox'}: no such file or folder\n"
    assert commits(run) == before and list(Helpdesk(run.home).ticket_files()) == []
