"""The index, built before an import was killed moving its files in, shows none of it, as the files do."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_half_moved_import import journal, killed_after
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


def test_files_an_unfinished_import_moved_in_stay_out_of_an_index_built_before(run, tmp_path, monkeypatch, reader):
    existing = run.new("-c", "kotak-saran", "-m", "Lama")
    assert [t["id"] for t in listed(run)] == [existing]  # the index is built now, before the import
    csv = tmp_path / "rekap.csv"
    csv.write_text("channel,created_at,subject\n"
                   + "".join(f"suggestion-box,2025-08-{d:02d},saran {d}\n" for d in range(1, 21)))
    with monkeypatch.context() as m:
        killed_after(m, 10)
        assert run("import", str(csv)).exit_code != 0
    assert 0 < sum((run.home / rel).exists() for rel in journal(run.home)) < 20  # half of it is in tickets/

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


def test_a_ticket_an_unfinished_import_replaces_is_indexed_as_it_was(run, tmp_path, monkeypatch, reader):
    tid = run.new("--channel", "email", "--email", "budi@example.test", "-s", "Akun terkunci",
                  "-m", "Tolong", "--at", "2026-08-13T09:00")
    run.ok("wait", tid, "--on", "reporter", "-m", "Mohon kirim tangkapan layar", "--at", "2026-08-13T09:30")
    (before,) = listed(run)  # the index is built now
    assert before["status"] == "waiting"
    reply = tmp_path / "reply.eml"
    reply.write_text(f"From: budi@example.test\nSubject: Re: [{tid}] Akun terkunci\n"
                     "Date: Thu, 13 Aug 2026 10:00:00 +0700\nMessage-ID: <r1@example.test>\n\nSudah bisa?\n")
    with monkeypatch.context() as m:
        killed_after(m, 1)  # the new version is in place; the import never got to its marker
        assert run("import-mail", str(reply)).exit_code != 0
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
