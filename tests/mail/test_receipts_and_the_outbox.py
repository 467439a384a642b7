"""Receipts by mail for new tickets; a failed one waits in the outbox and is sent at most once."""

from __future__ import annotations

import json

from tests.conftest import git, ticket_file
from tests.mail.conftest import USER, closed_port, configure


def _outbox_files(home):
    return sorted((home / ".lpsectl" / "outbox").glob("*.json"))


def test_a_new_email_ticket_gets_its_receipt_by_mail(run, smtp):
    server = smtp("starttls")
    configure(run.home, server.mail_yaml(acknowledge="true"))
    result = run("new", "-q", "-c", "surel", "--email", "siti@penyedia.co.id", "--name", "Siti",
                 "-s", "Gagal unggah penawaran")
    assert result.exit_code == 0
    tid = result.stdout.strip()
    assert result.stderr == f"{tid}  receipt mailed to siti@penyedia.co.id\n"
    [got] = server.received
    assert got.rcpt_tos == ["siti@penyedia.co.id"]
    msg = got.message
    assert msg["Subject"] == f"[{tid}] Tanda terima pengaduan: Gagal unggah penawaran"
    assert msg["Auto-Submitted"] == "auto-replied"  # RFC 3834: no auto-reply comes back
    body = msg.get_content()
    assert "TANDA TERIMA PENGADUAN" in body and tid in body and "Siti" in body
    assert _outbox_files(run.home) == []


def test_no_receipt_when_acknowledge_is_off_or_the_channel_is_not_email(run, smtp):
    server = smtp("none")
    configure(run.home, server.mail_yaml(acknowledge="false"))
    run.new("-c", "surel", "--email", "siti@penyedia.co.id", "-s", "Tanya")
    assert server.received == []
    cfg = run.home / "lpsectl.yaml"
    cfg.write_text(cfg.read_text().replace("acknowledge: false", "acknowledge: true"))
    run.new("-c", "telepon", "--name", "Budi", "--phone", "0812", "--email", "budi@example.co.id", "-s", "Tanya")
    assert server.received == []  # a phone ticket: only with --acknowledge


def test_acknowledge_sends_the_receipt_for_any_ticket_with_an_email(run, smtp):
    server = smtp("none")
    configure(run.home, server.mail_yaml())
    tid = run.new("-c", "datang-langsung", "--name", "Budi", "--address", "Jl. Sudirman 1", "--phone", "0812",
                  "--email", "budi@example.co.id", "-s", "Konsultasi", "--acknowledge")
    [got] = server.received
    assert got.message["Subject"] == f"[{tid}] Tanda terima pengaduan: Konsultasi"


def test_acknowledge_without_an_address_or_mail_setup_records_nothing(run, smtp):
    before = git(run.home, "rev-parse", "HEAD")
    result = run("new", "-c", "telepon", "--name", "Budi", "--phone", "0812", "-s", "Tanya", "--acknowledge")
    assert result.exit_code == 2 and result.stderr.startswith("Error: --acknowledge needs the office's mail server")
    server = smtp("none")
    configure(run.home, server.mail_yaml())
    result = run("new", "-c", "telepon", "--name", "Budi", "--phone", "0812", "-s", "Tanya", "--acknowledge")
    assert result.exit_code == 2
    assert result.stderr == "Error: --acknowledge mails the receipt: give the reporter's --email\n"
    assert git(run.home, "rev-parse", "HEAD") == before
    assert not list(run.home.glob("tickets/*/*/*.yaml"))


def test_a_failed_receipt_leaves_the_ticket_recorded_and_waits_in_the_outbox(run):
    port = closed_port()
    configure(run.home, f"mail:\n  smtp_host: 127.0.0.1\n  smtp_port: {port}\n  security: none\n"
                        f"  from: {USER}\n  acknowledge: true\n")
    result = run("new", "-q", "-c", "surel", "--email", "siti@penyedia.co.id", "-s", "Tanya")
    assert result.exit_code == 0
    tid = result.stdout.strip()
    why = f"cannot connect to 127.0.0.1:{port}: connection refused; check mail.smtp_host and mail.smtp_port"
    assert result.stderr == (f"Warning: {tid}: the receipt was not sent ({why}); it waits in the outbox: "
                             "`lpsectl outbox --retry` sends it\n")
    assert ticket_file(run.home, tid).is_file()
    assert f"open {tid}" in git(run.home, "log", "-1", "--format=%s")
    listing = run.ok("outbox")
    assert listing.splitlines()[0].split() == ["id", "what", "to", "state", "why"]
    assert listing.splitlines()[2].split()[:4] == [tid, "receipt", "siti@penyedia.co.id", "failed"]
    assert why in listing
    # Per-desk state, never committed.
    assert git(run.home, "status", "--porcelain", "--ignored", ".lpsectl") == "!! .lpsectl/\n"


def _queue_one_failed(run, smtp):
    """A receipt that failed (server down), then the server up on that port."""
    server = smtp("none")
    configure(run.home, server.mail_yaml(acknowledge="true"))
    cfg = run.home / "lpsectl.yaml"
    good = cfg.read_text()
    cfg.write_text(good.replace(f"smtp_port: {server.port}", f"smtp_port: {closed_port()}"))
    tid = run.new("-c", "surel", "--email", "siti@penyedia.co.id", "-s", "Tanya")
    cfg.write_text(good)
    assert server.received == [] and len(_outbox_files(run.home)) == 1
    return server, tid


