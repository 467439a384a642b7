"""Guarantee 14: nothing anyone wrote runs, leaves its folder, becomes an option, leaks or drives the terminal.

"Anyone" is a reporter (subject, message, mail headers, attachment
names), a desk that shares a hostile ticket or template through git, or a
hand-edited configuration. Every test plants a marker file that any code
run from the hostile text would create, and proves it is never created.
"""

from __future__ import annotations

import json
import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import git
from tests.guarantees.conftest import dirty, tickets_on_disk

PWNED = "PWNED"


def pwned(where: Path) -> Path:
    """The file hostile code below would make (absolute: wherever it runs from)."""
    return where / PWNED


def files_outside(home: Path, allowed: Path) -> list[str]:
    """Files the repository sees changed outside ``allowed`` (relative to home)."""
    out = []
    for line in git(home, "status", "--porcelain", "--untracked-files=all").splitlines():
        path = line[3:].strip('"')
        if not path.startswith(allowed.as_posix()):
            out.append(path)
    return out


# -- no code runs --------------------------------------------------------------------

def test_no_yaml_tag_in_a_ticket_file_runs_code_in_any_command(run, helpdesk, tmp_path):
    tid = run.new("-c", "suggestion-box", "-s", "healthy")
    marker = pwned(tmp_path)
    hostile = helpdesk / "tickets" / "2026" / "08" / "2608-HACKED.yaml"
    hostile.parent.mkdir(parents=True, exist_ok=True)
    hostile.write_text(
        "schema: 1\nid: 2608-HACKED\nchannel: !!python/object/apply:os.system\n"
        f"  - touch '{marker}'\nsubject: !!python/object/new:subprocess.Popen [[touch, '{marker}']]\n",
        encoding="utf-8")
    for args in (("check",), ("list", "--all"), ("list", "--json"), ("list", "--csv"), ("show", "2608-HACKED"),
                 ("show", tid, "--json"), ("note", tid, "-m", "x"), ("report", "--month", "2026-08"),
                 ("report", "--year", "2026", "--format", "json")):
        result = run(*args)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (args, result.stderr)
    assert not marker.exists()
    assert "2608-HACKED" in run("check").stdout  # named as damage, never read as a ticket


def test_no_yaml_tag_in_the_configuration_runs_code(run, helpdesk, tmp_path):
    marker = pwned(tmp_path)
    config = helpdesk / "lpsectl.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f"\nhostile: !!python/object/apply:os.system [\"touch '{marker}'\"]\n", encoding="utf-8")
    result = run("list")
    assert result.exit_code != 0 and result.stderr.startswith("Error: ") and "internal error" not in result.stderr
    assert not marker.exists()


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{% if c.__name__ == 'Popen' %}"
    "{{ c(['touch', 'MARKER']) }}{% endif %}{% endfor %}",
    "{{ config.__class__.__init__.__globals__['os'].system('touch MARKER') }}",
    "{{ range.__self__.__import__('os').system('touch MARKER') }}",
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_no_jinja2_sandbox_escape_in_a_template_runs_code(run, helpdesk, tmp_path, escape):
    tid = run.new("-c", "suggestion-box", "-s", "a slip")
    marker = pwned(tmp_path)
    templates = helpdesk / "templates"
    templates.mkdir(exist_ok=True)
    text = escape.replace("MARKER", str(marker))
    for name in ("report.md.j2", "receipt.txt.j2"):
        (templates / name).write_text(text + "\n", encoding="utf-8")
    for args in (("report",), ("receipt", tid)):
        result = run(*args)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
        assert result.exit_code in (0, 1, 2)
    assert not marker.exists()


# -- nothing leaves its folder ---------------------------------------------------------

HOSTILE_IDS = ["../../../etc/passwd", "/etc/passwd", "..", "2608-ABCD/../../x", "C:\\Windows\\x", "c:x",
               "2608-ABCD\x00.yaml", "\\\\server\\share", "2608-ABCD/", "~root", "2608-ABC%2F..%2F"]


