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