def test_retry_sends_the_same_mail_once_and_empties_the_outbox(run, smtp):
    server, tid = _queue_one_failed(run, smtp)
    queued = json.loads(_outbox_files(run.home)[0].read_text())
    assert run.ok("outbox", "--retry") == f"{tid}  receipt sent to siti@penyedia.co.id\n"
    [got] = server.received
    assert got.message["Message-ID"] == queued["message_id"]  # stable: the very mail that was queued
    assert got.data.replace(b"\r\n", b"\n") == queued["data"].encode().replace(b"\r\n", b"\n")
    assert _outbox_files(run.home) == []
    result = run("outbox", "--retry")
    assert result.exit_code == 0 and result.stderr == "Nothing to send.\n"
    assert len(server.received) == 1  # never twice


def test_a_mail_left_sending_is_not_resent_blindly(run, smtp):
    server, tid = _queue_one_failed(run, smtp)
    path = _outbox_files(run.home)[0]
    entry = json.loads(path.read_text())
    entry["state"] = "sending"  # as a desk that died after the server's 250 leaves it
    path.write_text(json.dumps(entry))
    run.ok("outbox", "--retry")
    assert server.received == []
    assert "interrupted while sending: it may have gone out" in run.ok("outbox")
    run.ok("outbox", "--retry", "--unsure")
    assert len(server.received) == 1 and _outbox_files(run.home) == []


def test_a_recipient_refused_again_stays_in_the_outbox(run, smtp):
    server, tid = _queue_one_failed(run, smtp)
    server.handler.reject.add("siti@penyedia.co.id")
    result = run("outbox", "--retry")
    assert result.exit_code == 1
    assert "receipt not sent: the mail server refused the recipient siti@penyedia.co.id: 550" in result.stderr
    [path] = _outbox_files(run.home)
    entry = json.loads(path.read_text())
    assert entry["state"] == "failed" and entry["tries"] == 2


def test_drop_gives_up_a_mail(run, smtp):
    server, tid = _queue_one_failed(run, smtp)
    assert run.ok("outbox", "--drop", tid) == f"{tid}  receipt dropped (not sent)\n"
    assert _outbox_files(run.home) == []
    run.ok("outbox", "--retry")
    assert server.received == []


def test_import_mail_acknowledges_each_new_ticket_but_no_automatic_mail(run, smtp, tmp_path):
    server = smtp("none")
    configure(run.home, server.mail_yaml(acknowledge="true"))
    person = tmp_path / "a.eml"
    person.write_bytes(b"From: Siti <siti@penyedia.co.id>\r\nSubject: Gagal login\r\n"
                       b"Date: Mon, 31 Aug 2026 09:15:00 +0700\r\nMessage-ID: <orig-1@penyedia.co.id>\r\n\r\n"
                       b"Tidak bisa login.\r\n")
    robot = tmp_path / "b.eml"
    robot.write_bytes(b"From: Siti <siti@penyedia.co.id>\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n"
                      b"Date: Mon, 31 Aug 2026 09:20:00 +0700\r\nMessage-ID: <auto-1@penyedia.co.id>\r\n\r\n"
                      b"Saya sedang cuti.\r\n")
    out = run.ok("import-mail", str(person), str(robot))
    ids = [line.split()[0] for line in out.splitlines()]
    assert len(ids) == 2
    [got] = server.received  # the out-of-office reply gets no receipt: no mail loop
    assert got.message["Subject"] == f"[{ids[0]}] Tanda terima pengaduan: Gagal login"
    assert got.message["In-Reply-To"] == "<orig-1@penyedia.co.id>"
    # A follow-up is not a new ticket: no second receipt.
    reply = tmp_path / "c.eml"
    reply.write_bytes(f"From: siti@penyedia.co.id\r\nSubject: Re: [{ids[0]}] Gagal login\r\n"
                      "Date: Mon, 31 Aug 2026 10:00:00 +0700\r\nMessage-ID: <r-1@penyedia.co.id>\r\n\r\n"
                      "Tambahan.\r\n".encode())
    run.ok("import-mail", str(reply))
    assert len(server.received) == 1


def test_import_mail_with_the_server_down_records_the_tickets_and_queues_the_receipts(run, tmp_path):
    port = closed_port()
    configure(run.home, f"mail:\n  smtp_host: 127.0.0.1\n  smtp_port: {port}\n  security: none\n"
                        f"  from: {USER}\n  acknowledge: true\n")
    eml = tmp_path / "a.eml"
    eml.write_bytes(b"From: siti@penyedia.co.id\r\nSubject: Tanya\r\nMessage-ID: <q-1@penyedia.co.id>\r\n"
                    b"Date: Mon, 31 Aug 2026 09:15:00 +0700\r\n\r\nHalo.\r\n")
    result = run("import-mail", str(eml))
    assert result.exit_code == 0
    tid = result.stdout.split()[0]
    assert "the receipt was not sent (cannot connect" in result.stderr
    assert ticket_file(run.home, tid).is_file()
    assert run.ok("outbox").splitlines()[2].split()[:2] == [tid, "receipt"]
