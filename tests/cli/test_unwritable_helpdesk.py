"""A helpdesk that cannot be written, and stdin that is not there."""

from __future__ import annotations

import shutil


from tests.cli.test_errors import refused


def test_new_when_tickets_is_a_file_is_one_error_and_nothing_written(run, helpdesk):
    shutil.rmtree(helpdesk / "tickets")
    (helpdesk / "tickets").write_text("not a folder\n", encoding="utf-8")
    line = refused(run, helpdesk, 1, "new", "-c", "kotak-saran", "-m", "x")
    assert "cannot write" in line and "internal error" not in line


def test_message_file_dash_with_stdin_closed_is_one_error(run, helpdesk, monkeypatch):
    from lpsectl.cli import tickets

    monkeypatch.setattr(tickets, "_binary_stdin", lambda: None)
    line = refused(run, helpdesk, 2, "new", "-c", "kotak-saran", "--message-file", "-")
    assert "--message-file" in line and "internal error" not in line
