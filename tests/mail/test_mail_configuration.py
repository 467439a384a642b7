"""The `mail:` section of lpsectl.yaml: validated by key; the password never in the file."""

from __future__ import annotations

import sys

import pytest

from tests.mail.conftest import PASSWORD, USER, configure


def _error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_a_password_in_the_file_is_refused_with_what_to_do(run):
    configure(run.home, "mail:\n  smtp_host: smtp.gmail.com\n  password: hunter2\n")
    result = run("list")
    assert result.exit_code == 2
    line = _error(result)
    assert "mail.password: a password is never kept in the configuration" in line
    assert "LPSECTL_SMTP_PASSWORD" in line and "password_command" in line
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize("text, key, problem", [
    ("mail:\n  smtp_port: 587\n", "mail.smtp_host", "required"),
    ("mail:\n  smtp_host: x\n  security: tls\n", "mail.security", "'tls' is not one of starttls, ssl, none"),
    ("mail:\n  smtp_host: x\n  smtp_port: 70000\n", "mail.smtp_port", "70000 is not a port number"),
    ("mail:\n  smtp_host: x\n  acknowledge: ya\n", "mail.acknowledge", "must be true or false"),
    ("mail:\n  smtp_host: x\n  send_answers: 1\n", "mail.send_answers", "must be true or false"),
    ("mail:\n  smtp_host: x\n  from: not-an-address\n", "mail.from", "is not a plain e-mail address"),
    ("mail:\n  smtp_host: x\n  smtp_user: budi\n", "mail.smtp_user", "unknown key"),
    ("mail:\n  smtp_host: x\n  timeout: 0\n", "mail.timeout", "not a number of seconds"),
    ("mail:\n  smtp_host: x\n  password_command: []\n", "mail.password_command", "must be a command"),
    ("mail: smtp.gmail.com\n", "mail", "must be a mapping"),
])
def test_a_bad_value_names_its_key(run, text, key, problem):
    configure(run.home, text)
    result = run("list")
    assert result.exit_code == 2
    line = _error(result)
    assert f"lpsectl.yaml: {key}: " in line and problem in line and line.endswith("fix lpsectl.yaml")


def test_the_port_follows_the_security_by_default(tmp_path):
    from lpsectl.config import from_dict

    for security, port in (("starttls", 587), ("ssl", 465), ("none", 25)):
        cfg = from_dict({"mail": {"smtp_host": "smtp.gmail.com", "security": security}})
        assert cfg.mail is not None and cfg.mail.smtp_port == port


def test_without_a_mail_section_nothing_is_configured():
    from lpsectl.config import from_dict

    assert from_dict({}).mail is None


def test_the_password_command_runs_as_an_argument_list_never_a_shell(run, smtp, tmp_path):
    server = smtp("starttls", auth=True)
    # The password is the command's last argument, printed back: a shell would
    # have run the $( ) and printed something else.
    trap = tmp_path / "pwned"
    script = "import sys; print(sys.argv[1])"
    argv = [sys.executable, "-c", script, f"$(touch {trap})"]
    configure(run.home, server.mail_yaml() + "  password_command: [" + ", ".join(f"'{a}'" for a in argv) + "]\n")
    result = run("mail", "test", env={"LPSECTL_SMTP_PASSWORD": None})
    # The server wants PASSWORD, so the login is refused with the literal text as password.
    assert result.exit_code == 1 and "authentication failed" in result.stderr
    assert not trap.exists()


def test_the_password_command_gives_the_password(run, smtp, tmp_path):
    server = smtp("starttls", auth=True)
    secret = tmp_path / "secret.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    script = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    configure(run.home, server.mail_yaml() + f"  password_command: ['{sys.executable}', '-c', \"{script}\", '{secret}']\n")
    run.ok("mail", "test", env={"LPSECTL_SMTP_PASSWORD": None})
    assert server.received[0].mail_from == USER


def test_a_failing_password_command_is_one_error(run, smtp):
    server = smtp("starttls", auth=True)
    configure(run.home, server.mail_yaml() + f"  password_command: ['{sys.executable}', '-c', 'raise SystemExit(3)']\n")
    result = run("mail", "test", env={"LPSECTL_SMTP_PASSWORD": None})
    assert result.exit_code == 1
    assert "password_command" in _error(result) and "exit 3" in result.stderr
    assert server.received == []


def test_a_username_without_any_password_says_where_to_put_it(run, smtp):
    server = smtp("starttls", auth=True)
    configure(run.home, server.mail_yaml())
    result = run("mail", "test", env={"LPSECTL_SMTP_PASSWORD": None})
    assert result.exit_code == 2
    assert _error(result) == ("Error: mail.username is set but there is no password: set LPSECTL_SMTP_PASSWORD "
                              "or mail.password_command in lpsectl.yaml")


def test_an_unreadable_cafile_is_named(run, smtp, tmp_path):
    server = smtp("starttls")
    configure(run.home, server.mail_yaml().replace(str(server.cafile), str(tmp_path / "missing.pem")))
    result = run("mail", "test")
    assert result.exit_code == 2
    assert _error(result).startswith(f"Error: mail.cafile {tmp_path / 'missing.pem'}: cannot be read")


def test_a_relative_cafile_is_read_beside_lpsectl_yaml(run, smtp):
    server = smtp("starttls")
    (run.home / "office-ca.pem").write_bytes(server.cafile.read_bytes())
    configure(run.home, server.mail_yaml().replace(str(server.cafile), "office-ca.pem"))
    run.ok("mail", "test")
    assert len(server.received) == 1


def test_without_from_or_office_email_sending_says_which_to_set(run, smtp):
    server = smtp("none")
    configure(run.home, server.mail_yaml().replace(f"  from: {USER}\n", ""))
    result = run("mail", "test")
    assert result.exit_code == 2
    assert _error(result) == ("Error: mail test needs a sender address: set mail.from or office.email "
                              "in lpsectl.yaml")
