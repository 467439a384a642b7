from datetime import date, datetime, time, timedelta

import pytest

from lpsectl.clock import Calendar, parse_date, parse_time, zone
from lpsectl.config import from_dict
from lpsectl.errors import BadInput
from lpsectl.model import Event, Ticket
from lpsectl.sla import assess

WIB = zone("Asia/Jakarta")


def cal(**kw) -> Calendar:
    return Calendar(WIB, time(16, 0), **kw)


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_spec_example_easy_ticket_opened_thursday_13_august_2026_is_due_tuesday_18_august():
    # 14 Aug Friday counts, the weekend does not, 17 Aug is Independence Day.
    assert cal().deadline(wib(2026, 8, 13, 10, 0), 2) == wib(2026, 8, 18, 16, 0)


def test_ticket_opened_christmas_eve_2025_skips_christmas_and_cuti_bersama():
    # 25 Dec 2025 Christmas, 26 Dec cuti bersama, then the weekend.
    c = cal()
    assert not c.is_working_day(date(2025, 12, 25))
    assert not c.is_working_day(date(2025, 12, 26))
    assert c.deadline(wib(2025, 12, 24, 9, 0), 1) == wib(2025, 12, 29, 16, 0)


def test_new_year_2026_is_a_holiday_so_five_days_from_christmas_eve_end_on_5_january():
    c = cal()
    assert not c.is_working_day(date(2026, 1, 1))
    # 29, 30, 31 Dec, 2 Jan, 5 Jan (1 Jan holiday, 3-4 Jan weekend).
    assert c.deadline(wib(2025, 12, 24, 9, 0), 5) == wib(2026, 1, 5, 16, 0)


def test_a_ticket_opened_after_office_close_still_counts_from_the_next_working_day():
    assert cal().deadline(wib(2026, 8, 13, 22, 30), 2) == wib(2026, 8, 18, 16, 0)


def test_configured_closed_days_are_skipped_and_open_days_count_despite_a_holiday():
    closed = cal(closed_days=frozenset({date(2026, 8, 14)}))
    assert closed.deadline(wib(2026, 8, 13, 10), 2) == wib(2026, 8, 19, 16, 0)
    opened = cal(open_days=frozenset({date(2026, 8, 17)}))
    assert opened.deadline(wib(2026, 8, 13, 10), 2) == wib(2026, 8, 17, 16, 0)


def test_every_working_day_whose_close_falls_inside_a_wait_moves_the_deadline():
    c = cal()
    start = wib(2026, 8, 13, 10)
    # A wait from Friday 09:00 to Tuesday 09:00 holds one working-day close,
    # Friday 16:00 (17 August is a holiday): the deadline moves one day.
    pauses = [(wib(2026, 8, 14, 9), wib(2026, 8, 18, 9))]
    assert c.deadline(start, 2, pauses) == wib(2026, 8, 19, 16, 0)


def test_an_open_wait_lasts_until_the_given_moment():
    c = cal()
    start = wib(2026, 8, 13, 10)
    pauses = [(wib(2026, 8, 14, 9), None)]
    assert c.deadline(start, 2, pauses, until=wib(2026, 8, 14, 12)) == wib(2026, 8, 18, 16, 0)
    assert c.deadline(start, 2, pauses, until=wib(2026, 8, 18, 17)) == wib(2026, 8, 20, 16, 0)


def test_working_days_taken_is_the_smallest_target_that_would_have_been_met():
    c = cal()
    start = wib(2026, 8, 13, 10)
    assert c.working_days_taken(start, wib(2026, 8, 13, 15)) == 0
    assert c.working_days_taken(start, wib(2026, 8, 14, 16)) == 1
    assert c.working_days_taken(start, wib(2026, 8, 17, 9)) == 2  # holiday: due Tue counts as day 2
    assert c.working_days_taken(start, wib(2026, 8, 18, 16, 1)) == 3


def test_parse_time_reads_iso_and_day_first_and_puts_naive_times_in_the_office_zone():
    assert parse_time("2026-08-13T09:15", WIB) == wib(2026, 8, 13, 9, 15)
    assert parse_time("13/08/2026 09:15", WIB) == wib(2026, 8, 13, 9, 15)
    assert parse_time("2026-08-13T02:15:00Z", WIB) == wib(2026, 8, 13, 9, 15)
    assert parse_time("2026-08-13", WIB) == wib(2026, 8, 13, 0, 0)
    assert parse_date("13/08/2026") == date(2026, 8, 13)


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "13/13/2026", "08/32/2026", ""])
def test_parse_time_refuses_malformed_times(bad):
    with pytest.raises(BadInput, match="malformed"):
        parse_time(bad, WIB)


