"""No reader ever sees half an import: files an unfinished import moved in are left out, `check` names it."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest

from lpsectl.intake import staging
from lpsectl.store import Helpdesk
from tests.conftest import git, ticket_file


def killed_after(monkeypatch, moves: int) -> None:
    """Make the next import die after ``moves`` files, leaving everything as a kill -9 would."""
    real = os.replace
    done = []

    def replace(src, dst):
        if os.path.basename(dst) == staging.MOVED:
            raise KeyboardInterrupt  # every file moved, killed before the marker
        if "files" in str(src):
            if len(done) == moves:
                raise KeyboardInterrupt
            done.append(dst)
        return real(src, dst)

    monkeypatch.setattr(staging.os, "replace", replace)
    monkeypatch.setattr(staging.Staging, "rollback", lambda self: None)
    monkeypatch.setattr(staging.Staging, "discard", lambda self: None)


def journal(home) -> list[str]:
    (folder,) = list((home / ".lpsectl").glob("import-*"))
    return [rel for rel, _ in json.loads((folder / "journal.json").read_text())["entries"]]


def ids(run, *args: str) -> list[str]:
    result = run("list", "--all", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [t["id"] for t in json.loads(result.stdout)]


@pytest.fixture
def killed_import(run, tmp_path, monkeypatch):
    """A helpdesk with one ticket and a CSV import of 20 killed after moving 10 files in."""
    existing = run.new("-c", "kotak-saran", "-m", "Lama")
    csv = tmp_path / "rekap.csv"
    csv.write_text("channel,created_at,subject\n"
                   + "".join(f"suggestion-box,2025-08-{d:02d},saran {d}\n" for d in range(1, 21)))
    with monkeypatch.context() as m:
        killed_after(m, 10)
        assert run("import", str(csv)).exit_code != 0
    entries = journal(run.home)
    assert sum((run.home / rel).exists() for rel in entries) == 10
    return existing, entries


def test_list_report_and_show_leave_out_an_import_killed_while_moving_in(run, killed_import):
    existing, entries = killed_import
    head = git(run.home, "rev-parse", "HEAD")
    assert ids(run) == [existing]
    report = run("report", "--year", "2025", "--format", "json")
    assert report.exit_code == 0 and json.loads(report.stdout)["total"] == 0
    moved = next(rel for rel in entries if (run.home / rel).exists())
    show = run("show", moved.rsplit("/", 1)[1][:-len(".yaml")])
    assert show.exit_code == 1 and "an import is moving it in" in show.stderr
    # Readers wrote nothing: the files are where the killed import left them.
    assert sum((run.home / rel).exists() for rel in entries) == 10
    assert git(run.home, "rev-parse", "HEAD") == head


def test_check_rolls_back_an_import_killed_while_moving_in_and_reports_it(run, killed_import):
    existing, entries = killed_import
    result = run("check")
    assert result.exit_code == 0, "rolled back, nothing is damaged: a note, not a problem"
    assert result.stdout == ""
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("Note:")]
    assert "import-" in line and "import 20 tickets from rekap.csv" in line
    assert "stopped while moving its files in; rolled back now" in line and "run that import again" in line
    assert not any((run.home / rel).exists() for rel in entries)
    assert not list((run.home / ".lpsectl").glob("import-*"))
    assert run("check").exit_code == 0
    assert ids(run) == [existing]


def test_check_names_an_import_still_at_work_and_leaves_its_files_out(run, killed_import):
    existing, entries = killed_import
    hd = Helpdesk(run.home)
    lock = hd.lock_path()
    lock.write_text(f"{os.getpid()} {socket.gethostname()} {time.time():.0f}\n")  # a live lpsectl holds it
    try:
        result = run("check")
    finally:
        lock.unlink()
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert "is moving its files into tickets/, or was stopped doing it; they are left out" in line
    assert "in 1 ticket file(s)" in result.stderr
    assert sum((run.home / rel).exists() for rel in entries) == 10


def test_a_ticket_an_unfinished_import_replaces_is_read_as_it_was(run, tmp_path, monkeypatch):
    tid = run.new("--channel", "email", "--email", "budi@example.test", "-s", "Akun terkunci",
                  "-m", "Tolong", "--at", "2026-08-13T09:00")
    before = ticket_file(run.home, tid).read_text()
    reply = tmp_path / "reply.eml"
    reply.write_text(f"From: budi@example.test\nSubject: Re: [{tid}] Akun terkunci\n"
                     "Date: Thu, 13 Aug 2026 10:00:00 +0700\nMessage-ID: <r1@example.test>\n\nSudah bisa?\n")
    with monkeypatch.context() as m:
        killed_after(m, 1)  # the new version is in place; the import never got to its marker
        assert run("import-mail", str(reply)).exit_code != 0
    assert ticket_file(run.home, tid).read_text() != before
    shown = json.loads(run.ok("show", tid, "--json"))
    assert [e["action"] for e in shown["history"]] == ["open"]
    listed = json.loads(run.ok("list", "--all", "--json"))
    assert [t["id"] for t in listed] == [tid]
    result = run("check")
    assert result.exit_code == 0 and "rolled back now" in result.stderr, result.stderr
    assert ticket_file(run.home, tid).read_text() == before