@pytest.mark.parametrize("tid", HOSTILE_IDS)
def test_an_id_that_tries_to_leave_tickets_is_bad_input_and_touches_nothing(run, helpdesk, tid):
    run.new("-c", "suggestion-box", "-s", "a slip")
    for args in (("show", tid), ("note", tid, "-m", "x"), ("log", tid), ("receipt", tid)):
        result = run(*args)
        assert result.exit_code in (1, 2), (args, result.exit_code, result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and "internal error" not in lines[0], lines
    assert dirty(helpdesk) == ""


def mail_with_attachments(names: list[str]) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Budi <budi@example.test>"
    msg["Subject"] = "Dokumen penawaran"
    msg["Message-ID"] = "<att@example.test>"
    msg["Date"] = "Thu, 13 Aug 2026 09:00:00 +0700"
    msg.set_content("Terlampir.")
    for i, name in enumerate(names):
        msg.add_attachment(f"file {i}".encode(), maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


ATTACHMENT_NAMES = ["../../../../evil.txt", "/etc/cron.d/evil", "..\\..\\evil.bat", "C:\\Windows\\evil.dll",
                    "c:evil", "..", ".", "", "nul.txt", "CON", ".git", ".gitattributes", "a/../../b", "ok.pdf\x00.exe",
                    "~/.bashrc", "x" * 400 + ".pdf", "\u202eexe.pdf", "-rf", "--upload-pack=touch PWNED"]


def test_no_attachment_name_leaves_the_tickets_attachment_folder(run, helpdesk, tmp_path):
    path = tmp_path / "hostile.eml"
    path.write_bytes(mail_with_attachments(ATTACHMENT_NAMES))
    outside = tmp_path.parent
    before = {p for p in outside.rglob("*")}
    result = run("import-mail", str(path))
    assert result.exit_code == 0, result.stderr
    (tid,) = tickets_on_disk(helpdesk)
    ticket = next(helpdesk.glob(f"tickets/*/*/{tid}.yaml"))
    folder = ticket.parent / "attachments" / tid
    kept = list(folder.iterdir())
    assert len(kept) == len(ATTACHMENT_NAMES) and all(p.is_file() for p in kept), sorted(p.name for p in kept)
    made = {p for p in outside.rglob("*") if p.is_file()} - before
    stray = [p for p in made if p != ticket and p.parent != folder
             and not p.is_relative_to(helpdesk / ".git") and not p.is_relative_to(helpdesk / ".lpsectl")]
    assert not stray, stray
    assert json.loads(run.ok("show", tid, "--json"))["id"] == tid and run("check").exit_code == 0


@pytest.mark.parametrize("include", ["../lpsectl.yaml", "/etc/passwd", "../../../../etc/passwd", "..\\lpsectl.yaml",
                                     "C:/Windows/win.ini", "report.md.j2\x00"])
def test_a_template_cannot_reach_a_file_outside_the_template_folders(run, helpdesk, include):
    templates = helpdesk / "templates"
    templates.mkdir()
    (templates / "report.md.j2").write_text(f"{{% include {include!r} %}}\n", encoding="utf-8")
    result = run("report")
    assert result.exit_code in (1, 2) and result.stderr.startswith("Error: "), (result.exit_code, result.stderr)
    assert "internal error" not in result.stderr and "root:" not in result.stdout + result.stderr
    assert "office:" not in result.stdout


# -- no field becomes a git option -----------------------------------------------------------------

OPTIONS_AS_TEXT = "--upload-pack=touch {m}", "-c", "core.pager=touch {m}", "--exec=touch {m}", "-", "--", "--help"


def test_a_ticket_field_starting_with_a_dash_is_text_never_a_git_option(run, helpdesk, tmp_path):
    marker = pwned(tmp_path)
    values = [v.format(m=marker) for v in OPTIONS_AS_TEXT]
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(helpdesk, "remote", "add", "origin", str(remote))
    ids = []
    start = int(git(helpdesk, "rev-list", "--count", "HEAD"))
    for v in values:
        tid = run.new("-c", "walk-in", "--name", v, "--address", v, "--phone", v, "--subject", v, "-m", v,
                      "--category", v, "--role", v, "--ref", v)
        run.ok("note", tid, "-m", v)
        run.ok("escalate", tid, "-m", v, "--ref", v)
        ids.append(tid)
    run.ok("sync")
    for tid, v in zip(ids, values):
        got = json.loads(run.ok("show", tid, "--json"))
        assert (got["subject"], got["message"], got["reporter"]["name"], got["history"][-1]["message"]) == (v,) * 4
        run.ok("log", tid)
    run.ok("report", "--format", "csv")
    assert not marker.exists()
    assert int(git(helpdesk, "rev-list", "--count", "HEAD")) == start + 3 * len(values), "one commit per action"


def test_an_operator_name_starting_with_a_dash_is_recorded_as_the_author(run, helpdesk, tmp_path):
    marker = pwned(tmp_path)
    name = f"--author=x --exec=touch {marker}"
    tid = run.new("-c", "suggestion-box", "-s", "slip", operator=name)
    assert git(helpdesk, "log", "-1", "--format=%an").strip() == name
    assert json.loads(run.ok("show", tid, "--json"))["history"][0]["by"] == name
    assert not marker.exists()


# -- --public carries nothing personal ------------------------------------------------------------

PERSONAL = {
    "name": "Siti Rahmawati Zulkarnain", "address": "Jalan Kenanga Rahasia 17", "phone": "0812 9988 7766",
    "email": "siti.rahasia@example.test", "account": "akun_rahasia_siti", "role": "PenyediaRahasia",
}
WRITTEN = {"subject": "Perihal rahasia pribadi", "message": "Isi pesan rahasia pribadi",
           "answer": "Jawaban rahasia petugas", "note": "Catatan rahasia internal",
           "ref": "LAPOR-RAHASIA-4471", "attachment": "ktp-siti-rahasia.pdf"}


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_public_reports_carry_no_personal_value_and_no_written_text_in_any_format(run, helpdesk, tmp_path, fmt):
    tid = run.new("-c", "walk-in", *[x for k, v in PERSONAL.items() for x in (f"--{k}", v)],
                  "--subject", WRITTEN["subject"], "-m", WRITTEN["message"], "--ref", WRITTEN["ref"],
                  "--category", "login", "--at", "2026-08-13T09:00")
    run.ok("note", tid, "-m", WRITTEN["note"], "--at", "2026-08-13T10:00")
    run.ok("answer", tid, "-m", WRITTEN["answer"], "--at", "2026-08-13T11:00")
    mail = tmp_path / "m.eml"
    msg = EmailMessage()
    msg["From"] = f"{PERSONAL['name']} <{PERSONAL['email']}>"
    msg["Subject"] = WRITTEN["subject"]
    msg["Message-ID"] = "<rahasia-mid@example.test>"
    msg["Date"] = "Thu, 13 Aug 2026 09:00:00 +0700"
    msg.set_content(WRITTEN["message"])
    msg.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename=WRITTEN["attachment"])
    mail.write_bytes(msg.as_bytes())
    run.ok("import-mail", str(mail))
    secrets = [*PERSONAL.values(), *WRITTEN.values(), "rahasia-mid", "99887766", "9988 7766"]
    for period in (("--month", "2026-08"), ("--year", "2026"), ("--from", "2026-08-01", "--to", "2026-08-31")):
        out = tmp_path / f"public.{fmt}"
        run.ok("report", *period, "--format", fmt, "--public", "-o", str(out))
        text = out.read_text(encoding="utf-8")
        stdout = run.ok("report", *period, "--format", fmt, "--public")
        assert json.loads(run.ok("report", *period, "--format", "json", "--public"))["total"] == 2
        for secret in secrets:
            for where in (text, stdout):
                assert secret.casefold() not in where.casefold(), (fmt, period, secret)
                assert re.sub(r"\W", "", secret).casefold() not in re.sub(r"\W", "", where).casefold() or \
                    len(re.sub(r"\W", "", secret)) < 8, (fmt, period, secret)


# -- nothing a reporter wrote drives the terminal ---------------------------------------------------

CONTROLS = ["\x1b[2J", "\x1b]0;owned\x07", "\x9b31m", "\x1bP+q\x1b\\", "\x08\x08\x08", "\r", "\x00", "\x7f",
            "\u202e", "\x1b[6n"]


def test_nothing_a_reporter_wrote_reaches_the_terminal_as_a_control_character(run, helpdesk, tmp_path):
    hostile = "".join(f"x{c}" for c in CONTROLS) + "x"
    tid = run.new("-c", "walk-in", "--name", hostile, "--address", hostile, "--phone", "0752" + hostile,
                  "--subject", hostile, "-m", hostile, "--category", hostile)
    run.ok("note", tid, "-m", hostile)
    msg = EmailMessage()
    msg["From"] = "Budi <budi@example.test>"
    msg["Subject"] = hostile.replace("\r", "")
    msg["Message-ID"] = "<ctl@example.test>"
    msg.set_content(hostile)
    mail = tmp_path / "ctl.eml"
    mail.write_bytes(msg.as_bytes())
    outputs = {"import-mail": run("import-mail", str(mail))}
    for args in (("show", tid), ("list",), ("list", "--all", "--search", "x"), ("log", tid), ("receipt", tid),
                 ("report",), ("show", hostile), ("note", hostile, "-m", "x")):
        outputs[" ".join(args[:2])] = run(*args)
    for what, result in outputs.items():
        for stream in (result.stdout, result.stderr):
            bad = sorted({f"{ord(c):#x}" for c in stream
                          if (ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"})
            assert not bad, (what, bad, stream[:300])
    assert "\\x1b[2J" in outputs[f"show {tid}"].stdout, "shown, as \\xNN"
