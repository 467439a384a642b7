"""Recording while git is in the middle of a rebase or a merge."""

from __future__ import annotations

from tests.cli.test_errors import refused
from tests.conftest import git

AT = "2026-08-13T09:00"


# -- recording while git is in the middle of something ---------------------------------

def test_an_action_during_a_rebase_is_refused_and_nothing_written(run, helpdesk):
    tid = run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    (helpdesk / ".git" / "rebase-merge").mkdir()
    line = refused(run, helpdesk, 1, "note", tid, "-m", "catatan")
    assert "rebase" in line
    refused(run, helpdesk, 1, "new", "-c", "kotak-saran", "-m", "y")
    assert git(helpdesk, "status", "--porcelain") == ""
