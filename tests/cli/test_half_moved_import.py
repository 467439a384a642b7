"""No reader ever sees half an import: files an unfinished import moved in are left out, `check` names it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import git, ticket_file


def ids(run, *args: str) -> list[str]:
    result = run("list", "--all", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [t["id"] for t in json.loads(result.stdout)]


@pytest.fixture
def killed_import(run, kill_import):
    """A helpdesk with one ticket and a CSV import of 20 killed after moving 10 files in."""
    existing = run.new("-c", "kotak-saran", "-m", "Lama")
    _, entries = kill_import.csv()
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


def test_check_names_an_import_still_at_work_and_leaves_its_files_out(run, killed_import, kill_import):
    existing, entries = killed_import
    with kill_import.still_at_work():
        result = run("check")
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert "is moving its files into tickets/, or was stopped doing it; they are left out" in line
    assert "in 1 ticket file(s)" in result.stderr
    assert sum((run.home / rel).exists() for rel in entries) == 10


def test_a_ticket_an_unfinished_import_replaces_is_read_as_it_was(run, kill_import):
    tid = run.new("--channel", "email", "--email", "budi@example.test", "-s", "Akun terkunci",
                  "-m", "Tolong", "--at", "2026-08-13T09:00")
    before = ticket_file(run.home, tid).read_text()
    kill_import.reply(tid)
    assert ticket_file(run.home, tid).read_text() != before
    shown = json.loads(run.ok("show", tid, "--json"))
    assert [e["action"] for e in shown["history"]] == ["open"]
    listed = json.loads(run.ok("list", "--all", "--json"))
    assert [t["id"] for t in listed] == [tid]
    result = run("check")
    assert result.exit_code == 0 and "rolled back now" in result.stderr, result.stderr
    assert ticket_file(run.home, tid).read_text() == before
