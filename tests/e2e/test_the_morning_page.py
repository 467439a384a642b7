"""`lpsectl today`, the morning page, through the installed lpsectl with the clock frozen.

The helpdesk is the week of Friday 14 August 2026 of
test_what_is_due_and_what_waits.py (its fixtures are imported).
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_what_is_due_and_what_waits import FRIDAY, PHONE, lp, new, week  # noqa: F401 - fixtures


def page(lp, *args: str, **kw) -> dict[str, list[str]]:
    data = json.loads(lp(*args, "today", "--json", **kw).stdout)
    return {name: [row["id"] for row in rows] for name, rows in data.items()}


def test_the_json_page_has_every_section_with_its_tickets(lp, week):
    lp("followup", week["answered"], "-m", "Masih belum bisa", "--at", "2026-08-14T08:30")
    got = page(lp)
    assert list(got) == ["overdue", "due_today", "due_tomorrow", "unassigned", "waiting_too_long", "flagged"]
    assert got["overdue"] == [week["past"]]
    # Friday's resolution, and a first response due today; the overdue one is not repeated.
    assert got["due_today"] == [week["friday"], week["respond"]]
    # The next working day is Tuesday 18 August: the first response of the ticket opened Friday.
    assert got["due_tomorrow"] == [week["tuesday"]]
    assert got["unassigned"] == [week["lkpp"], week["past"], week["reporter"], week["friday"], week["later"],
                                 week["respond"], week["tuesday"]]
    assert got["waiting_too_long"] == []  # four working days on LKPP: not more than five
    assert got["flagged"] == [week["answered"]]
    rows = json.loads(lp("today", "--json").stdout)["due_today"]
    assert rows == [r for r in json.loads(lp("list", "--json").stdout) if r["id"] in got["due_today"]]


def test_waiting_too_long_follows_waiting_alert_days_in_the_configuration(lp, week):
    config = lp.home / "lpsectl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "waiting_alert_days: 3\n", encoding="utf-8")
    assert page(lp)["waiting_too_long"] == [week["lkpp"]]
    assert page(lp, now="2026-08-18T09:00:00+07:00")["waiting_too_long"] == [week["lkpp"]]
    config.write_text(config.read_text(encoding="utf-8").replace("waiting_alert_days: 3", "waiting_alert_days: 0"),
                      encoding="utf-8")
    assert page(lp)["waiting_too_long"] == [week["lkpp"], week["reporter"]]


@pytest.mark.parametrize("value, says", [
    ("-1", "waiting_alert_days: must be a whole number of working days, not -1"),
    ("lima", "waiting_alert_days: must be a whole number of working days, not 'lima'"),
    ("2.5", "waiting_alert_days: must be a whole number of working days, not 2.5"),
])
def test_a_bad_waiting_alert_days_is_one_error_naming_the_key(lp, value, says):
    config = lp.home / "lpsectl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"waiting_alert_days: {value}\n", encoding="utf-8")
    proc = lp("today", check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [f"Error: {config}: {says}; fix lpsectl.yaml"]


def test_the_operators_own_tickets_come_first_in_each_section(lp, week):
    lp("assign", week["respond"], "--to", "Andi", "--at", "2026-08-14T08:40")
    lp("claim", week["friday"], "--at", "2026-08-14T08:41")  # Rina
    assert page(lp)["due_today"] == [week["friday"], week["respond"]]
    assert page(lp, "--operator", "Andi")["due_today"] == [week["respond"], week["friday"]]
    unassigned = page(lp)["unassigned"]
    assert week["respond"] not in unassigned and week["friday"] not in unassigned


def test_the_page_as_text_counts_each_section_and_shows_its_tickets(lp, week):
    text = lp("today").stdout
    assert text.startswith("The desk at 2026-08-14 09:00 WIB; the tickets Rina holds come first.\n")
    assert "\nOverdue: 1\n" in text and "\nDue today: 2\n" in text
    assert "\nDue by the next working day, 2026-08-18: 1\n" in text
    assert "\nWaiting more than 5 working days: none.\n" in text
    assert "\nFlagged, the reporter wrote again: none.\n" in text
    for tid in (week["past"], week["friday"], week["respond"], week["tuesday"]):
        assert tid in text
    assert week["answered"] not in text
    assert lp("today").stdout == lp("today", index=False).stdout


def test_an_empty_day_says_so_plainly(lp):
    proc = lp("today")
    assert proc.stdout == ("The desk at 2026-08-14 09:00 WIB; the tickets Rina holds come first.\n"
                           "Nothing needs an officer: no ticket is overdue, due today or tomorrow, unassigned, "
                           "waiting too long or flagged.\n")
    assert proc.stderr == ""
    assert json.loads(lp("today", "--json").stdout) == {
        "overdue": [], "due_today": [], "due_tomorrow": [], "unassigned": [], "waiting_too_long": [], "flagged": []}


def test_on_a_saturday_nothing_new_falls_due_today_and_tomorrow_is_tuesday(lp, week):
    got = page(lp, now="2026-08-15T10:00:00+07:00")
    # Friday's deadlines have passed: overdue now (the first response missed is not, by the standard's word).
    assert got["overdue"] == [week["past"], week["friday"]]
    assert got["due_today"] == [week["respond"]]
    assert got["due_tomorrow"] == [week["tuesday"]]