def _ticket(difficulty="normal", created=wib(2026, 8, 13, 10)) -> Ticket:
    t = Ticket(id="2608-ABCDEF", channel="suggestion-box", kind="question", created_at=created,
               subject="s", difficulty=difficulty)
    t.history.append(Event(at=created, action="open", by="x", tier="helpdesk"))
    return t


def test_assess_uses_the_configured_targets_per_difficulty():
    cfg = from_dict({"sla": {"resolution": {"ringan": 3}, "first_response": 2}})
    c = Calendar.from_config(cfg)
    a = assess(_ticket("easy"), cfg, c, wib(2026, 8, 13, 11))
    assert a.due_at == wib(2026, 8, 19, 16, 0)
    assert a.response_due_at == wib(2026, 8, 18, 16, 0)


def test_an_open_ticket_past_its_due_time_is_overdue_and_a_waiting_one_is_not():
    cfg = from_dict({})
    c = Calendar.from_config(cfg)
    t = _ticket("easy")
    assert assess(t, cfg, c, wib(2026, 8, 18, 16, 0)).overdue is False
    assert assess(t, cfg, c, wib(2026, 8, 18, 16, 1)).overdue is True
    t.history.append(Event(at=wib(2026, 8, 14, 9), action="wait", by="x", tier="helpdesk", fields={"on": "reporter"}))
    later = assess(t, cfg, c, wib(2026, 8, 25, 9))
    assert later.overdue is False
    assert later.due_at > wib(2026, 8, 25, 9)


def test_an_answer_freezes_the_deadline_and_is_on_time_when_at_or_before_it():
    cfg = from_dict({})
    c = Calendar.from_config(cfg)
    t = _ticket("easy")
    t.history.append(Event(at=wib(2026, 8, 18, 16, 0), action="answer", by="x", tier="helpdesk", message="a"))
    a = assess(t, cfg, c, wib(2026, 9, 30), measure=True)
    assert a.due_at == wib(2026, 8, 18, 16, 0)
    assert a.on_time is True and a.response_on_time is False
    assert a.resolution_days == 2 and a.response_days == 2


def test_deadlines_are_in_the_configured_time_zone():
    cfg = from_dict({"timezone": "Asia/Jayapura", "office_close": "15:30"})
    c = Calendar.from_config(cfg)
    wit = zone("Asia/Jayapura")
    created = datetime(2026, 8, 13, 10, tzinfo=wit)
    assert c.deadline(created, 2) == datetime(2026, 8, 18, 15, 30, tzinfo=wit)
    assert c.deadline(created, 2).utcoffset() == timedelta(hours=9)


# -- the fast deadline against the day-by-day definition ----------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def deadline_by_walking(c: Calendar, start, days, pauses=(), until=None):
    """SPEC's definition, a day at a time: the days-th counted working day's close."""
    spans = [(a, b if b is not None else until) for a, b in pauses]
    spans = [(a, b) for a, b in spans if b is not None and b > a]
    d = c.local_date(start)
    if days <= 0:
        return c.close_of(d)
    counted = 0
    while True:
        d += timedelta(days=1)
        if not c.is_working_day(d):
            continue
        close = c.close_of(d)
        if any(a <= close < b for a, b in spans):
            continue
        counted += 1
        if counted >= days:
            return close


def taken_by_walking(c: Calendar, start, end, pauses=()):
    if end <= c.close_of(c.local_date(start)):
        return 0
    spans = [(a, b if b is not None else end) for a, b in pauses]
    spans = [(a, b) for a, b in spans if b > a]
    d, n = c.local_date(start), 1
    while True:
        d += timedelta(days=1)
        if not c.is_working_day(d):
            continue
        close = c.close_of(d)
        if any(a <= close < b for a, b in spans):
            continue
        if close >= end:
            return n
        n += 1


_BASE = datetime(2024, 1, 1, tzinfo=WIB)
_minutes = st.integers(min_value=0, max_value=60 * 24 * 365 * 3)
_times = _minutes.map(lambda m: _BASE + timedelta(minutes=m))
# (start, length in minutes or None for an open pause, snap both ends to an office close)
_pause = st.tuples(_times, st.one_of(st.none(), st.integers(0, 60 * 24 * 40)), st.booleans())
_days_set = st.frozensets(st.integers(0, 365 * 3).map(lambda n: date(2024, 1, 1) + timedelta(days=n)), max_size=8)


def _calendar(zone_name: str, close: time, closed: frozenset, opened: frozenset) -> Calendar:
    return Calendar(zone(zone_name), close, closed_days=closed, open_days=opened)


