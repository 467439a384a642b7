"""`list --due`, `--sort due`, `--waiting-over` and the days waited, through the installed lpsectl.

Real processes, real git, the clock frozen with LPSECTL_TEST_NOW. The week
of Friday 14 August 2026 ends that Friday; the next working day is Tuesday
18 August (Monday 17 August is Independence Day). Thursday 24 December is a
joint-leave day (cuti bersama) before Christmas.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

TIMEOUT = 300
FRIDAY = "2026-08-14T09:00:00+07:00"
SATURDAY = "2026-08-15T10:00:00+07:00"
PHONE = ("-c", "telepon", "--name", "Budi", "--phone", "0752 92317")


@pytest.fixture
def lp(lpsectl_cmd, tmp_path):
    """lp(*args, now=..., check=True): the installed lpsectl in the helpdesk, as Rina, at ``now``."""
    home = tmp_path / "desk"

    def run(*args: str, now: str = FRIDAY, check: bool = True, index: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, LPSECTL_TEST_NOW=now, LPSECTL_OPERATOR="Rina")
        if not index:
            env["LPSECTL_NO_INDEX"] = "1"
        cwd = home if home.exists() else tmp_path
        proc = subprocess.run([*lpsectl_cmd, *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                              timeout=TIMEOUT, env=env)
        assert "Traceback" not in proc.stderr, proc.stderr
        if check:
            assert proc.returncode == 0, f"lpsectl {args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc

    run("init", str(home))
    run.home = home  # type: ignore[attr-defined]
    return run


def new(lp, *args: str, **kw) -> str:
    return lp("new", "-q", *args, **kw).stdout.strip()


@pytest.fixture
def week(lp) -> dict[str, str]:
    """Tickets whose deadlines fall around Friday 14 August 2026."""
    t = {}
    # Easy, opened Monday, responded to: resolution due Wednesday 12 August, past by Friday.
    t["past"] = new(lp, *PHONE, "-s", "Lewat", "-d", "easy", "--at", "2026-08-10T09:00")
    lp("wait", t["past"], "--on", "reporter", "--at", "2026-08-10T10:00")
    lp("resume", t["past"], "--at", "2026-08-10T11:00")
    # Easy, opened Wednesday, responded to: resolution due Friday 14 August 16:00.
    t["friday"] = new(lp, *PHONE, "-s", "Jumat", "-d", "easy", "--at", "2026-08-12T09:00")
    lp("wait", t["friday"], "--on", "reporter", "--at", "2026-08-12T10:00")
    lp("resume", t["friday"], "--at", "2026-08-12T11:00")
    # Opened Thursday, not yet responded to: the first response is due Friday, the resolution the 21st.
    t["respond"] = new(lp, *PHONE, "-s", "Tanggapi", "--at", "2026-08-13T10:00")
    # Opened Thursday, responded to: resolution due Friday 21 August.
    t["later"] = new(lp, *PHONE, "-s", "Nanti", "--at", "2026-08-13T08:00")
    lp("wait", t["later"], "--on", "reporter", "--at", "2026-08-13T09:00")
    lp("resume", t["later"], "--at", "2026-08-13T09:30")
    # Opened Friday morning: the first response is due the next working day, Tuesday 18 August.
    t["tuesday"] = new(lp, *PHONE, "-s", "Selasa", "-d", "easy", "--at", "2026-08-14T08:00")
    # Waiting on LKPP since Monday, and on the reporter since Thursday: not open, so never due.
    t["lkpp"] = new(lp, "-c", "portal", "--account", "cv.maju", "-s", "LKPP", "-d", "easy", "--at", "2026-08-10T08:00")
    lp("escalate", t["lkpp"], "--at", "2026-08-10T08:10")
    lp("escalate", t["lkpp"], "--at", "2026-08-10T08:20")
    lp("wait", t["lkpp"], "--on", "lkpp", "--at", "2026-08-10T10:00")
    t["reporter"] = new(lp, *PHONE, "-s", "Pelapor", "-d", "easy", "--at", "2026-08-12T08:00")
    lp("wait", t["reporter"], "--on", "reporter", "--at", "2026-08-13T12:00")
    # Answered: its deadline no longer matters.
    t["answered"] = new(lp, *PHONE, "-s", "Dijawab", "-d", "easy", "--at", "2026-08-10T08:30")
    lp("answer", t["answered"], "-m", "Sudah", "--at", "2026-08-10T09:00")
    return t


def ids(lp, *args: str, **kw) -> list[str]:
    return [row["id"] for row in json.loads(lp("list", *args, "--json", **kw).stdout)]


def test_due_today_on_a_friday_is_what_falls_due_by_its_end_past_deadlines_included(lp, week):
    # Oldest first by default.
    assert ids(lp, "--due", "today") == [week["past"], week["friday"], week["respond"]]


def test_due_tomorrow_on_a_friday_is_the_next_working_day_after_the_weekend_and_the_holiday(lp, week):
    assert ids(lp, "--due", "tomorrow") == [week["past"], week["friday"], week["respond"], week["tuesday"]]


def test_due_this_week_on_a_friday_ends_that_friday(lp, week):
    assert ids(lp, "--due", "week") == ids(lp, "--due", "today")


def test_due_by_a_date_takes_every_deadline_up_to_the_end_of_that_day(lp, week):
    got = ids(lp, "--due", "2026-08-21")
    assert got == [week["past"], week["friday"], week["later"], week["respond"], week["tuesday"]]
    assert ids(lp, "--due", "21/08/2026") == got  # day first, as --since reads it
    assert ids(lp, "--due", "2026-08-11") == []


def test_on_a_saturday_today_holds_only_what_is_already_due_and_tomorrow_is_tuesday(lp, week):
    assert ids(lp, "--due", "today", now=SATURDAY) == [week["past"], week["friday"], week["respond"]]
    assert ids(lp, "--due", "tomorrow", now=SATURDAY) == [
        week["past"], week["friday"], week["respond"], week["tuesday"]]


def test_sort_due_puts_the_earliest_deadline_first(lp, week):
    got = ids(lp, "--due", "2026-08-21", "--sort", "due")
    # Due 12, 14, 19 (the Tuesday ticket's resolution), then two on the 21st, older first.
    assert got == [week["past"], week["friday"], week["tuesday"], week["later"], week["respond"]]
    rows = json.loads(lp("list", "--sort", "due", "--json").stdout)
    dues = [r["due_at"] for r in rows]
    assert dues == sorted(dues) and len(rows) == 8


def test_the_due_filters_answer_alike_with_and_without_the_index(lp, week):
    for args in (("--due", "today"), ("--due", "tomorrow", "--sort", "due"), ("--due", "2026-08-21", "--csv")):
        with_index = lp("list", *args)
        without = lp("list", *args, index=False)
        assert with_index.stdout == without.stdout and with_index.stdout


def test_a_waiting_ticket_shows_the_working_days_it_has_waited(lp, week):
    rows = {r["id"]: r for r in json.loads(lp("list", "--json").stdout)}
    # LKPP: the closes of 10, 11, 12 and 13 August; the reporter: 13 August.
    assert rows[week["lkpp"]]["waiting_days"] == 4
    assert rows[week["reporter"]]["waiting_days"] == 1
    assert rows[week["friday"]]["waiting_days"] is None
    assert json.loads(lp("show", week["lkpp"], "--json").stdout)["waiting_days"] == 4
    assert json.loads(lp("show", week["answered"], "--json").stdout)["waiting_days"] is None
    # Over the weekend and Independence Day no day is added.
    assert json.loads(lp("show", week["lkpp"], "--json", now="2026-08-18T09:00:00+07:00").stdout)["waiting_days"] == 5
    shown = lp("show", week["lkpp"]).stdout
    assert "Waiting:     on lkpp since 2026-08-10 10:00 WIB, 4 working day(s) so far" in shown
    table = lp("list", "--status", "waiting").stdout.splitlines()
    assert "waited" in table[0].split()
    assert [line.split()[-2] for line in table[2:]] == ["4", "1"]


def test_waiting_over_lists_those_that_waited_more_than_n_working_days(lp, week):
    assert ids(lp, "--waiting-over", "3") == [week["lkpp"]]
    assert ids(lp, "--waiting-over", "4") == []
    assert ids(lp, "--waiting-over", "0") == [week["lkpp"], week["reporter"]]
    assert ids(lp, "--waiting-over", "0", index=False) == [week["lkpp"], week["reporter"]]
    assert ids(lp, "--waiting-over", "4", now="2026-08-18T16:30:00+07:00") == [week["lkpp"]]


@pytest.mark.parametrize("args, says", [
    (("--due", "yesterday"), "--due takes today, tomorrow, week or a date"),
    (("--due", "2026-02-30"), "--due takes today, tomorrow, week or a date"),
    (("--sort", "soon"), "--sort"),
    (("--waiting-over", "-1"), "--waiting-over"),
    (("--waiting-over", "five"), "--waiting-over"),
])
def test_a_bad_value_is_one_clear_error_and_exit_2(lp, args, says):
    proc = lp("list", *args, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and says in lines[0], proc.stderr


def test_week_and_tomorrow_around_joint_leave_and_christmas(lp):
    monday = "2026-12-21T09:00:00+07:00"
    wednesday = "2026-12-23T09:00:00+07:00"
    # Easy, opened Monday, responded to: due Wednesday 23 December, the week's last working day.
    wed = new(lp, *PHONE, "-s", "Rabu", "-d", "easy", "--at", "2026-12-21T08:00", now=monday)
    lp("wait", wed, "--on", "reporter", "--at", "2026-12-21T08:10", now=monday)
    lp("resume", wed, "--at", "2026-12-21T08:20", now=monday)
    assert ids(lp, "--due", "week", now=monday) == [wed]
    # Easy, opened Tuesday, responded to: due Monday 28 December, after the joint leave and Christmas.
    mon = new(lp, *PHONE, "-s", "Senin", "-d", "easy", "--at", "2026-12-22T08:00", now=wednesday)
    lp("wait", mon, "--on", "reporter", "--at", "2026-12-22T08:10", now=wednesday)
    lp("resume", mon, "--at", "2026-12-22T08:20", now=wednesday)
    assert ids(lp, "--due", "today", now=wednesday) == [wed]
    assert ids(lp, "--due", "tomorrow", now=wednesday) == [wed, mon]
    assert ids(lp, "--due", "2026-12-24", now=wednesday) == [wed]


def report_waiting(lp, month: str, **kw) -> dict:
    return json.loads(lp("report", "--month", month, "--format", "json", **kw).stdout)["waiting"]


def test_the_report_counts_waiting_tickets_by_what_they_wait_on_and_their_longest_wait(lp, week):
    assert report_waiting(lp, "2026-08") == {"lkpp": {"count": 1, "longest_days": 4},
                                             "reporter": {"count": 1, "longest_days": 1}}
    # As of the end of August: the closes of 10 to 31 August but for the weekends,
    # Independence Day (17th) and the Prophet's Birthday (25th).
    september = "2026-09-02T09:00:00+07:00"
    lp("resume", week["lkpp"], "-m", "LKPP menjawab", "--at", "2026-09-01T09:00", now=september)
    assert report_waiting(lp, "2026-08", now=september) == {"lkpp": {"count": 1, "longest_days": 14},
                                                           "reporter": {"count": 1, "longest_days": 11}}
    assert report_waiting(lp, "2026-08", now=september, index=False) == report_waiting(lp, "2026-08", now=september)
    # A month with no ticket waiting: counts of zero, no longest wait.
    assert report_waiting(lp, "2026-07") == {"lkpp": {"count": 0, "longest_days": None},
                                             "reporter": {"count": 0, "longest_days": None}}
    md = lp("report", "--month", "2026-08", "--lang", "en", now=september).stdout
    assert "| LKPP-RI helpdesk | 1 | 14 |" in md and "| The reporter | 1 | 11 |" in md
    public = lp("report", "--month", "2026-08", "--format", "html", "--public", "--lang", "id", now=september).stdout
    assert "<td>Helpdesk LKPP-RI</td><td class=\"n\">1</td><td class=\"n\">14</td>" in public


def test_mine_holder_and_unassigned_filter_on_who_holds_the_ticket(lp, week):
    lp("claim", week["friday"], "--at", "2026-08-14T08:40")
    lp("assign", week["later"], "--to", "Andi  Saputra", "--at", "2026-08-14T08:41")
    lp("assign", week["lkpp"], "--to", "Andi Saputra", "--at", "2026-08-14T08:42")
    assert ids(lp, "--mine") == [week["friday"]]
    assert ids(lp, "--holder", "Andi Saputra") == [week["lkpp"], week["later"]]
    assert ids(lp, "--holder", " Andi   Saputra ", "--status", "waiting") == [week["lkpp"]]
    assert ids(lp, "--holder", "andi saputra") == []  # the name as it was recorded
    unassigned = ids(lp, "--unassigned")
    assert week["friday"] not in unassigned and week["later"] not in unassigned and week["answered"] in unassigned
    assert ids(lp, "--unassigned", index=False) == unassigned
    assert ids(lp, "--mine", "--due", "today") == [week["friday"]]
    # Released: held by no one again.
    lp("assign", week["friday"], "--to", "", "--at", "2026-08-14T08:50")
    assert ids(lp, "--mine") == [] and week["friday"] in ids(lp, "--unassigned")


@pytest.mark.parametrize("args, says", [
    (("--mine", "--unassigned"), "Error: give one of --mine, --holder and --unassigned"),
    (("--holder", "Ani", "--mine"), "Error: give one of --mine, --holder and --unassigned"),
    (("--holder", "  "), "Error: --holder needs a name; use --unassigned for the tickets no one holds"),
])
def test_holder_filters_that_contradict_each_other_are_refused(lp, args, says):
    proc = lp("list", *args, check=False)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", says + "\n")
