"""The working days `list --due`, the waiting days and `today` plan by.

Dates of 2026 in the office's calendar: Friday 14 August is followed by a
weekend and Independence Day (Monday 17 August); Thursday 24 December is a
joint-leave day (cuti bersama) before Christmas on Friday 25 December.
"""

from __future__ import annotations

from datetime import date, timedelta

from .test_clock import cal, wib



def test_the_next_working_day_after_a_friday_skips_the_weekend_and_independence_day():
    assert cal().next_working_day(date(2026, 8, 14)) == date(2026, 8, 18)


def test_the_next_working_day_from_a_weekend_is_the_first_one_after_it():
    assert cal().next_working_day(date(2026, 8, 15)) == date(2026, 8, 18)
    assert cal().next_working_day(date(2026, 8, 22)) == date(2026, 8, 24)


def test_the_next_working_day_skips_a_joint_leave_day_and_the_holiday_after_it():
    assert cal().next_working_day(date(2026, 12, 23)) == date(2026, 12, 28)


def test_a_cancelled_joint_leave_day_is_a_working_day_again():
    assert cal(open_days=frozenset({date(2026, 12, 24)})).next_working_day(date(2026, 12, 23)) == date(2026, 12, 24)


def test_the_last_working_day_of_the_week_is_friday_in_an_ordinary_week():
    assert cal().last_working_day_of_week(date(2026, 8, 10)) == date(2026, 8, 14)
    assert cal().last_working_day_of_week(date(2026, 8, 14)) == date(2026, 8, 14)


def test_the_last_working_day_of_a_week_with_joint_leave_and_christmas_is_wednesday():
    assert cal().last_working_day_of_week(date(2026, 12, 21)) == date(2026, 12, 23)


def test_on_a_weekend_no_working_day_is_left_in_the_week_so_it_is_that_day():
    assert cal().last_working_day_of_week(date(2026, 8, 15)) == date(2026, 8, 15)
    assert cal().last_working_day_of_week(date(2026, 8, 16)) == date(2026, 8, 16)


def test_a_closed_friday_makes_thursday_the_last_working_day_of_the_week():
    c = cal(closed_days=frozenset({date(2026, 8, 28)}))
    assert c.last_working_day_of_week(date(2026, 8, 24)) == date(2026, 8, 27)


def test_the_end_of_a_day_is_its_last_instant_in_the_office_zone():
    end = cal().end_of_day(date(2026, 8, 14))
    assert end < wib(2026, 8, 15) and end + timedelta(microseconds=1) == wib(2026, 8, 15)


def test_a_wait_counts_the_working_days_whose_office_close_has_passed():
    c = cal()
    since = wib(2026, 8, 14, 11, 0)  # Friday morning
    assert c.working_days_waited(since, wib(2026, 8, 14, 15, 59)) == 0
    assert c.working_days_waited(since, wib(2026, 8, 14, 16, 1)) == 1
    # The weekend and Independence Day are not working days.
    assert c.working_days_waited(since, wib(2026, 8, 18, 9, 0)) == 1
    assert c.working_days_waited(since, wib(2026, 8, 21, 9, 0)) == 4


def test_a_wait_begun_after_office_close_counts_from_the_next_working_day():
    c = cal()
    assert c.working_days_waited(wib(2026, 8, 13, 17, 0), wib(2026, 8, 14, 17, 0)) == 1


def test_the_days_waited_are_the_days_a_wait_moves_the_deadline():
    c = cal()
    start = wib(2026, 8, 3, 9, 0)
    for hours in range(0, 24 * 40, 7):
        since = start + timedelta(hours=hours)
        now = since + timedelta(hours=hours // 2 + 3)
        moved = c.working_days_between(c.local_date(c.deadline(start, 5)),
                                       c.local_date(c.deadline(start, 5, [(since, None)], until=now)))
        # A wait after the opening day (that day never counts) and before the deadline came.
        if c.local_date(since) > c.local_date(start) and c.deadline(start, 5) >= since:
            assert moved == c.working_days_waited(since, now), (since, now)


def test_waited_more_than_gives_the_latest_start_of_a_wait_longer_than_n_days():
    c = cal()
    now = wib(2026, 8, 21, 9, 0)
    for days in (0, 1, 3, 4, 5, 30):
        cut = c.waited_more_than(now, days)
        assert c.working_days_waited(cut, now) > days
        assert c.working_days_waited(cut + timedelta(microseconds=1), now) <= days
    assert c.working_days_waited(wib(2026, 8, 14, 11), now) == 4
    assert c.waited_more_than(now, 3) >= wib(2026, 8, 14, 11) > c.waited_more_than(now, 4)
