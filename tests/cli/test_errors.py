"""Every bad input of SPEC §3: one `Error: ...` line, the right exit code, nothing written.

Exit 1: refused, not found, ambiguous, transition not allowed.
Exit 2: bad usage or bad input (missing field, malformed date, out of range).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lpsectl.cli import cli
from tests.conftest import git

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")
AT = "2026-08-13T09:00"


def snapshot(home: Path) -> tuple:
    """Everything a command could have written: HEAD, git status and every file's bytes.

    The index in ``.lpsectl/`` is left out: it is derived, git-ignored, and
    brought up to date by any command that reads it, refused or not.
    """
    files = {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not {".git", ".lpsectl"} & set(p.relative_to(home).parts)
    }
    return git(home, "rev-parse", "HEAD"), git(home, "status", "--porcelain", "--untracked-files=all"), files


def refused(run, helpdesk: Path, code: int, *args: str, **kw):
    """Run a bad command; assert one Error line, exit ``code``, nothing written. Returns the line."""
    before = snapshot(helpdesk)
    result = run(*args, **kw)
    assert result.exit_code == code, f"{args}: exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert snapshot(helpdesk) == before, f"{args} wrote something"
    return lines[0]


def in_minutes(minutes: int) -> str:
    return (datetime.now().astimezone() + timedelta(minutes=minutes)).isoformat(timespec="seconds")


@pytest.fixture
def tid(run) -> str:
    return run.new(*PHONE, "-s", "Lupa password", "--at", AT)


# -- exit 2: bad input to `new` --------------------------------------------

@pytest.mark.parametrize("args, words", [
    (("-c", "fax", "-s", "x"), ["unknown channel 'fax'", "portal", "suggestion-box"]),
    (("-c", "kotak-saran", "-k", "gossip", "-s", "x"), ["unknown kind 'gossip'", "question"]),
    (("-c", "kotak-saran", "-d", "impossible", "-s", "x"), ["unknown difficulty 'impossible'", "easy"]),
    (("-c", "kotak-saran"), ["subject or a message"]),
    (("-c", "kotak-saran", "-s", "  ", "-m", "\n"), ["subject or a message"]),
    (("-c", "surel", "--email", "not-an-address", "-s", "x"), ["not-an-address", "e-mail"]),
    (("-c", "kotak-saran", "-s", "x", "-m", "y", "--message-file", "f.txt"), ["-m or --message-file"]),
    (("-c", "kotak-saran", "-s", "x", "--message-file", "no-such-file.txt"), ["no-such-file.txt"]),
])
def test_new_with_a_bad_value_exits_2_saying_what_is_wrong(run, helpdesk, args, words):
    line = refused(run, helpdesk, 2, "new", *args)
    for word in words:
        assert word in line


@pytest.mark.parametrize("channel, given, missing", [
    ("walk-in", ("--name", "Budi"), ["--address", "--phone"]),
    ("datang-langsung", ("--name", "Budi", "--phone", "0752"), ["--address"]),
    ("phone", (), ["--name", "--phone"]),
    ("whatsapp", ("--phone", "0812"), ["--name"]),
    ("portal", ("--name", "Budi"), ["--account"]),
    ("email", ("--name", "Budi"), ["--email"]),
    ("lapor", (), ["--ref"]),
])
def test_new_without_a_terminal_exits_2_naming_the_missing_identity_fields(run, helpdesk, channel, given, missing):
    line = refused(run, helpdesk, 2, "new", "-c", channel, *given, "-s", "x")
    for field in missing:
        assert field in line
    for field in {"--name", "--address", "--phone", "--account", "--email", "--ref"} - set(missing):
        assert field not in line


def test_a_suggestion_box_slip_needs_no_identity(run):
    assert run.new("-c", "kotak-saran", "-s", "Ruang tunggu panas")


def test_new_on_a_terminal_prompts_for_each_missing_field_on_stderr(run, helpdesk, monkeypatch):
    monkeypatch.setattr("lpsectl.cli.tickets.interactive", lambda: True)
    result = run("new", "-q", "-c", "walk-in", "--name", "Budi", "-s", "Lupa password",
                 input="Jl. Sudirman 12\n0752 92317\n")
    assert result.exit_code == 0, result.stderr
    tid = result.stdout.strip().splitlines()[-1]
    assert "Reporter's address: " in result.stderr and "Reporter's phone: " in result.stderr
    assert "Reporter's name" not in result.stderr
    assert "Reporter's address" not in result.stdout
    shown = run.ok("show", tid, "--json")
    assert '"address": "Jl. Sudirman 12"' in shown and '"phone": "0752 92317"' in shown


def test_new_on_a_terminal_prompts_for_a_subject_when_there_is_no_text(run, monkeypatch):
    monkeypatch.setattr("lpsectl.cli.tickets.interactive", lambda: True)
    result = run("new", "-q", "-c", "kotak-saran", input="Ruang tunggu panas\n")
    assert result.exit_code == 0, result.stderr
    assert "Subject" in result.stderr
    tid = result.stdout.strip().splitlines()[-1]
    assert '"subject": "Ruang tunggu panas"' in run.ok("show", tid, "--json")


def test_new_on_a_terminal_with_an_empty_answer_exits_2_and_writes_nothing(run, helpdesk, monkeypatch):
    monkeypatch.setattr("lpsectl.cli.tickets.interactive", lambda: True)
    before = snapshot(helpdesk)
    result = run("new", "-c", "portal", "-s", "x", input="\n")
    assert "LPSE user account: " in result.stderr
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Error: ") and "--account" in result.stderr
    assert snapshot(helpdesk) == before


def test_ctrl_d_at_a_prompt_aborts_with_one_line_and_nothing_written(run, helpdesk, monkeypatch):
    monkeypatch.setattr("lpsectl.cli.tickets.interactive", lambda: True)
    before = snapshot(helpdesk)
    result = run("new", "-c", "portal", "-s", "x", input="")
    assert result.exit_code == 1
    assert result.stderr.endswith("\nError: aborted; nothing was written\n")
    assert snapshot(helpdesk) == before


# -- exit 2: times ---------------------------------------------------------

@pytest.mark.parametrize("bad", ["2026-13-45", "yesterday", "13/08/2026 25:00", "2026-08-13T09:00+99:00", ""])
def test_a_malformed_at_exits_2(run, helpdesk, tid, bad):
    assert "--at" in refused(run, helpdesk, 2, "new", *PHONE, "-s", "x", "--at", bad)
    assert "--at" in refused(run, helpdesk, 2, "note", tid, "-m", "x", "--at", bad)


def test_an_at_more_than_five_minutes_in_the_future_exits_2(run, helpdesk, tid):
    assert "future" in refused(run, helpdesk, 2, "new", *PHONE, "-s", "x", "--at", in_minutes(10))
    assert "future" in refused(run, helpdesk, 2, "answer", tid, "-m", "x", "--at", in_minutes(10))
    assert "future" in refused(run, helpdesk, 2, "new", *PHONE, "-s", "x", "--at", "2099-01-01")


def test_an_at_a_little_ahead_of_this_clock_is_accepted(run, tid):
    run.ok("note", tid, "-m", "desk clock is behind", "--at", in_minutes(2))


def test_an_at_before_the_tickets_latest_event_exits_2(run, helpdesk, tid):
    run.ok("note", tid, "-m", "later", "--at", "2026-08-13T11:00")
    line = refused(run, helpdesk, 2, "answer", tid, "-m", "x", "--at", "2026-08-13T10:59")
    assert "before the ticket's latest event" in line


@pytest.mark.parametrize("args", [
    ("list", "--since", "2026/08/01"),
    ("list", "--until", "31-31-2026"),
    ("list", "--since", "next week"),
])
def test_a_malformed_filter_date_exits_2(run, helpdesk, tid, args):
    assert "malformed" in refused(run, helpdesk, 2, *args)


# -- exit 2: values out of range --------------------------------------------

@pytest.mark.parametrize("score", ["5", "0", "42", "four", "3.5", ""])
def test_a_rating_outside_1_to_4_exits_2(run, helpdesk, tid, score):
    run.ok("answer", tid, "-m", "Akun dibuka", "--at", "2026-08-13T10:00")
    assert "1 to 4" in refused(run, helpdesk, 2, "rate", tid, score)


def test_a_rating_of_5_is_refused_even_on_a_ticket_that_cannot_be_rated_yet(run, helpdesk, tid):
    assert "1 to 4" in refused(run, helpdesk, 2, "rate", tid, "5")


@pytest.mark.parametrize("args, word", [
    (("list", "--status", "lost"), "unknown status 'lost'"),
    (("list", "--tier", "president"), "unknown tier 'president'"),
    (("list", "--channel", "fax"), "unknown channel 'fax'"),
    (("list", "--kind", "gossip"), "unknown kind 'gossip'"),
    (("list", "--json", "--csv"), "--json or --csv"),
])
def test_a_bad_list_option_exits_2(run, helpdesk, tid, args, word):
    assert word in refused(run, helpdesk, 2, *args)


def test_bad_action_values_exit_2(run, helpdesk, tid):
    assert "unknown resolution 'lost'" in refused(run, helpdesk, 2, "close", tid, "-r", "lost")
    assert "needs -m naming the body" in refused(run, helpdesk, 2, "close", tid, "-r", "referred")
    assert "unknown wait target 'boss'" in refused(run, helpdesk, 2, "wait", tid, "--on", "boss")
    assert "a note needs a message: add -m TEXT" in refused(run, helpdesk, 2, "note", tid)
    assert "an answer needs a message: add -m TEXT" in refused(run, helpdesk, 2, "answer", tid)
    assert "a follow-up needs a message: add -m TEXT" in refused(run, helpdesk, 2, "followup", tid, "-m", "   ")


def test_reopening_without_saying_why_exits_2(run, helpdesk, tid):
    run.ok("answer", tid, "-m", "Akun dibuka")
    assert "reopening needs a message: add -m TEXT" in refused(run, helpdesk, 2, "reopen", tid)


def test_bad_edits_exit_2(run, helpdesk, tid):
    assert "nothing to change" in refused(run, helpdesk, 2, "edit", tid)
    assert "nothing to change" in refused(run, helpdesk, 2, "edit", tid, "--name", "Budi Santoso")
    assert "unknown difficulty" in refused(run, helpdesk, 2, "edit", tid, "--difficulty", "hardest")
    assert "unknown kind" in refused(run, helpdesk, 2, "edit", tid, "--kind", "gossip")
    assert "--difficulty" in refused(run, helpdesk, 2, "edit", tid, "--difficulty", "")
    assert "--phone" in refused(run, helpdesk, 2, "edit", tid, "--phone", "")
    assert "e-mail" in refused(run, helpdesk, 2, "edit", tid, "--email", "nope")


@pytest.mark.parametrize("args, word", [
    (("new", "-s", "x"), "Missing option '--channel'"),
    (("rate",), "Missing argument 'ID'"),
    (("list", "--status"), "requires an argument"),
    (("frobnicate",), "No such command 'frobnicate'"),
    (("list", "--colour"), "No such option '--colour'"),
    (("--lang", "fr", "list"), "'fr'"),
])
def test_click_usage_errors_are_one_line_exit_2(run, helpdesk, tid, args, word):
    assert word in refused(run, helpdesk, 2, *args)


def test_no_operator_anywhere_exits_2_saying_how_to_name_one(run, helpdesk, tid, tmp_path):
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    line = refused(run, helpdesk, 2, "note", tid, "-m", "x", operator=None, env={"GIT_CONFIG_GLOBAL": str(empty)})
    assert "--operator" in line and "LPSECTL_OPERATOR" in line


def test_bare_lpsectl_shows_the_help_without_calling_it_an_error():
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: ") and "Commands:" in result.stderr
    assert not result.stderr.startswith("Error")


# -- ids that try to leave tickets/ ----------------------------------------

ESCAPES = [
    "../../etc/passwd", "2611-ABCDEF/../../x", "/etc/passwd", "..", "../lpsectl",
    "2611-ABCDEF/../../../lpsectl", "..\\..\\windows\\win.ini", "C:\\Windows\\win.ini",
    "2611-ABCDEF\x00", "tickets/2026/08/x", "~/x",
]


@pytest.mark.parametrize("bad", ESCAPES)
def test_an_id_that_tries_to_leave_tickets_is_refused_with_exit_2(run, helpdesk, tid, bad):
    # A file a path trick could reach: it must stay untouched and unread.
    (helpdesk / "x.yaml").write_text("schema: 1\n")
    git(helpdesk, "add", "x.yaml")
    git(helpdesk, "commit", "-q", "-m", "bait")
    for args in (("show", bad), ("note", bad, "-m", "x"), ("log", bad), ("close", bad, "-r", "invalid")):
        assert "is not a ticket id" in refused(run, helpdesk, 2, *args)


def test_an_absolute_path_to_a_real_ticket_file_is_no_id(run, helpdesk, tid):
    path = next(helpdesk.glob(f"tickets/*/*/{tid}.yaml"))
    assert "is not a ticket id" in refused(run, helpdesk, 2, "note", str(path), "-m", "x")


# -- exit 1: not found, ambiguous, refused ---------------------------------

def test_an_unknown_ticket_exits_1_and_says_how_to_find_ids(run, helpdesk, tid):
    line = refused(run, helpdesk, 1, "note", "2608-ZZZZZZ", "-m", "x")
    assert "no ticket '2608-ZZZZZZ'" in line and "lpsectl list --all" in line
    assert "no ticket" in refused(run, helpdesk, 1, "show", "WXYZ")


def test_an_ambiguous_prefix_exits_1_listing_every_match(run, helpdesk):
    a = run.new(*PHONE, "-s", "satu", "--at", AT)
    b = run.new(*PHONE, "-s", "dua", "--at", AT)
    line = refused(run, helpdesk, 1, "note", "2608", "-m", "x")
    assert a in line and b in line and "2 tickets" in line


def test_a_folder_that_is_no_helpdesk_exits_1_saying_to_run_init(run, tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "nowhere"), "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "lpsectl init" in result.stderr
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("setup, args, words", [
    ([("close", "-r", "invalid")], ("escalate",), ["is closed", "cannot escalate", "allowed now: reopen, rate"]),
    ([], ("resume",), ["is open", "cannot resume", "allowed now: answer, escalate"]),
    ([], ("rate", "3"), ["is open", "cannot rate"]),
    ([], ("reopen", "-m", "x"), ["cannot reopen"]),
    ([("escalate",), ("escalate",)], ("escalate",), ["already at LKPP", "answer or close"]),
    ([], ("wait", "--on", "lkpp"), ["only a ticket at LKPP"]),
    ([], ("close",), ["no answer yet", "--resolution"]),
    ([("answer", "-m", "ok")], ("answer", "-m", "again"), ["is answered", "cannot answer"]),
])
def test_a_transition_that_is_not_allowed_exits_1_saying_what_is(run, helpdesk, tid, setup, args, words):
    for step in setup:
        run.ok(step[0], tid, *step[1:])
    line = refused(run, helpdesk, 1, args[0], tid, *args[1:])
    for word in words:
        assert word in line


def test_a_portal_ticket_cannot_be_redirected(run, helpdesk):
    tid = run.new("-c", "portal", "--account", "cv.maju", "-s", "x")
    assert "redirect" in refused(run, helpdesk, 1, "redirect", tid)


def test_a_complaint_is_not_closed_as_answered_before_a_head_note(run, helpdesk):
    tid = run.new(*PHONE, "-k", "pengaduan", "-s", "Petugas tidak ramah")
    assert "--head" in refused(run, helpdesk, 1, "answer", tid, "-m", "Mohon maaf", "--close")
    run.ok("answer", tid, "-m", "Mohon maaf")
    assert "--head" in refused(run, helpdesk, 1, "close", tid)


def test_log_outside_git_says_there_is_no_audit_trail(tmp_path):
    home = tmp_path / "nogit"
    home.mkdir()
    (home / "lpsectl.yaml").write_text("language: id\n")
    runner = CliRunner()
    tid = runner.invoke(cli, ["--home", str(home), "--operator", "Rina", "new", "-q", "-c", "kotak-saran",
                              "-s", "x"]).stdout.strip()
    result = runner.invoke(cli, ["--home", str(home), "log", tid])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "not in a git repository" in result.stderr


# -- damaged tickets are errors, not crashes --------------------------------

def test_acting_on_a_damaged_ticket_exits_1_naming_path_and_line(run, helpdesk, tid):
    path = next(helpdesk.glob(f"tickets/*/*/{tid}.yaml"))
    path.write_text(path.read_text().replace("channel: phone", "channel: fax"))
    git(helpdesk, "commit", "-q", "-am", "break it")
    line = refused(run, helpdesk, 1, "note", tid, "-m", "x")
    assert f"{tid}.yaml:3: unknown channel 'fax'" in line
    assert f"{tid}.yaml:3:" in refused(run, helpdesk, 1, "show", tid)


def test_a_ticket_file_moved_out_of_its_place_is_named_not_a_crash(run, helpdesk, tid):
    path = next(helpdesk.glob(f"tickets/*/*/{tid}.yaml"))
    moved = helpdesk / "tickets" / f"{tid.lower()}.yaml"
    path.rename(moved)
    git(helpdesk, "add", "-A")
    git(helpdesk, "commit", "-q", "-m", "move it")
    line = refused(run, helpdesk, 1, "note", tid[5:9], "-m", "x")
    assert moved.name in line and "belongs in" in line
    assert "belongs in" in refused(run, helpdesk, 1, "show", tid)


# -- internal errors -------------------------------------------------------

def _boom(*args, **kw):
    raise RuntimeError("boom")


def test_an_internal_error_is_one_line_without_a_traceback_and_nothing_written(run, helpdesk, tid, monkeypatch):
    monkeypatch.setattr("lpsectl.workflow.note", _boom)
    line = refused(run, helpdesk, 1, "note", tid, "-m", "x")
    assert "internal error (RuntimeError: boom)" in line and "LPSECTL_DEBUG=1" in line


def test_lpsectl_debug_lets_the_traceback_through(run, helpdesk, tid, monkeypatch):
    monkeypatch.setattr("lpsectl.workflow.note", _boom)
    monkeypatch.setenv("LPSECTL_DEBUG", "1")
    before = snapshot(helpdesk)
    with pytest.raises(RuntimeError, match="boom"):
        run("note", tid, "-m", "x")
    assert snapshot(helpdesk) == before


def test_lpsectl_debug_prints_a_traceback_in_a_real_process(run, helpdesk, tid):
    code = (
        "import sys, lpsectl.workflow as w\n"
        "def boom(*a, **k): raise RuntimeError('boom')\n"
        "w.note = boom\n"
        "from lpsectl.cli import main\n"
        "sys.argv = ['lpsectl', '--home', sys.argv[1], '--operator', 'Rina', 'note', sys.argv[2], '-m', 'x']\n"
        "main()\n"
    )
    for debug, traceback in (("1", True), ("0", False)):
        env = dict(os.environ, LPSECTL_DEBUG=debug)
        proc = subprocess.run([sys.executable, "-c", code, str(helpdesk), tid], env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1
        assert ("Traceback (most recent call last)" in proc.stderr) is traceback
        assert "RuntimeError" in proc.stderr


# -- git refusing the commit ---------------------------------------------------

def test_a_commit_git_refuses_leaves_tickets_and_index_as_before(run, helpdesk, tid):
    git(helpdesk, "config", "commit.gpgsign", "true")
    git(helpdesk, "config", "gpg.program", "false")  # signing fails: git refuses every commit
    assert "could not record the commit (gpg failed" in refused(run, helpdesk, 1, "note", tid, "-m", "not recorded")
    assert "could not record the commit (gpg failed" in refused(run, helpdesk, 1, "new", *PHONE, "-s", "not recorded")
    git(helpdesk, "config", "commit.gpgsign", "false")
    run.ok("note", tid, "-m", "recorded")
    assert "not recorded" not in git(helpdesk, "show", "HEAD")
