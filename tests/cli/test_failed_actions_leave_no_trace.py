"""An action that reports failure leaves no trace in the ticket, whatever else fails.

git records the commit first; the ticket file is written only once the
branch holds it. These tests make git's commit fail, the file write fail,
and the ways back fail too, and look at the file, the index and HEAD.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
import yaml

from lpsectl import store
from tests.cli.test_errors import refused, snapshot
from tests.conftest import git, ticket_file

AT = "2026-08-13T09:00"


def failing_git(tmp_path: Path, monkeypatch, *subcommands: str) -> None:
    """Put a `git` on PATH that fails the given subcommands (as a full disk would) and runs the rest."""
    real = None
    for d in os.environ["PATH"].split(os.pathsep):
        if os.access(os.path.join(d, "git"), os.X_OK):
            real = os.path.join(d, "git")
            break
    assert real is not None
    bindir = tmp_path / "failing-bin"
    bindir.mkdir(exist_ok=True)
    cases = "|".join(subcommands)
    script = bindir / "git"
    script.write_text(
        "#!/bin/sh\n"
        f'case "$1" in {cases}) echo "fatal: unable to write object: No space left on device" >&2; exit 128;; esac\n'
        f'exec "{real}" "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")


def failing_writes(monkeypatch, after: int = 0) -> list[Path]:
    """Make every atomic write after the first ``after`` fail with a full disk; the paths tried."""
    real = store.atomic_write
    tried: list[Path] = []

    def write(path: Path, data: bytes) -> None:
        tried.append(path)
        if len(tried) > after:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(store, "atomic_write", write)
    return tried


def notes(home: Path, tid: str) -> list[str]:
    history = yaml.safe_load(ticket_file(home, tid).read_text(encoding="utf-8"))["history"]
    return [e.get("message") for e in history if e["action"] == "note"]


def test_a_commit_that_fails_while_the_way_back_fails_too_leaves_the_ticket_as_it_was(
        run, helpdesk, tmp_path, monkeypatch):
    tid = run.new("-c", "kotak-saran", "-m", "Ruang tunggu panas", "--at", AT)
    before = snapshot(helpdesk)
    failing_git(tmp_path, monkeypatch, "commit", "fast-import", "commit-tree")
    failing_writes(monkeypatch, after=1)  # the save may land; putting the old bytes back fails

    result = run("note", tid, "-m", "dicatat sekali")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert snapshot(helpdesk) == before  # file bytes, index and HEAD as they were


def test_a_retry_after_a_failed_commit_records_the_note_once(run, helpdesk, tmp_path, monkeypatch):
    tid = run.new("-c", "kotak-saran", "-m", "Ruang tunggu panas", "--at", AT)
    with monkeypatch.context() as m:
        failing_git(tmp_path, m, "commit", "fast-import", "commit-tree")
        failing_writes(m, after=1)
        assert run("note", tid, "-m", "dicatat sekali").exit_code == 1
    run.ok("note", tid, "-m", "dicatat sekali")
    assert notes(helpdesk, tid) == ["dicatat sekali"]
    assert git(helpdesk, "status", "--porcelain") == ""
    assert git(helpdesk, "log", "-1", "--format=%s").startswith(f"note {tid}")


def test_a_new_ticket_whose_commit_fails_leaves_no_file(run, helpdesk, tmp_path, monkeypatch):
    before = snapshot(helpdesk)
    failing_git(tmp_path, monkeypatch, "commit", "fast-import", "commit-tree")
    failing_writes(monkeypatch, after=1)
    result = run("new", "-c", "kotak-saran", "-m", "tidak tercatat")
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
    assert snapshot(helpdesk) == before


def test_a_file_that_cannot_be_written_takes_the_commit_back(run, helpdesk, monkeypatch):
    tid = run.new("-c", "kotak-saran", "-m", "Ruang tunggu panas", "--at", AT)
    before = snapshot(helpdesk)
    failing_writes(monkeypatch)
    line = refused(run, helpdesk, 1, "note", tid, "-m", "tidak tercatat")
    assert "No space left on device" in line and "nothing was recorded" in line
    assert snapshot(helpdesk) == before
    assert "tidak tercatat" not in git(helpdesk, "log", "-p")


def test_when_neither_the_file_nor_the_way_back_can_be_written_the_error_says_it_is_recorded(
        run, helpdesk, tmp_path, monkeypatch):
    tid = run.new("-c", "kotak-saran", "-m", "Ruang tunggu panas", "--at", AT)
    path = ticket_file(helpdesk, tid)
    old = path.read_bytes()
    with monkeypatch.context() as m:
        failing_git(tmp_path, m, "update-ref")  # taking the commit back fails as well
        failing_writes(m)
        result = run("note", tid, "-m", "pertama")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert "is recorded in git" in line and f"the next command on {tid} brings the file up to date" in line
    assert f"git -C {helpdesk} checkout HEAD -- {path.relative_to(helpdesk)}" in line  # cwd is elsewhere
    assert path.read_bytes() == old  # the file is whole: the old one
    assert "pertama" in git(helpdesk, "show", f"HEAD:{path.relative_to(helpdesk).as_posix()}")


def test_the_next_action_on_a_file_one_commit_behind_git_builds_on_every_recorded_event(run, helpdesk):
    tid = run.new("-c", "kotak-saran", "-m", "Ruang tunggu panas", "--at", AT)
    path = ticket_file(helpdesk, tid)
    old = path.read_bytes()
    run.ok("note", tid, "-m", "pertama")
    path.write_bytes(old)  # as an action killed after its commit, before its write, leaves it
    run.ok("note", tid, "-m", "kedua")
    assert notes(helpdesk, tid) == ["pertama", "kedua"]
    assert git(helpdesk, "status", "--porcelain") == ""


@pytest.mark.parametrize("action", [("note", "-m", "x"), ("answer", "-m", "x"), ("escalate",)])
def test_every_recording_command_refuses_a_ticket_file_edited_behind_gits_back(run, helpdesk, action):
    tid = run.new("-c", "kotak-saran", "-m", "Ruang tunggu panas", "--at", AT)
    path = ticket_file(helpdesk, tid)
    path.write_text(path.read_text(encoding="utf-8").replace("Ruang tunggu panas", "Diubah"), encoding="utf-8")
    line = refused(run, helpdesk, 1, action[0], tid, *action[1:])
    assert "not what git last recorded" in line


def test_an_index_git_cannot_update_after_the_record_is_a_warning_with_the_fix(run, helpdesk, monkeypatch):
    from lpsectl.gitrepo import GitError, GitRepo

    tid = run.new("-c", "kotak-saran", "-m", "Ruang tunggu panas", "--at", AT)

    def locked_index(self, paths):
        raise GitError("git's index is locked by .git/index.lock")

    monkeypatch.setattr(GitRepo, "stage", locked_index)
    result = run("note", tid, "-m", "tercatat")
    assert result.exit_code == 0, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("Warning: ") and "is recorded" in line and "reset -q --" in line
    assert notes(helpdesk, tid) == ["tercatat"]
    assert "tercatat" in git(helpdesk, "show", "HEAD")


def test_an_action_commit_takes_the_dates_set_for_git(run, helpdesk, monkeypatch):
    tid = run.new("-c", "kotak-saran", "-m", "Ruang tunggu panas", "--at", AT)
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-09-01T09:00:00+07:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-09-02T10:00:00+07:00")
    run.ok("note", tid, "-m", "bertanggal")
    assert git(helpdesk, "log", "-1", "--format=%aI %cI") == "2026-09-01T09:00:00+07:00 2026-09-02T10:00:00+07:00\n"
