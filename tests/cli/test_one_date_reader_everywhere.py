"""`--at`, `--since`/`--until`, `--from`/`--to` and `import` read the same date forms: ISO or day first."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from lpsectl.clock import parse_date, parse_time

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize("text", ["13/08/2026 09.15", "13/08/2026 09:15", "13-08-2026 09.15", "13.08.2026 09:15",
                                  "2026-08-13T09:15", "2026-08-13 09:15", "13/8/2026  9.15"])
def test_every_time_form_import_reads_means_the_same_moment(text):
    assert parse_time(text, WIB) == datetime(2026, 8, 13, 9, 15, tzinfo=WIB)


@pytest.mark.parametrize("text", ["13/08/2026", "13-08-2026", "13.08.2026", "2026-08-13", "13/8/2026"])
def test_every_date_form_means_the_same_day(text):
    assert parse_date(text) == date(2026, 8, 13)


@pytest.mark.parametrize("text", ["08/13/2026", "13/13/2026 09.15", "2026/08/13", "13/08/26"])
def test_month_first_or_impossible_dates_are_refused(text):
    from lpsectl.errors import BadInput

    with pytest.raises(BadInput, match="day first"):
        parse_time(text, WIB)


def test_new_at_a_day_first_time_with_a_dotted_hour_is_recorded(run):
    tid = run.new("-c", "kotak-saran", "-s", "slip", "--at", "1/12/2025 08.00")
    d = json.loads(run.ok("show", tid, "--json"))
    assert d["created_at"] == "2025-12-01T08:00:00+07:00"


def test_an_action_at_a_day_first_time_is_recorded(run):
    tid = run.new("-c", "kotak-saran", "-s", "slip", "--at", "2025-12-01T08:00")
    run.ok("note", tid, "-m", "dicatat", "--at", "02.12.2025 10.30")
    d = json.loads(run.ok("show", tid, "--json"))
    assert d["history"][-1]["at"] == "2025-12-02T10:30:00+07:00"


def test_list_since_and_until_read_day_first_dates(run):
    early = run.new("-c", "kotak-saran", "-s", "awal", "--at", "2025-11-03T09:00")
    late = run.new("-c", "kotak-saran", "-s", "akhir", "--at", "2025-11-20T09:00")
    rows = json.loads(run.ok("list", "--all", "--since", "10-11-2025", "--until", "30/11/2025", "--json"))
    assert [r["id"] for r in rows] == [late]
    rows = json.loads(run.ok("list", "--all", "--until", "3.11.2025", "--json"))
    assert [r["id"] for r in rows] == [early]


def test_report_from_and_to_read_day_first_dates(run):
    run.new("-c", "kotak-saran", "-s", "awal", "--at", "2025-11-03T09:00")
    fig = json.loads(run.ok("report", "--from", "01/11/2025", "--to", "30.11.2025", "--format", "json"))
    assert fig["period"] == {"from": "2025-11-01", "to": "2025-11-30"} or (
        fig["period"]["from"] == "2025-11-01" and fig["period"]["to"] == "2025-11-30")
    assert fig["total"] == 1


def test_a_malformed_at_names_both_forms(run):
    result = run("new", "-c", "kotak-saran", "-s", "x", "--at", "kemarin")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "13/08/2026" in result.stderr and "2026-08-13" in result.stderr
