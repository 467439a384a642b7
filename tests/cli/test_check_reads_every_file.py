"""`check` parses every ticket file itself, in several processes when there are many."""

from __future__ import annotations

import shutil

from tests.conftest import ticket_file

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def damaged_helpdesk(run) -> list[str]:
    ids = [run.new(*PHONE, "-s", f"Tiket {i}", "--at", f"2026-08-1{i}T09:00") for i in range(4)]
    (run.home / "tickets" / "2026" / "08" / "2608-BRKNAA.yaml").write_text("id: [\n", encoding="utf-8")
    (run.home / "tickets" / "2026" / "07").mkdir(parents=True, exist_ok=True)
    shutil.copy(ticket_file(run.home, ids[0]), run.home / "tickets" / "2026" / "07" / f"{ids[0]}.yaml")
    path = ticket_file(run.home, ids[1])
    path.write_text(path.read_text().replace("status: open", "status: closed"))
    return ids


def test_check_in_several_processes_finds_what_one_process_finds(run, monkeypatch):
    from lpsectl import checks

    damaged_helpdesk(run)
    one = run("check")
    monkeypatch.setattr(checks, "PARALLEL_FROM", 1)
    several = run("check")
    assert one.exit_code == several.exit_code == 1
    assert one.stdout == several.stdout and one.stderr == several.stderr
    text = one.stdout + one.stderr
    assert "2608-BRKNAA.yaml:" in text and "belongs in" in text and "duplicate id" in text
    assert "status says 'closed' but the history says 'open'" in text


def test_check_does_not_trust_the_index(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("list")  # the index now holds the ticket as healthy
    path = ticket_file(run.home, tid)
    path.write_text(path.read_text().replace("channel: phone", "channel: fax"))
    result = run("check")
    assert result.exit_code == 1
    assert "unknown channel 'fax'" in result.stdout + result.stderr


def test_check_in_several_processes_reads_only_regular_files_and_leaves_out_an_import_at_work(
        run, monkeypatch, kill_import):
    import os

    from lpsectl import checks

    ids = [run.new(*PHONE, "-s", f"Tiket {i}", "--at", f"2026-08-1{i}T09:00") for i in range(2)]
    link = ticket_file(run.home, ids[0]).parent / "2608-ZZZZZZ.yaml"
    os.symlink(ticket_file(run.home, ids[0]), link)  # a ticket's text behind it: still never read
    kill_import.csv(rows=4, moves=2)
    with kill_import.still_at_work():
        one = run("check")
        monkeypatch.setattr(checks, "PARALLEL_FROM", 1)
        monkeypatch.setattr(checks.os, "cpu_count", lambda: 2)
        several = run("check")
    assert one.exit_code == several.exit_code == 1
    assert one.stdout == several.stdout and one.stderr == several.stderr
    lines = several.stdout.splitlines()
    assert any("2608-ZZZZZZ.yaml:1: not a regular file (a symbolic link)" in ln for ln in lines), lines
    assert not any("tickets/2025/" in ln for ln in lines), lines  # the import's files: left out
    assert any("is moving its files into tickets/" in ln for ln in lines), lines
