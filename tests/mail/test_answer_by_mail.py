"""`answer` mails the answer first and records it only once the server took it (SPEC §4.3)."""

from __future__ import annotations

import json
import quopri
import subprocess
from datetime import datetime, timezone
from email.utils import format_datetime, make_msgid

import pytest

from tests.conftest import git, ticket_file
from tests.mail.conftest import USER, configure

ANSWER = "Akun Anda sudah dibuka kembali — silakan masuk dengan “kata sandi” baru. Terima kasih, Bu Désirée."
ORIGINAL_ID = "<CAF-asli-123@mail.example.co.id>"


def _mail_ticket(run, tmp_path, subject: str = "Gagal unggah dokumen penawaran") -> str:
    eml = tmp_path / "in.eml"
    eml.write_bytes(
        "From: Désirée Putri <desiree@penyedia.co.id>\r\n"
        "To: helpdesk@lpse.example.go.id\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 31 Aug 2026 09:15:00 +0700\r\n"
        f"Message-ID: {ORIGINAL_ID}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Dokumen saya gagal diunggah.\r\n".encode("utf-8"))
    out = run.ok("import-mail", str(eml))
    return out.split()[0]


def _history(run, tid: str) -> list[dict]:
    return json.loads(run.ok("show", tid, "--json"))["history"]


def _head(home) -> str:
    return git(home, "rev-parse", "HEAD").strip()


def test_the_answer_is_mailed_threaded_in_utf8_and_its_message_id_recorded(run, smtp, tmp_path):
    server = smtp("starttls")
    tid = _mail_ticket(run, tmp_path)
    configure(run.home, server.mail_yaml(send_answers="true"))
    out = run.ok("answer", tid, "-m", ANSWER)
    assert out == f"{tid}  answered at helpdesk\n{tid}  answer mailed to desiree@penyedia.co.id\n"
    [got] = server.received
    assert got.mail_from == USER and got.rcpt_tos == ["desiree@penyedia.co.id"]
    raw = got.data
    # Headers as they went over the wire.
    assert f"\r\nSubject: Re: [{tid}] Gagal unggah dokumen penawaran\r\n".encode() in raw
    assert f"\r\nIn-Reply-To: {ORIGINAL_ID}\r\n".encode() in raw
    assert f"\r\nReferences: {ORIGINAL_ID}\r\n".encode() in raw
    assert b'\r\nContent-Type: text/plain; charset="utf-8"\r\n' in raw
    assert b"\r\nContent-Transfer-Encoding: quoted-printable\r\n" in raw
    assert all(b < 0x80 for b in raw)  # 7-bit on the wire: no server can mangle it
    assert b"=E2=80=94" in raw  # the dash, as UTF-8 bytes in quoted-printable
    body_bytes = quopri.decodestring(raw.split(b"\r\n\r\n", 1)[1])
    assert ANSWER.encode("utf-8") in body_bytes  # byte for byte, once the transfer encoding is undone
    msg = got.message
    assert msg["To"].addresses[0].display_name == "Désirée Putri"
    body = msg.get_content()
    assert ANSWER in body  # intact after decoding
    assert tid in body and f"[{tid}]" in body and "balas surel ini" in body  # how to reply, in Bahasa Indonesia
    # Recorded: the answer, with the Message-ID the server received.
    answer = _history(run, tid)[-1]
    assert answer["action"] == "answer" and answer["message"] == ANSWER
    assert answer["sent_message_id"] == msg["Message-ID"]
    assert "(mailed)" in run.ok("show", tid).split("History:")[1]
    assert f"sent_message_id: '{msg['Message-ID']}'" in ticket_file(run.home, tid).read_text(encoding="utf-8") \
        or f"sent_message_id: {msg['Message-ID']}" in ticket_file(run.home, tid).read_text(encoding="utf-8")
    run.ok("check")


def test_the_answer_speaks_english_for_an_english_helpdesk(run, smtp, tmp_path):
    server = smtp("none")
    tid = _mail_ticket(run, tmp_path)
    configure(run.home, server.mail_yaml(send_answers="true"), language="en")
    run.ok("answer", tid, "-m", "Done.")
    body = server.received[0].message.get_content()
    assert "simply reply to this e-mail" in body and f"report number {tid}" in body


def test_a_reply_to_the_mailed_answer_threads_back_as_a_followup(run, smtp, tmp_path):
    server = smtp("none")
    tid = _mail_ticket(run, tmp_path)
    configure(run.home, server.mail_yaml(send_answers="true"))
    run.ok("answer", tid, "-m", ANSWER)
    sent_id = server.received[0].message["Message-ID"]
    reply = tmp_path / "reply.eml"
    # The reporter's mail program dropped the [ID] from the subject and the first mail from
    # References: only the answer's Message-ID links the reply to the ticket.
    reply.write_bytes(
        "From: desiree@penyedia.co.id\r\nSubject: terima kasih\r\n"
        f"Date: {format_datetime(datetime.now(timezone.utc))}\r\n"
        f"Message-ID: {make_msgid(domain='penyedia.co.id')}\r\nIn-Reply-To: {sent_id}\r\n"
        f"References: {sent_id}\r\n\r\nSudah bisa, terima kasih.\r\n".encode())
    out = run.ok("import-mail", str(reply))
    assert out == f"{tid}  followup  terima kasih\n"
    last = _history(run, tid)[-1]
    assert last["action"] == "followup" and last["message"] == "Sudah bisa, terima kasih."


def test_no_send_records_without_mailing(run, smtp, tmp_path):
    server = smtp("none")
    tid = _mail_ticket(run, tmp_path)
    configure(run.home, server.mail_yaml(send_answers="true"))
    assert run.ok("answer", tid, "-m", "Sudah.", "--no-send") == f"{tid}  answered at helpdesk\n"
    assert server.received == []
    assert "sent_message_id" not in _history(run, tid)[-1]


