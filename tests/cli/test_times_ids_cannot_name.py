"""Times no ticket id can name (before 2000, after 2099): refused as input, damage in a file."""

from __future__ import annotations

import re

import pytest

from tests.cli.test_errors import refused, snapshot
from tests.conftest import no_internal_error, ticket_file

AT = "2026-08-13T09:00"


# -- times an id cannot name -------------------------------------------------

@pytest.mark.parametrize("at", [
    "1900-01-01", "0001-01-01", "0001-01-01T00:00+14:00", "9999-12-31T23:00-12:00", "1999-12-31T23:59",
])
def test_new_with_a_time_outside_the_years_ids_can_name_exits_2(run, helpdesk, at):
    line = refused(run, helpdesk, 2, "new", "-c", "kotak-saran", "-m", "x", "--at", at)
    assert "2000" in line and "2099" in line


def test_an_action_at_a_time_outside_the_years_ids_can_name_exits_2(run, helpdesk):
    tid = run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    refused(run, helpdesk, 2, "note", tid, "-m", "x", "--at", "9999-12-31T23:00-12:00")


@pytest.mark.parametrize("created", ["1900-01-01", "31/12/1999 10:00"])
def test_import_refuses_a_row_dated_before_2000(run, helpdesk, tmp_path, created):
    f = tmp_path / "old.csv"
    f.write_text(f"channel,created_at,subject\nkotak-saran,{created},a\n", encoding="utf-8")
    before = snapshot(helpdesk)
    result = run("import", str(f))
    assert result.exit_code == 2
    assert "row 2" in result.stderr and "2000" in result.stderr
    assert snapshot(helpdesk) == before


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-12:00"])
def test_a_hand_edited_time_out_of_range_is_damage_not_a_crash(run, helpdesk, when):
    good = run.new("-c", "kotak-saran", "-m", "good", "--at", AT)
    bad = run.new("-c", "kotak-saran", "-m", "bad", "--at", AT)
    path = ticket_file(helpdesk, bad)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("'2026-08-13T09:00:00+07:00'", f"'{when}'"), encoding="utf-8")
    for args in (("list",), ("report", "--month", "2026-08"), ("show", bad)):
        result = run(*args)
        no_internal_error(result)
        assert result.exit_code == 1 and bad in result.stderr
    assert good in run("list").stdout
    result = run("check")
    assert result.exit_code == 1
    assert re.search(rf"{bad}\.yaml:\d+: .*out of range", result.stdout)


@pytest.mark.parametrize("args", [
    ("--month", "9999-12"), ("--year", "9999"), ("--from", "9999-12-30", "--to", "9999-12-31"),
    ("--from", "0001-01-01", "--to", "9999-12-31"), ("--year", "1999"),
])
def test_report_of_a_period_no_ticket_can_lie_in_exits_2(run, helpdesk, args):
    line = refused(run, helpdesk, 2, "report", *args)
    assert "2000" in line and "2099" in line
