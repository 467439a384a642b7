"""The index, built before an import was killed moving its files in, shows none of it, as the files do."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ticket_file


def listed(run, *args: str) -> list[dict]:
    result = run("list", "--all", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(params=["index", "files"])
def reader(request, monkeypatch):
    """Each test runs against the index and against the files, which must agree."""
    if request.param == "files":
        monkeypatch.setenv("LPSECTL_NO_INDEX", "1")
    return request.param


def test_files_an_unfinished_import_moved_in_stay_out_of_an_index_built_before(run, kill_import, reader):
    existing = run.new("-c", "kotak-saran", "-m", "Lama")
    assert [t["id"] for t in listed(run)] == [existing]  # the index is built now, before the import
    csv, _ = kill_import.csv()  # half of it is in tickets/

    assert [t["id"] for t in listed(run)] == [existing]
    assert [t["id"] for t in listed(run)] == [existing]  # and again, from what the index kept
    report = run("report", "--year", "2025", "--format", "json")
    assert report.exit_code == 0 and json.loads(report.stdout)["total"] == 0

    checked = run("check")  # rolls the import back: nothing is left damaged, and a note says so
    assert checked.exit_code == 0, checked.stderr
    assert "rolled back now" in checked.stderr
    assert [t["id"] for t in listed(run)] == [existing]
    assert run("import", str(csv)).exit_code == 0  # whole this time: every reader sees all of it
    assert len(listed(run)) == 21


def test_a_ticket_an_unfinished_import_replaces_is_indexed_as_it_was(run, kill_import, reader):
    tid = run.new("--channel", "email", "--email", "budi@example.test", "-s", "Akun terkunci",
                  "-m", "Tolong", "--at", "2026-08-13T09:00")
    run.ok("wait", tid, "--on", "reporter", "-m", "Mohon kirim tangkapan layar", "--at", "2026-08-13T09:30")
    (before,) = listed(run)  # the index is built now
    assert before["status"] == "waiting"
    reply = kill_import.reply(tid)
    assert "r1@example.test" in ticket_file(run.home, tid).read_text()

    assert listed(run) == [before]
    assert listed(run) == [before]
    shown = json.loads(run.ok("show", tid, "--json"))
    assert [e["action"] for e in shown["history"]] == ["open", "wait"]
    checked = run("check")  # rolls it back: nothing is left damaged, and a note says so
    assert checked.exit_code == 0, checked.stderr
    assert "rolled back now" in checked.stderr
    assert listed(run) == [before]
    assert run("import-mail", str(reply)).exit_code == 0
    (after,) = listed(run)
    assert after["id"] == tid and after["status"] != "waiting"  # the reply is in: it waits no more
