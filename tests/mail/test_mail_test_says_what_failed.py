"""`lpsectl mail test` sends one message, or says in one line what failed (exit 1)."""

from __future__ import annotations

import pytest

from tests.mail.conftest import PASSWORD, USER, closed_port, configure


def _one_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_the_test_message_reaches_the_server_over_each_security(run, smtp, security):
    server = smtp(security)
    configure(run.home, server.mail_yaml())
    out = run.ok("mail", "test", "--to", "budi@example.co.id")
    assert out == f"Sent a test message to budi@example.co.id through 127.0.0.1:{server.port} ({security})\n"
    [got] = server.received
    assert got.rcpt_tos == ["budi@example.co.id"]
    assert got.mail_from == USER
    assert got.message["To"] == "budi@example.co.id"
    assert "test message from lpsectl" in got.message.get_content()


def test_the_test_message_goes_to_the_sender_by_default(run, smtp):
    server = smtp("none")
    configure(run.home, server.mail_yaml())
    run.ok("mail", "test")
    assert server.received[0].rcpt_tos == [USER]


def test_the_sender_defaults_to_the_office_address(run, smtp):
    server = smtp("none")
    text = server.mail_yaml().replace(f"  from: {USER}\n", "")
    configure(run.home, text, office_email="lpse@payakumbuhkota.go.id")
    run.ok("mail", "test")
    got = server.received[0]
    assert got.mail_from == "lpse@payakumbuhkota.go.id"
    assert got.rcpt_tos == ["lpse@payakumbuhkota.go.id"]
    assert got.message["From"].addresses[0].addr_spec == "lpse@payakumbuhkota.go.id"


def test_login_with_the_password_from_the_environment(run, smtp):
    server = smtp("starttls", auth=True)
    configure(run.home, server.mail_yaml())
    run.ok("mail", "test")
    assert len(server.received) == 1


def test_a_wrong_password_is_an_authentication_failure(run, smtp):
    server = smtp("starttls", auth=True)
    configure(run.home, server.mail_yaml())
    result = run("mail", "test", env={"LPSECTL_SMTP_PASSWORD": "salah"})
    assert result.exit_code == 1
    line = _one_error(result)
    assert line.startswith(f"Error: authentication failed: the mail server 127.0.0.1:{server.port} refused "
                           f"the login of '{USER}'")
    assert "salah" not in result.stderr and PASSWORD not in result.stderr
    assert server.received == []


def test_a_closed_port_is_a_refused_connection(run):
    port = closed_port()
    configure(run.home, f"mail:\n  smtp_host: 127.0.0.1\n  smtp_port: {port}\n  security: none\n  from: {USER}\n")
    result = run("mail", "test")
    assert result.exit_code == 1
    assert _one_error(result) == (f"Error: cannot connect to 127.0.0.1:{port}: connection refused; "
                                  "check mail.smtp_host and mail.smtp_port")


def test_an_untrusted_certificate_is_a_tls_failure(run, smtp):
    server = smtp("starttls", trusted=False)  # no mail.cafile: the throw-away CA is unknown
    configure(run.home, server.mail_yaml())
    result = run("mail", "test")
    assert result.exit_code == 1
    line = _one_error(result)
    assert line.startswith(f"Error: TLS: the certificate of 127.0.0.1:{server.port} cannot be trusted")
    assert "mail.cafile" in line
    assert server.received == []


def test_starttls_against_a_server_without_it_is_a_tls_failure(run, smtp):
    server = smtp("none")
    configure(run.home, server.mail_yaml().replace("security: none", "security: starttls"))
    result = run("mail", "test")
    assert result.exit_code == 1
    assert _one_error(result).startswith(f"Error: TLS: the mail server 127.0.0.1:{server.port} does not offer STARTTLS")


def test_ssl_against_a_plain_server_is_a_tls_failure(run, smtp):
    server = smtp("none")
    configure(run.home, server.mail_yaml().replace("security: none", "security: ssl"))
    result = run("mail", "test")
    assert result.exit_code == 1
    assert _one_error(result).startswith(f"Error: TLS with 127.0.0.1:{server.port} failed")


def test_a_rejected_recipient_is_named(run, smtp):
    server = smtp("none", reject=("nobody@example.co.id",))
    configure(run.home, server.mail_yaml())
    result = run("mail", "test", "--to", "nobody@example.co.id")
    assert result.exit_code == 1
    assert _one_error(result) == ("Error: the mail server refused the recipient nobody@example.co.id: "
                                  "550 5.1.1 <nobody@example.co.id>: Recipient address rejected: User unknown")
    assert server.received == []


def test_a_server_that_never_answers_is_a_timeout(run, silent_port):
    configure(run.home, f"mail:\n  smtp_host: 127.0.0.1\n  smtp_port: {silent_port}\n  security: none\n"
                        f"  from: {USER}\n  timeout: 0.5\n")
    result = run("mail", "test")
    assert result.exit_code == 1
    assert _one_error(result) == (f"Error: timeout: the mail server 127.0.0.1:{silent_port} did not answer "
                                  "within 0.5 seconds; check mail.smtp_host, mail.smtp_port and the network")


def test_a_connection_dropped_in_data_says_nothing_was_delivered(run, smtp):
    server = smtp("none", drop_in_data=True)
    configure(run.home, server.mail_yaml())
    result = run("mail", "test")
    assert result.exit_code == 1
    assert _one_error(result) == (f"Error: the mail server 127.0.0.1:{server.port} closed the connection before "
                                  "the mail was accepted; nothing was delivered, try again")
    assert server.handler.data_started == 1


def test_mail_test_without_a_mail_section_says_how_to_set_it_up(run):
    result = run("mail", "test")
    assert result.exit_code == 2
    assert _one_error(result).startswith("Error: mail test needs the office's mail server: add a `mail:` section")
