"""`today` and the new `list` options as commands: stdout, stderr and exit codes (CliRunner)."""

from __future__ import annotations

import json

import pytest

NOW = {"LPSECTL_TEST_NOW": "2026-08-14T09:00:00+07:00"}
PHONE = ("-c", "telepon", "--name", "Budi", "--phone", "0752 92317")


def test_today_without_an_operator_still_shows_the_page_with_no_ones_tickets_first(run, monkeypatch):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T10:00", env=NOW)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")  # no user.name either
    result = run("today", operator=None, env=NOW)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("The desk at 2026-08-14 09:00 WIB.\n") and tid in result.stdout
    assert result.stderr == ""
    mine = run("list", "--mine", operator=None, env=NOW)
    assert mine.exit_code == 2 and mine.stdout == "" and "who is acting?" in mine.stderr


def test_today_json_is_only_json_on_stdout(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T10:00", env=NOW)
    result = run("today", "--json", env=NOW)
    assert result.exit_code == 0 and result.stderr == ""
    page = json.loads(result.stdout)
    assert [r["id"] for r in page["due_today"]] == [tid]
    assert page["due_today"][0]["respond_by"] == "2026-08-14T16:00:00+07:00"


def test_today_passes_over_a_damaged_file_says_so_and_exits_1(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T10:00", env=NOW)
    broken = run.home / "tickets" / "2026" / "08" / "2608-BRKNAA.yaml"
    broken.write_text("id: 2608-BRKNAA\nchannel: [\n", encoding="utf-8")
    result = run("today", "--json", env=NOW)
    assert result.exit_code == 1
    assert tid in result.stdout and "2608-BRKNAA.yaml" in result.stderr


def test_list_help_names_the_new_options(run):
    out = run.ok("list", "--help")
    for option in ("--due WHEN", "--waiting-over N", "--sort", "--mine", "--holder NAME", "--unassigned"):
        assert option in out


@pytest.mark.parametrize("args, says", [
    (("--due", ""), "Error: --due takes today, tomorrow, week or a date such as 2026-08-13, not ''"),
    (("--due", "31/02/2026"), "Error: --due takes today, tomorrow, week or a date such as 2026-08-13, not '31/02/2026'"),
    (("--sort", ""), "Error: Invalid value for '--sort'"),
    (("--waiting-over", ""), "Error: Invalid value for '--waiting-over'"),
])
def test_a_bad_list_value_writes_nothing_and_exits_2(run, args, says):
    before = sorted(p.name for p in run.home.rglob("*") if ".git" not in p.parts)
    result = run("list", *args, env=NOW)
    assert result.exit_code == 2 and result.stdout == "" and result.stderr.startswith(says)
    assert len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in run.home.rglob("*") if ".git" not in p.parts) == before


def test_the_text_page_shows_ten_tickets_a_section_and_names_the_list_that_gives_the_rest(run):
    ids = [run.new(*PHONE, "-s", f"Tiket {i}", "-d", "easy", "--at", f"2026-08-03T{8 + i // 6:02d}:{i % 6 * 10:02d}",
                   env=NOW) for i in range(12)]
    out = run.ok("today", env=NOW)
    overdue = out.split("\nOverdue: 12\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split()[0] for line in overdue[2:12]] == ids[:10]
    assert overdue[12:] == ["... and 2 more: lpsectl list --overdue --sort due"]
    assert ids[11] not in out
    assert len(json.loads(run.ok("today", "--json", env=NOW))["overdue"]) == 12
    listed = [r["id"] for r in json.loads(run.ok("list", "--overdue", "--sort", "due", "--json", env=NOW))]
    assert listed == ids


def test_today_and_the_due_lists_take_the_holidays_from_the_index(run, monkeypatch):
    from tests.e2e.test_commands_import_only_what_they_need import imported_after

    monkeypatch.setenv("LPSECTL_TEST_NOW", NOW["LPSECTL_TEST_NOW"])
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T10:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    assert imported_after([*home, "list"], ["holidays"]) == ["holidays"]  # the first time computes them
    assert "Due today: 1" in run.ok("today")
    assert imported_after([*home, "today"], ["holidays"]) == []
    assert imported_after([*home, "list", "--due", "tomorrow"], ["holidays"]) == []
    assert imported_after([*home, "list", "--waiting-over", "3", "--json"], ["holidays"]) == []