def test_send_mails_even_when_send_answers_is_off(run, smtp):
    server = smtp("none")
    configure(run.home, server.mail_yaml())
    tid = run.new("-c", "telepon", "--name", "Budi", "--phone", "0812 3456 789", "--email", "budi@example.co.id",
                  "-s", "Lupa password")
    run.ok("answer", tid, "-m", "Sudah direset.")
    assert server.received == []  # send_answers false: not by default
    tid2 = run.new("-c", "telepon", "--name", "Budi", "--phone", "0812 3456 789", "--email", "budi@example.co.id",
                   "-s", "Lupa password lagi")
    run.ok("answer", tid2, "-m", "Sudah direset lagi.", "--send")
    [got] = server.received
    assert got.message["Subject"] == f"Re: [{tid2}] Lupa password lagi"
    assert got.message["In-Reply-To"] is None  # it did not come by mail: nothing to thread on


@pytest.mark.parametrize("mail_section, args, error", [
    (True, ["-c", "telepon", "--name", "Budi", "--phone", "0812"],
     "has no e-mail address to send to"),
    (False, ["-c", "surel", "--email", "budi@example.co.id"],
     "--send needs the office's mail server: add a `mail:` section"),
])
def test_send_that_cannot_be_done_is_refused_before_anything_is_recorded(run, smtp, mail_section, args, error):
    server = smtp("none")
    if mail_section:
        configure(run.home, server.mail_yaml())
    tid = run.new(*args, "-s", "Tanya")
    before = ticket_file(run.home, tid).read_bytes(), _head(run.home)
    result = run("answer", tid, "-m", "Jawaban", "--send")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ") and error in result.stderr
    assert (ticket_file(run.home, tid).read_bytes(), _head(run.home)) == before
    assert server.received == []


@pytest.mark.parametrize("failure, expected", [
    ("reject", "the mail server refused the recipient desiree@penyedia.co.id: 550 5.1.1"),
    ("drop", "closed the connection before the mail was accepted"),
])
def test_a_failed_send_records_nothing(run, smtp, tmp_path, failure, expected):
    server = smtp("none", reject=("desiree@penyedia.co.id",) if failure == "reject" else (),
                  drop_in_data=failure == "drop")
    tid = _mail_ticket(run, tmp_path)
    configure(run.home, server.mail_yaml(send_answers="true"))
    before = ticket_file(run.home, tid).read_bytes(), _head(run.home)
    result = run("answer", tid, "-m", ANSWER)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0]
    assert (ticket_file(run.home, tid).read_bytes(), _head(run.home)) == before
    assert _history(run, tid)[-1]["action"] == "open"
    assert server.received == []


def test_an_answer_that_is_not_allowed_is_not_mailed(run, smtp, tmp_path):
    server = smtp("none")
    tid = _mail_ticket(run, tmp_path)
    configure(run.home, server.mail_yaml(send_answers="true"))
    run.ok("answer", tid, "-m", "Pertama", "--no-send")
    result = run("answer", tid, "-m", "Kedua")
    assert result.exit_code == 1 and "cannot answer it" in result.stderr
    assert server.received == []


def test_the_helpdesk_template_overrides_the_answer_text(run, smtp, tmp_path):
    server = smtp("none")
    tid = _mail_ticket(run, tmp_path)
    configure(run.home, server.mail_yaml(send_answers="true"))
    (run.home / "templates").mkdir()
    (run.home / "templates" / "answer.txt.j2").write_text(
        "Nomor {{ ticket.id }}: {{ answer }}\n-- {{ office.name }}\n", encoding="utf-8")
    run.ok("answer", tid, "-m", "Selesai.")
    assert server.received[0].message.get_content().replace("\r\n", "\n") == f"Nomor {tid}: Selesai.\n-- LPSE Kota Payakumbuh\n"


def test_the_answer_template_is_sandboxed(run, smtp, tmp_path):
    server = smtp("none")
    tid = _mail_ticket(run, tmp_path)
    configure(run.home, server.mail_yaml(send_answers="true"))
    (run.home / "templates").mkdir()
    (run.home / "templates" / "answer.txt.j2").write_text(
        "{{ answer.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    before = ticket_file(run.home, tid).read_bytes()
    result = run("answer", tid, "-m", "Selesai.")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: templates/answer.txt.j2:1: ") and "unsafe" in result.stderr
    assert server.received == [] and ticket_file(run.home, tid).read_bytes() == before


def test_the_installed_lpsectl_mails_and_records_an_answer(helpdesk, smtp, tmp_path, lpsectl_cmd):
    server = smtp("ssl")
    configure(helpdesk, server.mail_yaml(send_answers="true"))
    env_run = dict(cwd=helpdesk, capture_output=True, text=True, env={**__import__("os").environ,
                                                                       "LPSECTL_OPERATOR": "Rina"})
    opened = subprocess.run([*lpsectl_cmd, "new", "-q", "-c", "surel", "--email", "budi@example.co.id",
                             "-s", "Status penawaran"], **env_run)
    assert opened.returncode == 0, opened.stderr
    tid = opened.stdout.strip()
    done = subprocess.run([*lpsectl_cmd, "answer", tid, "-m", ANSWER], **env_run)
    assert done.returncode == 0, done.stderr
    [got] = server.received
    shown = json.loads(subprocess.run([*lpsectl_cmd, "show", tid, "--json"], **env_run).stdout)
    assert shown["history"][-1]["sent_message_id"] == got.message["Message-ID"]
    assert got.message.get_content().count(ANSWER) == 1
    log = git(helpdesk, "log", "-1", "--format=%an %s")
    assert log == f"Rina answer {tid}\n"
