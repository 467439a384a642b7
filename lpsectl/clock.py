"""Working days, deadlines and the SLA clock of the service standard.

A working day is Monday to Friday in the office's time zone, not an
Indonesian public holiday or cuti bersama (``holidays``, country ID,
categories public and government), not a configured closed day, unless it is
a configured open day. Days count from the first working day after the day
a ticket was opened; a deadline falls at the office close of its last day.
Every working day whose office close falls while the clock stands still
(the ticket waits, or was answered before it was reopened) moves the
deadline one working day later.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Iterator, Optional, Sequence

from lpsectl.errors import BadInput
from lpsectl.i18n import _
from lpsectl.lazyre import LazyPattern

Pause = tuple[datetime, Optional[datetime]]
# Ids carry the year in two digits (2611-K7QM: November 2026) and live in
# tickets/20YY/, so every ticket time lies in these years.
FIRST_YEAR, LAST_YEAR = 2000, 2099
_ZONES: dict[str, tzinfo] = {}


def zone(name: str, where: Optional[Path] = None) -> tzinfo:
    """The time zone ``name``, from the OS or the tzdata package."""
    if name not in _ZONES:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            _ZONES[name] = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            problem = _("unknown time zone {name!r}; use a name such as Asia/Jakarta").format(name=name)
            raise BadInput(f"{where}: {problem}" if where else problem) from None
    return _ZONES[name]


# For the tests that run the documented examples: the examples show dates,
# deadlines and "overdue" as of one fixed moment. Not a user setting.
TEST_NOW_VAR = "LPSECTL_TEST_NOW"


def now(tz: tzinfo) -> datetime:
    """The current time in ``tz``, to the second (``LPSECTL_TEST_NOW`` freezes it in tests)."""
    frozen = os.environ.get(TEST_NOW_VAR)
    if frozen:
        try:
            moment = datetime.fromisoformat(frozen)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise BadInput(_("{TEST_NOW_VAR}={frozen!r} is not an ISO 8601 time with an offset; unset it").format(TEST_NOW_VAR=TEST_NOW_VAR, frozen=frozen))
        return moment.astimezone(tz).replace(microsecond=0)
    return datetime.now(tz).replace(microsecond=0)


# Day first, as people and spreadsheets under an Indonesian locale write
# it: 13/08/2026, 13-08-2026, 13.08.2026, with 09:15 or 09.15 and seconds.
# Never month first. One reader for --at, --since/--until, --from/--to and
# the dates of an import, so a form accepted in one place works in all.
_DAY_FIRST = LazyPattern(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$"
)


def parse_time(text: str, tz: tzinfo, what: str = "time") -> datetime:
    """ISO 8601 or day first (DD/MM/YYYY [HH:MM], / - or . between); without offset, in ``tz``."""
    return in_range(read_time(text, what), tz, text, what)


def read_time(text: str, what: str = "time") -> datetime:
    """The time ``text`` names, naive when it gives no offset; malformed text is refused."""
    s = " ".join(str(text).split())
    m = _DAY_FIRST.match(s)
    if m:
        d, mo, y, hh, mm, ss = m.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            raise BadInput(_("malformed {what} {text!r}: no such day (day first: DD/MM/YYYY HH:MM)")
                           .format(what=what, text=text)) from None
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        raise BadInput(_("malformed {what} {text!r}; write 2026-08-13 09:15 (ISO 8601) or 13/08/2026 09.15 "
                         "(day first)").format(what=what, text=text)) from None


def in_range(t: datetime, tz: tzinfo, text: str, what: str = "time") -> datetime:
    """``t`` in ``tz`` (a naive ``t`` is taken to be in ``tz``), refused outside FIRST_YEAR..LAST_YEAR."""
    try:
        local = (t if t.tzinfo is not None else t.replace(tzinfo=tz)).astimezone(tz)
    except OverflowError:
        local = None
    if local is None or not FIRST_YEAR <= local.year <= LAST_YEAR:
        raise BadInput(_("{what} {text!r} is out of range; ticket times lie in the years {first} to {last}")
                       .format(what=what, text=text, first=FIRST_YEAR, last=LAST_YEAR))
    return local


def parse_date(text: str, what: str = "date") -> date:
    """A day: ISO 8601 (2026-08-13) or day first (13/08/2026, 13-08-2026, 13.08.2026)."""
    s = " ".join(str(text).split())
    m = _DAY_FIRST.match(s)
    if m and m.group(4) is None:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            raise BadInput(_("malformed {what} {text!r}: no such day (day first: DD/MM/YYYY)")
                           .format(what=what, text=text)) from None
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise BadInput(_("malformed {what} {text!r}; write 2026-08-13 or 13/08/2026 (day first)")
                       .format(what=what, text=text)) from None


class Calendar:
    """The office's working days and deadlines."""

    def __init__(
        self,
        tz: tzinfo,
        office_close: time = time(16, 0),
        closed_days: frozenset[date] = frozenset(),
        open_days: frozenset[date] = frozenset(),
    ) -> None:
        self.tz = tz
        self.office_close = office_close
        self.closed_days = closed_days
        self.open_days = open_days
        self._holidays: dict[int, dict[date, str]] = {}
        self._working: dict[date, bool] = {}
        self._running_count: dict[int, list[int]] = {}
        self._days: list[int] = []
        self._closes: dict[int, datetime] = {}  # office close by day ordinal
        # Deadlines without a pause, by (start day ordinal, days): a listing
        # asks for two per ticket, and tickets share their opening days.
        self._plain: dict[tuple[int, int], datetime] = {}
        self._first_year = 0
        self._days_years = 0
        self._last_time: Optional[datetime] = None
        self._last_date = date.min

    @classmethod
    def from_config(cls, cfg) -> "Calendar":
        return cls(zone(cfg.timezone), cfg.office_close, cfg.closed_days, cfg.open_days)

    def holidays(self, year: int) -> dict[date, str]:
        if year not in self._holidays:
            import holidays  # heavy: only when a deadline is computed

            try:
                h = holidays.country_holidays("ID", years=year, categories=("public", "government"))
            except (TypeError, NotImplementedError):  # older holidays without categories
                h = holidays.country_holidays("ID", years=year)
            self._holidays[year] = dict(h)
        return self._holidays[year]

    def known_holidays(self) -> dict[int, dict[date, str]]:
        """The holidays computed so far, by year: what the index keeps."""
        return dict(self._holidays)

    def preload_holidays(self, by_year: dict[int, dict[date, str]]) -> None:
        """Holidays kept from an earlier computation, so ``holidays`` need not be imported for them."""
        for year, days in by_year.items():
            self._holidays.setdefault(year, dict(days))

    def is_working_day(self, d: date) -> bool:
        w = self._working.get(d)
        if w is None:
            if d in self.open_days:
                w = True
            elif d.weekday() >= 5 or d in self.closed_days:
                w = False
            else:
                w = d not in self.holidays(d.year)
            self._working[d] = w
        return w

    def _counts(self, year: int) -> list[int]:
        """``c[i]``: working days among the first ``i`` days of ``year`` (``c[0]`` is 0)."""
        c = self._running_count.get(year)
        if c is None:
            c, d, n = [0], date(year, 1, 1), 0
            while d.year == year:
                n += self.is_working_day(d)
                c.append(n)
                d += timedelta(days=1)
            self._running_count[year] = c
        return c

    def working_days_between(self, first: date, last: date) -> int:
        """Working days ``d`` with ``first < d <= last``, without walking them one by one."""
        if last <= first:
            return 0

        def through(d: date) -> int:  # working days of d's year up to and including d
            return self._counts(d.year)[d.timetuple().tm_yday]

        if first.year == last.year:
            return through(last) - through(first)
        n = self._counts(first.year)[-1] - through(first)
        for year in range(first.year + 1, last.year):
            n += self._counts(year)[-1]
        return n + through(last)

    def close_of(self, d: date) -> datetime:
        return datetime.combine(d, self.office_close, tzinfo=self.tz)

    def working_days_after(self, d: date) -> Iterator[date]:
        while True:
            d += timedelta(days=1)
            if self.is_working_day(d):
                yield d

    def local_date(self, t: datetime) -> date:
        # Asked of one ticket's opening time by each of its deadlines and measures in a row: the last
        # answer is kept with the very time asked about (held here, so no other object takes its place).
        if t is self._last_time:
            return self._last_date
        d = t.astimezone(self.tz).date()
        self._last_time, self._last_date = t, d
        return d

    # -- the working days as one sorted list ---------------------------------
    # Deadlines are counted by index into ``_days`` (the ordinals of every
    # working day of the years ``_first_year`` .. ``_first_year + n - 1``)
    # instead of walking the calendar a day at a time: a list, list and
    # report assess every ticket, most with no pause at all.

    def _cover(self, d: date) -> None:
        """Make ``_days`` reach back to ``d``'s year (forward coverage is :meth:`_day`'s)."""
        if not self._days_years:
            self._first_year = d.year
            self._days = self._year_days(d.year)
            self._days_years = 1
            return
        while d.year < self._first_year:
            self._first_year -= 1
            self._days[:0] = self._year_days(self._first_year)
            self._days_years += 1

    def _grow(self) -> None:
        year = self._first_year + self._days_years
        self._days.extend(self._year_days(year))
        self._days_years += 1

    def _year_days(self, year: int) -> list[int]:
        out, d = [], date(year, 1, 1)
        one = timedelta(days=1)
        while d.year == year:
            if self.is_working_day(d):
                out.append(d.toordinal())
            if d.month == 12 and d.day == 31:
                break  # date.max has no day after it
            d += one
        return out

    def _day(self, i: int) -> date:
        """The ``i``-th working day of ``_days``, growing it forward as needed."""
        while i >= len(self._days):
            self._grow()
        return date.fromordinal(self._days[i])

    def _close(self, i: int) -> datetime:
        while i >= len(self._days):
            self._grow()
        o = self._days[i]
        close = self._closes.get(o)
        if close is None:
            close = self._closes[o] = self.close_of(date.fromordinal(o))
        return close

    def _first_after(self, d: date) -> int:
        """Index of the first working day after ``d`` (``d`` is covered)."""
        o = d.toordinal()
        while not self._days or self._days[-1] <= o:
            self._grow()
        return bisect_right(self._days, o)

    def _first_closing_at(self, t: datetime) -> int:
        """Index of the first working day whose office close is at or after ``t``.

        Found by ``t``'s local date, then checked against its neighbours, so
        it holds in any zone (a close moves at most hours from day to day).
        """
        d = self.local_date(t)
        o = d.toordinal()
        while not self._days or self._days[-1] < o:
            self._grow()
        i = bisect_left(self._days, o)
        while i > 0 and self._close(i - 1) >= t:
            i -= 1
        while self._close(i) < t:
            i += 1
        return i

    @staticmethod
    def _spans(pauses: Sequence[Pause], until: Optional[datetime]) -> list[tuple[datetime, datetime]]:
        if not pauses:
            return []
        spans = [(a, b if b is not None else until) for a, b in pauses]
        return sorted((a, b) for a, b in spans if b is not None and b > a)

    def deadline(self, start: datetime, days: int, pauses: Sequence[Pause] = (), until: Optional[datetime] = None) -> datetime:
        """The office close of the ``days``-th working day after ``start``'s day.

        A working day whose close falls inside a pause does not count. An
        open pause (end None) lasts until ``until`` (now, or the end of a
        report's period).
        """
        d = self.local_date(start)
        if days <= 0:
            return self.close_of(d)
        spans = self._spans(pauses, until)
        if not spans:
            key = (d.toordinal(), days)
            due = self._plain.get(key)
            if due is None:
                self._cover(d)
                due = self._plain[key] = self._close(self._first_after(d) + days - 1)
            return due
        self._cover(d)
        # Indexes below ``pos`` are settled; ``left`` days are still to count.
        pos, left = self._first_after(d), days
        for a, b in spans:
            last = pos + left - 1
            if self._close(last) < a:
                break  # the deadline comes before this pause (and every later one)
            lo = self._first_closing_at(a)
            if lo > pos:
                left -= lo - pos
                pos = lo
            pos = max(pos, self._first_closing_at(b))
        return self._close(pos + left - 1)

    # -- the days an officer plans by -------------------------------------

    def next_working_day(self, d: date) -> date:
        """The first working day after ``d``."""
        return next(self.working_days_after(d))

    def last_working_day_of_week(self, d: date) -> date:
        """The last working day of ``d``'s week (Monday to Sunday) that is not before ``d``.

        ``d`` itself when none is left (a Saturday, or a week closed to its end).
        """
        last = d
        for offset in range(1, 7 - d.weekday()):
            day = d + timedelta(days=offset)
            if self.is_working_day(day):
                last = day
        return last

    def end_of_day(self, d: date) -> datetime:
        """The last instant of the local day ``d``: a deadline on ``d`` falls at or before it."""
        return datetime.combine(d + timedelta(days=1), time(0), tzinfo=self.tz) - timedelta(microseconds=1)

    def working_days_waited(self, since: datetime, as_of: datetime) -> int:
        """Working days whose office close falls from ``since`` up to (not at) ``as_of``.

        The days a wait begun at ``since`` has lasted: the same days that
        :meth:`deadline` skips for a pause from ``since`` to ``as_of``.
        """
        if as_of <= since:
            return 0
        self._cover(self.local_date(since))
        return max(self._first_closing_at(as_of) - self._first_closing_at(since), 0)

    def waited_more_than(self, as_of: datetime, days: int) -> datetime:
        """The latest start of a wait that, at ``as_of``, has lasted more than ``days`` working days.

        A wait begun at or before it has; one begun after it has not (what
        ``list --waiting-over`` asks of the index).
        """
        self._cover(self.local_date(as_of))
        while True:
            i = self._first_closing_at(as_of) - days - 1
            if i >= 0:
                return self._close(i)
            if self._first_year <= FIRST_YEAR - 1:
                return datetime.min.replace(tzinfo=self.tz)
            self._cover(date(self._first_year - 1, 1, 1))

    def working_days_taken(self, start: datetime, end: datetime, pauses: Sequence[Pause] = ()) -> int:
        """The fewest working days ``n`` for which ``end`` is on time.

        0 when ``end`` falls on the opening day before office close; the
        measure used for medians, consistent with :meth:`deadline`.
        """
        d = self.local_date(start)
        if end <= self.close_of(d):
            return 0
        self._cover(d)
        # ``j``: the first counted working day closing at or after ``end``;
        # ``counted``: the counted days among the indexes below ``pos``.
        pos = self._first_after(d)
        j = max(pos, self._first_closing_at(end))
        counted = 0
        for a, b in self._spans(pauses, end):
            if self._close(j) < a:
                break  # this pause (and every later one) starts after day j
            lo = self._first_closing_at(a)
            if lo > pos:
                counted += lo - pos
                pos = lo
            pos = max(pos, self._first_closing_at(b))
            j = max(j, pos)
        return counted + (j - pos) + 1
