"""Commands read unchanged tickets from the cache, and the cache never shows in git."""

from __future__ import annotations

import json
import time

import pytest

from lpsectl import cache
from tests.conftest import git

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")



@pytest.fixture(autouse=True)
def later(monkeypatch) -> None:
    """Commands run a minute after the tickets were written: old enough to cache."""
    monkeypatch.setattr(cache, "now_ns", lambda: time.time_ns() + 60_000_000_000)


def test_a_second_list_parses_no_ticket_and_prints_the_same(run, parses):
    for i in range(3):
        run.new(*PHONE, "-s", f"Lupa password {i}", "--at", f"2026-08-1{i + 3}T09:00")
    parses.clear()
    first = run.ok("list", "--all", "--json")
    assert len(parses) == 3
    parses.clear()
    assert run.ok("list", "--all", "--json") == first
    assert parses == []


def test_list_shows_an_action_taken_since_the_cache_was_written(run, parses):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    other = run.new(*PHONE, "-s", "Upload gagal", "--at", "2026-08-13T09:30")
    run.ok("list")
    run.ok("answer", tid, "-m", "Sudah direset", "--at", "2026-08-13T10:00")
    parses.clear()
    rows = {r["id"]: r["status"] for r in json.loads(run.ok("list", "--all", "--json"))}
    assert rows == {tid: "answered", other: "open"}
    assert len(parses) == 1  # only the answered ticket


def test_the_cache_leaves_git_status_clean(run, helpdesk):
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("list")
    run.ok("report", "--month", "2026-08", "--format", "json")
    assert (helpdesk / ".lpsectl" / "cache").is_dir()
    assert git(helpdesk, "status", "--porcelain") == ""


def test_the_cache_is_ignored_even_where_the_helpdesk_gitignore_lacks_it(run, helpdesk):
    (helpdesk / ".gitignore").write_text("# nothing of lpsectl's here\n")
    git(helpdesk, "commit", "-qam", "forget the ignore rule")
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("list")
    assert (helpdesk / ".lpsectl" / "cache" / "2026-08.json").is_file()
    assert git(helpdesk, "status", "--porcelain") == ""


def test_a_report_over_cached_tickets_gives_the_same_figures(run, parses):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("wait", tid, "--on", "reporter", "--at", "2026-08-13T10:00")
    run.ok("resume", tid, "--at", "2026-08-17T10:00")
    run.ok("answer", tid, "-m", "ok", "--at", "2026-08-20T10:00")
    first = run.ok("report", "--month", "2026-08", "--format", "json")
    parses.clear()
    assert run.ok("report", "--month", "2026-08", "--format", "json") == first
    assert parses == []


def test_a_damaged_ticket_is_reported_by_every_list(run, helpdesk):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("list")
    path = helpdesk / "tickets" / "2026" / "08" / f"{tid}.yaml"
    path.write_text(path.read_text().replace("status: open", "status: opened"))
    for _ in range(2):
        result = run("list")
        assert result.exit_code == 1
        assert f"{tid}.yaml" in result.stderr and "status says 'opened'" in result.stderr