_calendars = st.builds(
    _calendar,
    st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Europe/Berlin", "America/Sao_Paulo"]),
    st.sampled_from([time(16, 0), time(0, 0), time(23, 59), time(2, 30), time(12, 0)]),
    _days_set, _days_set,
)


def _pauses(c: Calendar, start, raw):
    """Pauses near ``start`` (some before it, some open), as the state gives them.

    Some begin or end exactly at an office close: the edge that decides
    whether that day counts.
    """
    out = []
    for a, length, snap in raw:
        a = start + (a - _BASE) / 20 - timedelta(days=3)
        b = None if length is None else a + timedelta(minutes=length)
        if snap:
            a = c.close_of(c.local_date(a))
            b = None if b is None else c.close_of(c.local_date(b))
        out.append((a, b))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_calendars, _times, st.integers(-1, 70), st.lists(_pause, max_size=5), _minutes)
def test_the_fast_deadline_agrees_with_walking_the_days(c, start, days, raw, until_after):
    pauses = _pauses(c, start, raw)
    until = start + timedelta(minutes=until_after // 10)
    got = c.deadline(start, days, pauses, until=until)
    want = deadline_by_walking(c, start, days, pauses, until)
    assert got == want and got.utcoffset() == want.utcoffset()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_calendars, _times, st.lists(_pause, max_size=5), _minutes)
def test_the_fast_working_days_taken_agrees_with_walking_the_days(c, start, raw, end_after):
    pauses = _pauses(c, start, raw)
    end = start + timedelta(minutes=end_after // 10) - timedelta(hours=12)
    assert c.working_days_taken(start, end, pauses) == taken_by_walking(c, start, end, pauses)


def test_one_calendar_answers_across_years_in_any_order():
    """The working days are kept as one list that grows both ways; the order of questions must not matter."""
    c, fresh = cal(), cal
    for year in (2026, 2023, 2027, 2021):
        start = wib(year, 12, 30, 10)
        assert c.deadline(start, 60) == deadline_by_walking(fresh(), start, 60)
        assert c.working_days_taken(start, start + timedelta(days=90)) == taken_by_walking(
            fresh(), start, start + timedelta(days=90))


def test_a_wait_that_begins_exactly_at_the_office_close_of_the_due_day_moves_the_deadline():
    c = cal()
    start = wib(2026, 8, 13, 10)
    # Due Tue 18 Aug 16:00; a wait from that very close holds it, so Wednesday counts instead.
    pauses = [(wib(2026, 8, 18, 16), wib(2026, 8, 18, 17))]
    assert c.deadline(start, 2, pauses) == wib(2026, 8, 19, 16) == deadline_by_walking(c, start, 2, pauses)
    # A wait that ends exactly at a close does not hold that close.
    pauses = [(wib(2026, 8, 14, 9), wib(2026, 8, 18, 16))]
    assert c.deadline(start, 2, pauses) == wib(2026, 8, 19, 16) == deadline_by_walking(c, start, 2, pauses)
    assert c.working_days_taken(start, wib(2026, 8, 19, 12), pauses) == 2


def test_an_open_day_counts_even_on_a_weekend():
    # A make-up working Saturday (hari kerja pengganti): open days beat the weekend.
    saturday = date(2026, 8, 15)
    c = cal(open_days=frozenset({saturday}))
    assert c.is_working_day(saturday)
    assert not cal().is_working_day(saturday)
    # Opened Thursday, easy: Friday 14 and Saturday 15 August.
    assert c.deadline(wib(2026, 8, 13, 10), 2) == wib(2026, 8, 15, 16, 0)


def test_an_open_day_also_listed_as_closed_counts():
    # open_days is the exception to every list of days off, the office's own included.
    friday = date(2026, 8, 14)
    c = cal(closed_days=frozenset({friday}), open_days=frozenset({friday}))
    assert c.is_working_day(friday)


def test_a_closed_day_on_an_ordinary_weekday_does_not_count():
    wednesday = date(2026, 8, 19)
    assert cal().is_working_day(wednesday)
    assert not cal(closed_days=frozenset({wednesday})).is_working_day(wednesday)


def test_the_test_clock_freezes_now_in_the_office_zone(monkeypatch):
    from lpsectl import clock

    monkeypatch.setenv("LPSECTL_TEST_NOW", "2026-08-20T03:00:00+00:00")
    assert clock.now(WIB) == datetime(2026, 8, 20, 10, 0, tzinfo=WIB)


def test_a_malformed_test_clock_is_refused_not_ignored(monkeypatch):
    from lpsectl import clock

    monkeypatch.setenv("LPSECTL_TEST_NOW", "2026-08-20 10:00")  # no offset
    with pytest.raises(BadInput, match="LPSECTL_TEST_NOW"):
        clock.now(WIB)
