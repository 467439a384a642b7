"""Sync against remotes that are no repository, mid-rebase clones, and empty mailboxes."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_errors import snapshot
from tests.conftest import git


def test_sync_with_a_plain_folder_as_remote_says_it_is_no_git_repository(run, helpdesk, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    git(helpdesk, "remote", "add", "origin", str(plain))
    result = run("sync")
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "does not appear to be a git repository" in lines[0], lines[0]


def test_sync_with_an_empty_remote_name_is_bad_usage(run, helpdesk, tmp_path):
    git(helpdesk, "remote", "add", "origin", str(tmp_path / "x.git"))
    result = run("sync", "--remote", "")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no remote ''")


def test_sync_in_the_middle_of_a_rebase_says_so(run, helpdesk, tmp_path):
    git(helpdesk, "remote", "add", "origin", str(tmp_path / "x.git"))
    (Path(helpdesk) / ".git" / "rebase-merge").mkdir()
    git(helpdesk, "checkout", "-q", "--detach")
    result = run("sync")
    assert result.exit_code == 1
    assert "rebase" in result.stderr and "detached" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_sync_on_a_detached_head_does_not_name_a_branch_that_may_not_exist(run, helpdesk, tmp_path):
    git(helpdesk, "remote", "add", "origin", str(tmp_path / "x.git"))
    git(helpdesk, "checkout", "-q", "--detach")
    result = run("sync")
    assert result.exit_code == 1
    assert "detached HEAD" in result.stderr and "git switch main" not in result.stderr


def test_import_mail_of_an_empty_mbox_imports_nothing_and_succeeds(run, helpdesk, tmp_path):
    box = tmp_path / "Inbox.mbox"
    box.write_bytes(b"")
    before = snapshot(helpdesk)
    result = run("import-mail", str(box))
    assert result.exit_code == 0, result.stderr
    assert "0 new tickets" in result.stderr and "Error" not in result.stderr
    assert snapshot(helpdesk) == before


def test_import_mail_still_reports_an_empty_eml_in_a_maildir(run, helpdesk, tmp_path):
    md = tmp_path / "Maildir"
    (md / "new").mkdir(parents=True)
    (md / "cur").mkdir()
    (md / "new" / "1.eml").write_bytes(b"")
    result = run("import-mail", str(md))
    assert result.exit_code == 1
    assert "message 1" in result.stderr
