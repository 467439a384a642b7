"""Recording on a detached HEAD is refused: the commit would be on no branch and lost."""

from __future__ import annotations

from tests.cli.test_errors import refused
from tests.conftest import git

AT = "2026-08-13T09:00"


def test_new_on_a_detached_head_is_refused_and_says_how_to_get_back(run, helpdesk):
    run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    git(helpdesk, "checkout", "-q", "--detach")
    line = refused(run, helpdesk, 1, "new", "-c", "kotak-saran", "-m", "y")
    assert "detached HEAD" in line and "git switch" in line and "nothing was written" in line


def test_every_recording_command_is_refused_on_a_detached_head(run, helpdesk, tmp_path):
    tid = run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    git(helpdesk, "checkout", "-q", "--detach")
    refused(run, helpdesk, 1, "note", tid, "-m", "catatan")
    refused(run, helpdesk, 1, "answer", tid, "-m", "jawaban")
    csv = tmp_path / "rekap.csv"
    csv.write_text("channel,created_at,subject\nsuggestion-box,2026-08-13,Ruang tunggu panas\n", encoding="utf-8")
    refused(run, helpdesk, 1, "import", str(csv))


def test_back_on_the_branch_recording_works_and_lands_on_it(run, helpdesk):
    run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    git(helpdesk, "checkout", "-q", "--detach")
    refused(run, helpdesk, 1, "new", "-c", "kotak-saran", "-m", "y")
    git(helpdesk, "switch", "-q", "-")
    tid = run.new("-c", "kotak-saran", "-m", "y")
    assert tid in git(helpdesk, "log", "-1", "--format=%s", "main")
