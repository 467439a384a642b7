"""Ticket files that differ from git: `check` names each with what to do, sync puts them right."""

from __future__ import annotations

from tests.conftest import git, ticket_file
from tests.e2e.test_sync import assert_converged, desks, remote, settle  # noqa: F401 (fixtures)

AT = "2026-08-13T09:00"


def check_lines(run) -> list[str]:
    result = run("check")
    assert result.exit_code == 1, result.stderr
    return result.stdout.splitlines() + result.stderr.splitlines()


def uncommit(home, tid: str) -> None:
    """As an interrupted command of an older version left it: the file there, git without it."""
    git(home, "reset", "-q", "--soft", "HEAD~1")
    git(home, "rm", "-q", "--cached", str(ticket_file(home, tid).relative_to(home)))


def test_check_names_a_ticket_file_git_does_not_have_and_says_how_to_commit_it(run, helpdesk):
    tid = run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    uncommit(helpdesk, tid)
    [line] = [ln for ln in check_lines(run) if tid in ln]
    assert "not committed to git" in line and "lpsectl sync" in line


def test_check_names_a_file_behind_git_and_a_file_missing_from_the_folder(run, helpdesk):
    behind = run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    old = ticket_file(helpdesk, behind).read_bytes()
    run.ok("note", behind, "-m", "tercatat")
    ticket_file(helpdesk, behind).write_bytes(old)
    missing = run.new("-c", "kotak-saran", "-m", "y", "--at", AT)
    ticket_file(helpdesk, missing).unlink()
    lines = check_lines(run)
    [b] = [ln for ln in lines if behind in ln]
    [m] = [ln for ln in lines if missing in ln]
    assert "behind git" in b and "checkout HEAD --" in b
    assert "in git but missing" in m and "checkout HEAD --" in m


def test_check_names_a_ticket_file_edited_by_hand(run, helpdesk):
    tid = run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    path = ticket_file(helpdesk, tid)
    path.write_text(path.read_text(encoding="utf-8").replace("message: x", "message: diubah"), encoding="utf-8")
    [line] = [ln for ln in check_lines(run) if tid in ln]
    assert "changed but not committed" in line


def test_sync_commits_a_ticket_left_uncommitted_and_restores_files_behind_git(desks):
    a, b, _ = desks
    loose = a.new("Tidak tercatat")
    uncommit(a.root, loose)
    behind = a.new("Tertinggal")
    old = ticket_file(a.root, behind).read_bytes()
    a.ok("note", behind, "-m", "sudah di git")
    ticket_file(a.root, behind).write_bytes(old)
    missing = a.new("Hilang")
    ticket_file(a.root, missing).unlink()

    out = a.sync()

    assert f"committed  {loose}" in out
    assert f"restored   {behind}" in out and f"restored   {missing}" in out
    assert "sudah di git" in a.ok("show", behind)
    assert a.ok("check") == "" and a.git("status", "--porcelain") == ""
    settle(desks)
    assert_converged(desks)
    assert loose in b.ok("list") and missing in b.ok("list")
