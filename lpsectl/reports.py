"""The recap of a period and the receipt of a ticket.

:func:`figures` turns tickets into a plain dict — the JSON of
``report --format json`` and what every report template receives. The
render functions turn it into Markdown, HTML, CSV or JSON; Markdown and HTML
(and the receipts) come from Jinja2 templates: the built-in ones live in
the repository's top-level ``templates/`` and install as
``lpsectl/templates/`` (see setup.py); a helpdesk's own ``templates/``
folder overrides them by file name. Templates always render in Jinja2's sandbox with
``StrictUndefined``, so a custom template can neither reach into Python nor
silently print nothing where a value was misspelt.

This module never imports click and never prints; Jinja2 is imported only
when something is rendered, so ``lpsectl --help`` stays light.
"""

from __future__ import annotations

import calendar as _calendar
import copy
import functools
import os
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

from lpsectl.clock import FIRST_YEAR, LAST_YEAR, Calendar, parse_date
from lpsectl.config import Config
from lpsectl.errors import BadInput, LpseError
from lpsectl.i18n import _
from lpsectl.model import CHANNEL, DIFFICULTY, KIND, RESOLUTION, STATUS, TIER, UNCOUNTED_RESOLUTIONS, Ticket
from lpsectl.sla import LATE, ON_TIME, PENDING, assess, days_late
from lpsectl.textout import Encoded

REPORT_FORMATS = ("md", "html", "csv", "json")
RECEIPT_FORMATS = ("txt", "html")
LANGUAGES = ("id", "en")
# The key of tickets without a category in ``by_category``.
NO_CATEGORY = "(none)"
# PermenPANRB 14/2017: the lowest IKM of each grade, best first.
GRADES = (("A", Decimal("88.31")), ("B", Decimal("76.61")), ("C", Decimal("65.00")))
TEMPLATE_DIR = "templates"


class TemplateProblem(LpseError):
    """A report or receipt template cannot be read or rendered."""


# -- the period ------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Inclusive dates in the office's time zone; ``kind`` is month, year or range."""

    start: date
    end: date
    kind: str = "range"

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def months(self) -> list[str]:
        """Every month the period touches, as YYYY-MM."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR_RE = re.compile(r"^\d{4}$")


def month_period(year: int, month: int) -> Period:
    last = _calendar.monthrange(year, month)[1]
    return Period(date(year, month, 1), date(year, month, last), "month")


def parse_period(month: Optional[str] = None, year: Optional[str] = None,
                 date_from: Optional[str] = None, date_to: Optional[str] = None,
                 today: Optional[date] = None) -> Period:
    """The period of ``--month``, ``--year`` or ``--from/--to``; default the month of ``today``."""
    period = _period(month, year, date_from, date_to, today)
    for d in (period.start, period.end):
        if not FIRST_YEAR <= d.year <= LAST_YEAR:
            raise BadInput(_("the period {start} to {end} is out of range: tickets lie in the years {first} to {last}")
                           .format(start=period.start.isoformat(), end=period.end.isoformat(),
                                   first=FIRST_YEAR, last=LAST_YEAR))
    return period


def _period(month: Optional[str], year: Optional[str], date_from: Optional[str],
            date_to: Optional[str], today: Optional[date]) -> Period:
    given = [name for name, v in (("--month", month), ("--year", year)) if v is not None]
    if date_from is not None or date_to is not None:
        given.append("--from/--to")
    if len(given) > 1:
        raise BadInput(_("give one period, not several: {options}").format(options=", ".join(given)))
    if month is not None:
        m = _MONTH_RE.match(month.strip())
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
            raise BadInput(_("malformed --month {month!r}; write YYYY-MM such as 2026-08").format(month=month))
        return month_period(int(m.group(1)), int(m.group(2)))
    if year is not None:
        if not _YEAR_RE.match(year.strip()) or int(year) < 1:
            raise BadInput(_("malformed --year {year!r}; write YYYY such as 2026").format(year=year))
        y = int(year)
        return Period(date(y, 1, 1), date(y, 12, 31), "year")
    if date_from is not None or date_to is not None:
        if date_from is None:
            raise BadInput(_("--to needs --from: give the first day of the period as well"))
        start = parse_date(date_from, _("--from date"))
        end = parse_date(date_to, _("--to date")) if date_to is not None else (today or date.today())
        if end < start:
            raise BadInput(_("--to {end} is before --from {start}; swap them").format(end=end.isoformat(),
                                                                                      start=start.isoformat()))
        return Period(start, end, "range")
    today = today or date.today()
    return month_period(today.year, today.month)


# -- numbers ---------------------------------------------------------------

def round_half_up(value: Fraction | Decimal | int | float, places: int = 2) -> Decimal:
    """``value`` rounded half-up to ``places`` decimals, exactly (no binary float on the way)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Fraction):
        scaled = value * 10 ** places
        # floor(x + 1/2) is half-up for positive x, which every figure here is.
        n = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
        return Decimal(n).scaleb(-places)
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ikm_of(scores: Sequence[int]) -> tuple[Optional[Decimal], Optional[Decimal], Optional[str]]:
    """Mean, IKM (mean × 25) and grade of 1–4 ratings; all None without ratings."""
    if not scores:
        return None, None, None
    exact_mean = Fraction(sum(scores), len(scores))
    ikm = round_half_up(exact_mean * 25)
    return round_half_up(exact_mean), ikm, grade_of(ikm)


def grade_of(ikm: Decimal) -> str:
    """The PermenPANRB 14/2017 grade of a (rounded) IKM."""
    return next((g for g, lowest in GRADES if ikm >= lowest), "D")


def _number(d: Optional[Decimal]) -> Optional[float | int]:
    """A Decimal as a JSON number: an int when whole, else a float of the same digits."""
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _pct(part: int, whole: int) -> Optional[float | int]:
    if not whole:
        return None
    return _number(round_half_up(Fraction(part * 100, whole), 1))


# -- the figures -----------------------------------------------------------

def end_of_day(d: date, tz) -> datetime:
    return datetime.combine(d + timedelta(days=1), time(0), tzinfo=tz) - timedelta(microseconds=1)


def period_as_of(period: Period, cal: Calendar, now: datetime) -> datetime:
    """The moment the figures are taken: the end of the period, or now if that is still to come."""
    return min(end_of_day(period.end, cal.tz), now)


def _category_key(text: Optional[str]) -> Optional[str]:
    text = " ".join((text or "").split())
    return text.casefold() if text else None


@dataclass
class Fact:
    """What the recap needs of one ticket as of the moment of the figures."""

    id: str
    subject: Optional[str]
    channel: str
    kind: str
    difficulty: str
    category: Optional[str]
    month: str  # YYYY-MM it was opened in, in the office's time zone
    status: str
    tier: str
    highest_tier: str
    resolution: Optional[str]
    score: Optional[int]
    response_outcome: str  # ON_TIME, LATE or PENDING
    outcome: str
    response_days: Optional[int]
    resolution_days: Optional[int]
    # Open and past its deadline: then also when it was opened and when due (local ISO 8601).
    overdue: bool
    created_at: Optional[str] = None
    due_at: Optional[str] = None
    # What it waits on and for how many working days.
    wait_on: Optional[str] = None
    waiting_days: Optional[int] = None


def fact_of(t: Ticket, cfg: Config, cal: Calendar, as_of: datetime) -> Fact:
    """The :class:`Fact` of ``t`` (as it stood at ``as_of``), assessed by the clock."""
    a = assess(t, cfg, cal, as_of=as_of, measure=True)
    s = a.state
    tz = cal.tz
    created = t.created_at.astimezone(tz)
    return Fact(
        t.id, t.subject, t.channel, t.kind, t.difficulty, t.category, f"{created:%Y-%m}", s.status, s.tier,
        s.highest_tier, s.resolution, s.score, a.response_outcome, a.outcome, a.response_days,
        a.resolution_days, a.overdue,
        created.isoformat() if a.overdue else None, a.due_at.astimezone(tz).isoformat() if a.overdue else None,
        s.wait_on, a.waiting_days,
    )


# The breakdowns of the recap, each with the values it lists even at zero.
DIMENSIONS = {"channel": CHANNEL, "kind": KIND, "status": STATUS, "tier": TIER, "difficulty": DIFFICULTY,
              "resolution": RESOLUTION, "category": ()}


class Tally:
    """The recap's counts as they are gathered: one ticket's :class:`Fact` at a time, or many at once.

    :func:`figures` adds the fact of every ticket; :func:`figures_from_index`
    adds what SQL counted of the tickets that stand as their rows say, and
    the facts of the few others. Each count takes how many tickets it stands
    for, so both paths share every rule below; :func:`summary` turns the
    tally into the recap.
    """

    def __init__(self, months: list[str]) -> None:
        self.total = 0
        # By dimension, the number of tickets of each value (a category as written).
        self.counts: dict[str, Counter] = {d: Counter() for d in DIMENSIONS}
        self.trend = {m: _month_row(m) for m in months}
        self.sla = {"counted": 0, "on_time": 0, "late": 0, "unresolved": 0,
                    "response_on_time": 0, "response_late": 0, "awaiting_response": 0, "open_overdue": 0}
        self.scores: dict[str, Counter] = {m: Counter() for m in months}
        self.days: dict[str, Counter] = {"response": Counter(), "resolution": Counter()}
        # The overdue list as rows (-days_late, created_at, id, subject, channel, kind, tier,
        # difficulty, due_at): sorted, they are in the recap's order.
        self.overdue: list[tuple] = []
        # Tickets waiting at the moment of the figures, by what they wait on.
        self.waiting: dict[str, dict[str, Any]] = {on: {"count": 0, "longest_days": None}
                                                    for on in ("lkpp", "reporter")}

    def count(self, dimension: str, value: Optional[str], n: int = 1) -> None:
        self.counts[dimension][value] += n

    def cell(self, month: str, counted: bool, response_outcome: str, outcome: str, overdue: bool,
             n: int = 1) -> None:
        """``n`` tickets opened in ``month`` with these deadline outcomes."""
        row = self.trend[month]
        row["total"] += n
        self.total += n
        if not counted:
            return
        self.sla["counted"] += n
        # An unmet deadline that has passed is late like one met late.
        for counted_as in (_RESPONSE_KEY[response_outcome], _RESOLUTION_KEY[outcome]):
            self.sla[counted_as] += n
            if counted_as in row:  # the trend has no column for deadlines still to come
                row[counted_as] += n
        if overdue:
            self.sla["open_overdue"] += n
            row["open_overdue"] += n

    def score(self, month: str, score: int, n: int = 1) -> None:
        self.scores[month][score] += n

    def took(self, which: str, days: int, n: int = 1) -> None:
        """``n`` counted tickets whose response or resolution took ``days`` working days."""
        self.days[which][days] += n

    def late_one(self, tid: str, subject: Optional[str], channel: str, kind: str, tier: str, difficulty: str,
                 created_at: str, due_at: str, days_late: int) -> None:
        """An open ticket past its deadline, for the overdue list (times local ISO 8601)."""
        self.overdue.append((-days_late, created_at, tid, subject, channel, kind, tier, difficulty, due_at))

    def add(self, f: Fact, cal: Calendar, as_of: datetime) -> None:
        """One ticket's fact."""
        if f.waiting_days is not None and f.wait_on in self.waiting:
            w = self.waiting[f.wait_on]
            w["count"] += 1
            w["longest_days"] = max(w["longest_days"] or 0, f.waiting_days)
        for dimension, value in (("channel", f.channel), ("kind", f.kind), ("status", f.status),
                                 ("tier", f.highest_tier), ("difficulty", f.difficulty),
                                 ("resolution", f.resolution), ("category", f.category)):
            self.count(dimension, value)
        if f.score is not None:
            self.score(f.month, f.score)
        counted = f.resolution not in UNCOUNTED_RESOLUTIONS
        self.cell(f.month, counted, f.response_outcome, f.outcome, f.overdue)
        if not counted:
            return
        if f.response_days is not None:
            self.took("response", f.response_days)
        if f.resolution_days is not None:
            self.took("resolution", f.resolution_days)
        if f.overdue:
            self.late_one(f.id, f.subject, f.channel, f.kind, f.tier, f.difficulty, f.created_at,  # type: ignore[arg-type]
                          f.due_at, days_late(cal, datetime.fromisoformat(f.due_at), as_of))  # type: ignore[arg-type]


def figures(tickets: Iterable[Ticket], cfg: Config, cal: Calendar, period: Period,
            now: datetime, public: bool = False,
            track: Optional[Callable[[list[Ticket]], Iterable[Ticket]]] = None) -> dict[str, Any]:
    """The recap of the tickets opened in ``period``, as of its end (or ``now``).

    ``public`` leaves out everything a reporter or an officer wrote (the
    subjects of the overdue list). ``track`` wraps the tickets being
    measured, for a progress bar. The reference for :func:`figures_from_index`.
    """
    tz = cal.tz
    as_of = period_as_of(period, cal, now)
    selected: list[Ticket] = []
    categories: list[Optional[str]] = []
    for t in tickets:
        day = t.created_at.astimezone(tz).date()
        # A ticket opened after the moment of the figures did not exist yet.
        if day > period.end or t.created_at > as_of:
            continue
        t = t.as_of(as_of)
        categories.append(t.category)
        if day >= period.start:
            selected.append(t)
    tally = Tally(period.months())
    for t in (track(selected) if track else selected):
        tally.add(fact_of(t, cfg, cal, as_of), cal, as_of)
    return summary(tally, categories, cfg, period, as_of, public)


# The outcomes as the recap's SQL numbers them.
_OUTCOMES = (ON_TIME, LATE, PENDING)
_UNCOUNTED_SQL = ", ".join(f"'{r}'" for r in sorted(UNCOUNTED_RESOLUTIONS))
# A ticket that stands as its row says: no event after the moment, not
# waiting (a wait moves the deadline until the moment).
_SETTLED = "(last_us IS NULL OR last_us <= :at) AND status != 'waiting'"
# Opened in the period and by the moment: the range of created_us lets SQLite use its index.
_IN_PERIOD = "created_us >= :lo AND created_us <= :at AND day >= :start AND day <= :end"
# A settled row's outcomes against the moment of the figures: response, resolution (0 on time, 1 late, 2 not
# yet due) and whether it is open past its deadline.
_RESPONSE_OUTCOME = """CASE WHEN first_response_us IS NOT NULL THEN first_response_us > response_due_us
             WHEN :at > response_due_us THEN 1 ELSE 2 END"""
_OUTCOME = """CASE WHEN resolved_us IS NOT NULL THEN resolved_us > due_us
             WHEN :at > due_us THEN 1 ELSE 2 END"""
_OVERDUE = "status = 'open' AND :at > due_us"
_COUNTED = f"coalesce(resolution, '') NOT IN ({_UNCOUNTED_SQL})"
# The recap's counts of the settled rows: one group for each value of recap_key
# (lpsectl.recapkey: every breakdown, the rating and the month) with the
# outcomes as its lowest digits (18 = 3 x 3 x 2), then the categories and the
# working days taken, by the covering index tickets_recap: (what, key, tickets).
_COUNTS_SQL = f"""
WITH r AS MATERIALIZED (
    SELECT recap_key * 18 + ({_RESPONSE_OUTCOME}) + 3 * ({_OUTCOME}) + 9 * ({_OVERDUE}) AS k,
        category, response_days, resolution_days, {_COUNTED} AS counted
    FROM tickets WHERE {_IN_PERIOD} AND {_SETTLED})
SELECT 'key', k, count(*) FROM r GROUP BY k
UNION ALL SELECT 'category', category, count(*) FROM r GROUP BY category
UNION ALL SELECT 'response', response_days, count(*) FROM r
    WHERE counted AND response_days IS NOT NULL GROUP BY response_days
UNION ALL SELECT 'resolution_days', resolution_days, count(*) FROM r
    WHERE counted AND resolution_days IS NOT NULL GROUP BY resolution_days
"""
# The same counts by the values themselves, for an index holding a value no
# list of lpsectl.recapkey knows (a row without a key): (what, key, key, ..., tickets).
_COUNTS_BY_VALUE_SQL = f"""
WITH r AS MATERIALIZED (
    SELECT channel, kind, status, highest_tier, difficulty, resolution, category,
        substr(day, 1, 7) AS month, score, response_days, resolution_days,
        {_COUNTED} AS counted, {_RESPONSE_OUTCOME} AS response_outcome, {_OUTCOME} AS outcome,
        {_OVERDUE} AS overdue
    FROM tickets WHERE {_IN_PERIOD} AND {_SETTLED})
SELECT 'channel', channel, NULL, NULL, NULL, count(*) FROM r GROUP BY channel
UNION ALL SELECT 'kind', kind, NULL, NULL, NULL, count(*) FROM r GROUP BY kind
UNION ALL SELECT 'status', status, NULL, NULL, NULL, count(*) FROM r GROUP BY status
UNION ALL SELECT 'tier', highest_tier, NULL, NULL, NULL, count(*) FROM r GROUP BY highest_tier
UNION ALL SELECT 'difficulty', difficulty, NULL, NULL, NULL, count(*) FROM r GROUP BY difficulty
UNION ALL SELECT 'resolution', resolution, NULL, NULL, NULL, count(*) FROM r GROUP BY resolution
UNION ALL SELECT 'category', category, NULL, NULL, NULL, count(*) FROM r GROUP BY category
UNION ALL SELECT 'score', month, score, NULL, NULL, count(*) FROM r WHERE score IS NOT NULL GROUP BY month, score
UNION ALL SELECT 'response', response_days, NULL, NULL, NULL, count(*) FROM r
    WHERE counted AND response_days IS NOT NULL GROUP BY response_days
UNION ALL SELECT 'resolution_days', resolution_days, NULL, NULL, NULL, count(*) FROM r
    WHERE counted AND resolution_days IS NOT NULL GROUP BY resolution_days
UNION ALL SELECT 'cell', month, counted, response_outcome, outcome * 2 + overdue, count(*) FROM r
    GROUP BY month, counted, response_outcome, outcome, overdue
"""
# The settled tickets past their deadline as rows of the overdue list
# (Tally.overdue), in its order. The working days late are a subtraction in
# calendar_days (:last_n: the working days whose close has passed by the
# moment); NULL where the table does not hold a day, for the clock to count.
# From the narrow rows of the listings: the overdue ones of a year are thousands.
_OVERDUE_SQL = f"""
SELECT -max(:last_n - n, 1), created_local_iso, id, subject, channel, kind, tier, difficulty, due_iso
FROM listed LEFT JOIN (SELECT day AS due_day, n FROM calendar_days) ON due_day = substr(due_iso, 1, 10)
WHERE status = 'open' AND {_IN_PERIOD} AND {_SETTLED} AND :at > due_us
    AND {_COUNTED}
ORDER BY 1, 2, 3
"""


# The categories written on a ticket opened by the end of the period and not
# edited since: each category once, found by a seek past the one before in
# tickets_categories (named: left to choose, SQLite reads every wide row),
# with one seek for a ticket of it that counts. No category (NULL) is no name.
_CATEGORIES_SQL = """
WITH RECURSIVE c(category) AS (
    SELECT min(category) FROM tickets INDEXED BY tickets_categories
    UNION ALL
    SELECT (SELECT min(category) FROM tickets INDEXED BY tickets_categories WHERE category > c.category)
    FROM c WHERE c.category IS NOT NULL)
SELECT category FROM c WHERE category IS NOT NULL AND EXISTS (
    SELECT 1 FROM tickets INDEXED BY tickets_categories WHERE tickets.category = c.category
        AND day <= :end AND created_us <= :at AND (edit_us IS NULL OR edit_us <= :at))
"""


def figures_from_index(ix: Any, cfg: Config, cal: Calendar, period: Period, now: datetime,
                       public: bool = False, as_json: bool = False) -> dict[str, Any]:
    """:func:`figures` of the tickets the index ``ix`` holds, counted by SQL rather than one by one.

    A ticket whose last event is at or before the moment of the figures and
    that is not waiting stands as its row says: SQL counts such rows,
    comparing their deadlines with that moment, and counts the working days
    each overdue one is late against ``calendar_days``. The few others (an
    event after the moment, a wait) are assessed like every ticket without
    the index, and added to the counts.

    ``as_json``: the overdue list (thousands of rows in a year) is the JSON
    text :func:`report_json` writes of it (:func:`overdue_json`), not dicts.
    """
    from lpsectl.index import micros

    tz = cal.tz
    as_of = period_as_of(period, cal, now)
    at = micros(as_of)
    end = period.end.isoformat()
    # Every category up to the end of the period, as it stood then (an edit after it is undone).
    categories: list[Optional[str]] = [c for (c,) in ix.db.execute(_CATEGORIES_SQL, {"end": end, "at": at})]
    # (Rows picked by rowid from a covering index first: the few, never the wide rows of all.)
    categories += [t.as_of(as_of).category for t in ix.tickets(
        "rowid IN (SELECT rowid FROM tickets WHERE edit_us > ? AND day <= ? AND created_us <= ?)", (at, end, at))]
    # A day early: the bound only narrows the rows, ``day`` decides (whatever the zone's midnight).
    lo = micros(datetime.combine(period.start, time(0), tzinfo=tz)) - 86_400_000_000
    params = {"at": at, "lo": lo, "start": period.start.isoformat(), "end": end}
    tally = Tally(period.months())
    for t in ix.tickets(f"rowid IN (SELECT rowid FROM tickets WHERE {_IN_PERIOD} AND NOT ({_SETTLED}))", params):
        tally.add(fact_of(t.as_of(as_of), cfg, cal, as_of), cal, as_of)
    _count_settled(ix, params, tally)
    # The working days whose office close has passed by the moment, counted as calendar_days counts.
    last = cal.local_date(as_of)
    if cal.close_of(last) > as_of:
        last -= timedelta(days=1)
    row = ix.db.execute("SELECT n FROM calendar_days WHERE day = ?", (last.isoformat(),)).fetchone()
    params["last_n"] = row[0] if row else None
    late = ix.db.execute(_OVERDUE_SQL, params).fetchall()
    # Days the table does not hold (they sort first): the clock counts them.
    uncounted = bool(late) and late[0][0] is None
    if uncounted:
        late = [r if r[0] is not None else (-days_late(cal, datetime.fromisoformat(r[8]), as_of), *r[1:])
                for r in late]
    if not as_json:
        tally.overdue += late
        return summary(tally, categories, cfg, period, as_of, public)
    assessed, tally.overdue = tally.overdue, []
    fig = summary(tally, categories, cfg, period, as_of, public)
    fig["overdue"] = overdue_json(sorted(late + assessed) if assessed or uncounted else late, public)
    return fig


def _count_settled(ix: Any, params: dict[str, Any], tally: Tally) -> None:
    """Add to ``tally`` what SQL counts of the period's settled rows (see :data:`_COUNTS_SQL`)."""
    from lpsectl.recapkey import values_of

    rows = ix.db.execute(_COUNTS_SQL, params).fetchall()
    if any(what == "key" and key is None for what, key, _n in rows):
        _count_settled_by_value(ix, params, tally)
        return
    for what, key, n in rows:
        if what == "key":
            key, low = divmod(key, 18)
            (channel, kind, status, tier, difficulty, resolution, score), month = values_of(key)
            for dimension, value in (("channel", channel), ("kind", kind), ("status", status), ("tier", tier),
                                     ("difficulty", difficulty), ("resolution", resolution)):
                tally.count(dimension, value, n)
            if score is not None:
                tally.score(month, score, n)
            tally.cell(month, resolution not in UNCOUNTED_RESOLUTIONS, _OUTCOMES[low % 3],
                       _OUTCOMES[low // 3 % 3], bool(low // 9), n)
        elif what == "category":
            tally.count("category", key, n)
        elif what == "response":
            tally.took("response", key, n)
        else:
            tally.took("resolution", key, n)


def _count_settled_by_value(ix: Any, params: dict[str, Any], tally: Tally) -> None:
    """:func:`_count_settled` by the values themselves (:data:`_COUNTS_BY_VALUE_SQL`)."""
    for what, key, second, third, fourth, n in ix.db.execute(_COUNTS_BY_VALUE_SQL, params):
        if what == "cell":
            tally.cell(key, bool(second), _OUTCOMES[third], _OUTCOMES[fourth // 2], bool(fourth % 2), n)
        elif what == "score":
            tally.score(key, second, n)
        elif what == "response":
            tally.took("response", key, n)
        elif what == "resolution_days":
            tally.took("resolution", key, n)
        else:
            tally.count(what, key, n)


def overdue_json(rows: list[tuple], public: bool) -> Encoded:
    """The JSON text of the recap's overdue list of ``rows`` (as :attr:`Tally.overdue` holds them, in order).

    What :func:`report_json` writes of the list of objects :func:`summary`
    makes of them (tests/unit/test_recap_from_the_index_matches_the_tickets.py),
    one format per row: tens of thousands of rows in a year, made into objects
    and given to the encoder, took as long as counting the whole recap.
    """
    if not rows:
        return Encoded("[]")
    from json.encoder import encode_basestring as q  # what json.dumps(ensure_ascii=False) writes a string with

    f = "\n" + "  " * 3  # a field of an object of a list one deep
    texts = []
    for minus, c, i, s, ch, k, t, d, due in rows:
        said = "" if public else f'{f}"subject": {"null" if s is None else q(s)},'
        texts.append(f'{{{f}"id": {q(i)},{said}{f}"channel": {q(ch)},{f}"kind": {q(k)},{f}"tier": {q(t)},'
                     f'{f}"difficulty": {q(d)},{f}"created_at": {q(c)},{f}"due_at": {q(due)},{f}"days_late": {-minus}')
    return Encoded("[\n    " + "\n    },\n    ".join(texts) + "\n    }\n  ]")


def _counts(dimension: str, counts: Counter) -> dict[str, int]:
    """The counts of one breakdown: its usual values first, zeros included."""
    out = {v: 0 for v in DIMENSIONS[dimension]}
    for value in sorted(v for v in counts if v is not None):
        out[value] = out.get(value, 0) + counts[value]
    return out


def _median(days: Counter) -> Optional[float | int]:
    """The median of the values counted in ``days`` (value: how many times)."""
    n = sum(days.values())
    if not n:
        return None
    wanted = sorted({(n - 1) // 2, n // 2})
    found: list[int] = []
    seen = 0
    for value in sorted(days):
        seen += days[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    m = statistics.median(found) if len(found) > 1 else found[0]
    return int(m) if float(m).is_integer() else float(m)


def summary(tally: Tally, categories: Iterable[Optional[str]], cfg: Config, period: Period,
            as_of: datetime, public: bool) -> dict[str, Any]:
    """The recap of what ``tally`` counted of the period's tickets.

    ``categories``: the category of every ticket opened up to the end of the
    period (repeats welcome), so a month lists the zeros of the office's
    usual categories too.
    """
    spellings: dict[str, set[str]] = {}
    for category in categories:
        key = _category_key(category)
        if key is not None:
            spellings.setdefault(key, set()).add(" ".join(category.split()))  # type: ignore[union-attr]
    category_name = {k: min(v) for k, v in spellings.items()}
    by_category = {name: 0 for name in sorted(category_name.values(), key=lambda s: (s.casefold(), s))}
    by_category[NO_CATEGORY] = 0
    for category, n in tally.counts["category"].items():
        key = _category_key(category)
        by_category[category_name[key] if key else NO_CATEGORY] += n

    # Most late first, then oldest first: a tuple's order (the id, unique, settles every tie).
    rows = sorted(tally.overdue)
    overdue = [{"id": i, "subject": s, "channel": ch, "kind": k, "tier": t, "difficulty": d, "created_at": c,
                "due_at": due, "days_late": -minus} for minus, c, i, s, ch, k, t, d, due in rows]
    if public:
        for item in overdue:
            del item["subject"]
    scores: Counter = sum(tally.scores.values(), Counter())
    mean, ikm, grade = ikm_of(list(scores.elements()))
    months = period.months()
    trend = tally.trend
    for m in months:
        _, m_ikm, m_grade = ikm_of(list(tally.scores[m].elements()))
        trend[m]["ratings"] = sum(tally.scores[m].values())
        trend[m]["ikm"] = _number(m_ikm)
        trend[m]["grade"] = m_grade
    sla = tally.sla
    office = cfg.office
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat(), "kind": period.kind},
        "as_of": as_of.replace(microsecond=0).isoformat(),
        "public": public,
        "office": {"name": office.name, "unit": office.unit, "address": office.address,
                   "phone": office.phone, "email": office.email, "website": office.website},
        "targets": {"first_response_days": cfg.first_response_days,
                    "resolution_days": {d: cfg.resolution_days.get(d) for d in DIFFICULTY}},
        "total": tally.total,
        **{f"by_{d}": _counts(d, tally.counts[d]) for d in ("channel", "kind")},
        "by_category": by_category,
        **{f"by_{d}": _counts(d, tally.counts[d]) for d in ("status", "tier", "difficulty", "resolution")},
        "sla": {
            **sla,
            "on_time_pct": _pct(sla["on_time"], sla["on_time"] + sla["late"]),
            "response_on_time_pct": _pct(sla["response_on_time"], sla["response_on_time"] + sla["response_late"]),
            "median_response_days": _median(tally.days["response"]),
            "median_resolution_days": _median(tally.days["resolution"]),
        },
        "waiting": tally.waiting,
        "satisfaction": {
            "count": sum(scores.values()), "mean": _number(mean), "ikm": _number(ikm), "grade": grade,
            "by_score": {str(n): scores[n] for n in (1, 2, 3, 4)},
        },
        "overdue": overdue,
        "trend": [trend[m] for m in months],
    }


# The figure each deadline outcome of lpsectl.sla counts in.
_RESPONSE_KEY = {ON_TIME: "response_on_time", LATE: "response_late", PENDING: "awaiting_response"}
_RESOLUTION_KEY = {ON_TIME: "on_time", LATE: "late", PENDING: "unresolved"}


def _month_row(month: str) -> dict[str, Any]:
    return {"month": month, "total": 0, "response_on_time": 0, "response_late": 0,
            "on_time": 0, "late": 0, "open_overdue": 0}


# -- the receipt -----------------------------------------------------------

def receipt_data(t: Ticket, cfg: Config, cal: Calendar, now: datetime) -> dict[str, Any]:
    """What a receipt shows: the office, the ticket as received, its deadlines now."""
    a = assess(t, cfg, cal, as_of=max(now, t.created_at))
    tz = cal.tz
    office = cfg.office
    return {
        "office": {"name": office.name, "unit": office.unit, "address": office.address,
                   "phone": office.phone, "email": office.email, "website": office.website},
        "ticket": {
            "id": t.id, "channel": t.channel, "kind": t.kind, "difficulty": t.difficulty,
            "created_at": t.created_at.astimezone(tz).isoformat(),
            "reporter_name": t.reporter.name, "reporter_account": t.reporter.account,
            "reporter_email": t.reporter.email, "subject": t.subject,
            "lapor_ref": t.refs.get("lapor"),
            "received_by": t.history[0].by if t.history else None,
            "holder": a.state.holder,
            "status": a.state.status,
            "due_at": a.due_at.astimezone(tz).isoformat(),
            "response_due_at": a.response_due_at.astimezone(tz).isoformat(),
        },
        "targets": {"first_response_days": cfg.first_response_days,
                    "resolution_days": cfg.resolution_days.get(t.difficulty)},
    }


# -- CSV and JSON ----------------------------------------------------------

def report_json(fig: dict[str, Any]) -> str:
    from lpsectl.textout import json_text

    return json_text(fig) + "\n"


def csv_rows(fig: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """``section,key,value`` rows: the JSON flattened, lists keyed by id or month."""
    rows: list[tuple[str, str, Any]] = []

    def walk(section: str, value: dict[str, Any]) -> None:
        for key, v in value.items():
            if isinstance(v, dict):
                walk(f"{section}.{key}" if section else key, v)
            elif isinstance(v, list):
                for item in v:
                    walk(f"{key}.{item.get('id') or item.get('month')}", item)
            else:
                rows.append((section or "report", key, v))

    walk("", fig)
    return rows


def report_csv(fig: dict[str, Any]) -> str:
    """``section,key,value`` rows; cells as every CSV of lpsectl writes them (:mod:`lpsectl.csvcells`)."""
    from lpsectl.csvcells import table

    return table(("section", "key", "value"), csv_rows(fig))


# -- templates -------------------------------------------------------------

def _autoescape(name: Optional[str]) -> bool:
    return bool(name) and any(ext in name for ext in (".html", ".htm", ".svg", ".xml"))  # type: ignore[operator]


def builtin_templates() -> Path:
    """The folder of the built-in templates.

    Installed from a wheel they are ``lpsectl/templates/``; in a source
    checkout (an editable install, or ``python -m lpsectl`` from the
    repository) they are the top-level ``templates/`` beside the package.
    """
    package = Path(__file__).resolve().parent
    for folder in (package / TEMPLATE_DIR, package.parent / TEMPLATE_DIR):
        if (folder / "report.md.j2").is_file():
            return folder
    raise TemplateProblem(_("the built-in templates are missing from this installation of lpsectl; reinstall it"))


def environment(root: Optional[Path] = None):
    """The sandboxed Jinja2 environment: the helpdesk's ``templates/`` first, then the package's."""
    import jinja2

    from lpsectl.sandbox import BoundedSandbox

    loaders: list = []
    if root is not None and (root / TEMPLATE_DIR).is_dir():
        loaders.append(jinja2.FileSystemLoader(str(root / TEMPLATE_DIR), encoding="utf-8"))
    loaders.append(jinja2.FileSystemLoader(str(builtin_templates()), encoding="utf-8"))
    env = BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
        autoescape=_autoescape, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, bytecode_cache=_compiled_templates(root),
    )
    env.filters.update(md=md_escape, wrap_lines=wrap_lines, center_lines=center_lines)
    env.charge_filters()
    return env


# Where the helpdesk keeps templates compiled once (git-ignored, disposable, like the index).
COMPILED_DIR = Path(".lpsectl") / "templates"


def _compiled_templates(root: Optional[Path]):
    """Jinja2's cache of compiled templates in the helpdesk's ``.lpsectl/``; None where there is none.

    Jinja2 compiles every template on each run (a quarter of a second for the
    recap); the cache keeps the result per template file and source, and
    per version of Jinja2 and Python. The key of its files also covers the
    code that shapes the compiled templates (the sandbox's rewriting, the
    environment's options), so another version of lpsectl never runs what
    this one compiled. A cache that cannot be read or written is no cache.
    """
    if root is None or not (root / COMPILED_DIR.parent).is_dir():
        return None
    import hashlib

    import jinja2

    from lpsectl import sandbox

    class Quiet(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except OSError:
                pass

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    h = hashlib.blake2b(digest_size=8)
    for module in (__file__, sandbox.__file__):
        try:
            h.update(Path(module).read_bytes())
        except OSError:  # pragma: no cover - frozen or zipped
            return None
    folder = root / COMPILED_DIR
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return None
    return Quiet(str(folder), f"%s.{h.hexdigest()}.cache")


def md_escape(text: Any) -> str:
    """Text safe in a Markdown table cell: one line, no markup characters."""
    s = " ".join(str(text).split())
    return re.sub(r"([\\`*_\[\]<>|#~])", r"\\\1", s)


def wrap_lines(text: Any, width: int = 40, indent: str = "") -> str:
    """Word-wrapped text for a receipt printer, every line indented by ``indent``."""
    import textwrap

    lines = textwrap.wrap(" ".join(str(text).split()), width=max(width - len(indent), 8),
                          break_long_words=True, break_on_hyphens=False) or [""]
    return "\n".join(indent + line for line in lines)


def center_lines(text: Any, width: int = 40) -> str:
    """Word-wrapped text, every line centred in ``width`` columns (a receipt's header)."""
    return "\n".join(line.center(width).rstrip() for line in wrap_lines(text, width).split("\n"))


def _where(filename: Optional[str], root: Optional[Path]) -> str:
    """A template's file, relative to the helpdesk folder when it lies there."""
    if filename and root is not None:
        try:
            return Path(filename).resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return filename or "template"


def render(name: str, context: dict[str, Any], root: Optional[Path] = None) -> str:
    """Render template ``name``; any failure is one :class:`TemplateProblem` naming file and line."""
    import jinja2

    from lpsectl.sandbox import MAX_OUTPUT, OutputTooLong

    env = environment(root)
    dirs = [str(root / TEMPLATE_DIR)] if root is not None else []
    try:
        template = env.get_template(name)
        return env.render_bounded(template, context)
    except OutputTooLong as exc:
        raise TemplateProblem(_("{where}: the template writes more than {limit:,} characters; fix the template, "
                                "or remove it to use the built-in one").format(where=_where(exc.filename, root),
                                                                              limit=MAX_OUTPUT)) from None
    except jinja2.TemplateSyntaxError as exc:
        where = _where(exc.filename or exc.name, root)
        raise TemplateProblem(_("{where}:{line}: {problem}; fix the template, or remove it to use the built-in one")
                              .format(where=where, line=exc.lineno, problem=exc.message)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(_("template {template} not found (wanted by {name}); put it in {folder}/ of the "
                                "helpdesk folder").format(template=exc.name, name=name, folder=TEMPLATE_DIR)) from None
    except Exception as exc:  # noqa: BLE001 - a template may fail in any way; say where
        filename, line = _template_frame(exc, dirs)
        what = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else f"{type(exc).__name__}: {exc}"
        where = f"{_where(filename, root)}:{line}" if filename else name
        raise TemplateProblem(_("{where}: {problem}; fix the template, or remove it to use the built-in one")
                              .format(where=where, problem=what)) from None


def _template_frame(exc: BaseException, extra_dirs: list[str]) -> tuple[Optional[str], Optional[int]]:
    """The innermost traceback frame that lies in a template file."""
    import traceback

    dirs = [os.path.abspath(d) for d in (*extra_dirs, str(builtin_templates()))]
    found: tuple[Optional[str], Optional[int]] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        path = os.path.abspath(frame.filename)
        if any(path.startswith(d + os.sep) for d in dirs):
            found = (frame.filename, frame.lineno)
    return found


# -- rendering -------------------------------------------------------------

def labels(lang: str) -> dict[str, Any]:
    if lang not in LABELS:
        raise BadInput(_("unknown language {lang!r}; use id or en").format(lang=lang))
    return LABELS[lang]


def _remembered(method: Callable[..., str]) -> Callable[..., str]:
    """A :class:`Formatter` method that keeps its answers: a recap writes the same few dates and numbers
    thousands of times (the overdue list of a year). The type is part of the key: 1 and 1.0 are equal."""
    name = method.__name__

    @functools.wraps(method)
    def remembered(self: "Formatter", value: Any, *args: Any, **kwargs: Any) -> str:
        key = (name, type(value), value, args, tuple(kwargs.items()))
        try:
            return self._said[key]
        except KeyError:
            text = self._said[key] = method(self, value, *args, **kwargs)
            return text
        except TypeError:  # unhashable: said afresh
            return method(self, value, *args, **kwargs)

    return _helper(remembered)


def _helper(f: Callable[..., Any]) -> Callable[..., Any]:
    """Mark ``f`` as a helper of lpsectl's own: the sandbox calls it without its checks (see sandbox.py)."""
    f.lpsectl_helper = True  # type: ignore[attr-defined]
    return f


class Formatter:
    """Numbers, dates and times in the words of one language, for templates."""

    def __init__(self, lang: str, tz) -> None:
        self.lang = lang
        self.tz = tz
        self.words = labels(lang)
        self._said: dict[tuple, str] = {}

    @_remembered
    def num(self, value: Any, places: Optional[int] = None) -> str:
        """``value`` with the language's separators (1.234,5 in id, 1,234.5 in en); None is a dash."""
        if value is None:
            return "–"
        d = Decimal(str(value))
        if places is None:
            places = 0 if d == d.to_integral_value() else max(-d.normalize().as_tuple().exponent, 0)
        else:
            d = round_half_up(d, places)
        text = f"{d:,.{places}f}"
        if self.lang == "id":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    @_remembered
    def pct(self, value: Any) -> str:
        return "–" if value is None else f"{self.num(value)} %"

    @_remembered
    def date(self, value: Any, weekday: bool = False) -> str:
        d = value if isinstance(value, date) else datetime.fromisoformat(str(value))
        if isinstance(d, datetime):
            d = d.astimezone(self.tz).date()
        text = f"{d.day} {self.words['months'][d.month - 1]} {d.year}"
        return f"{self.words['weekdays'][d.weekday()]}, {text}" if weekday else text

    @_remembered
    def time(self, value: Any) -> str:
        t = datetime.fromisoformat(str(value)).astimezone(self.tz)
        zone = t.tzname() or ""
        if zone.startswith(("+", "-")):
            zone = "UTC" + zone
        sep = "." if self.lang == "id" else ":"
        return f"{t:%H}{sep}{t:%M} {zone}".strip()

    @_remembered
    def datetime(self, value: Any, weekday: bool = False) -> str:
        return f"{self.date(value, weekday)} {self.time(value)}"

    @_remembered
    def month(self, value: str) -> str:
        y, m = value.split("-")
        return f"{self.words['months'][int(m) - 1]} {y}"

    @_remembered
    def month_short(self, value: str) -> str:
        return self.words["months"][int(value.split("-")[1]) - 1][:3]


def _context(lang: str, tz, **data: Any) -> dict[str, Any]:
    fmt = Formatter(lang, tz)
    # A copy: a sandboxed template may still change the dicts it is given.
    words = copy.deepcopy(fmt.words)
    return {
        **data, "lang": lang, "L": words,
        "num": fmt.num, "pct": fmt.pct, "fmt_date": fmt.date, "fmt_time": fmt.time,
        "fmt_datetime": fmt.datetime, "fmt_month": fmt.month, "month_short": fmt.month_short,
        "share": _helper(lambda part, whole: fmt.pct(_pct(part, whole))),
        "overdue_rows": _helper(functools.partial(overdue_rows, fmt, words)),
        "no_category": NO_CATEGORY,
    }


def overdue_rows(fmt: Formatter, words: dict[str, Any], overdue: Iterable[dict[str, Any]], public: bool) -> Any:
    """The helper ``overdue_rows(report.overdue, report.public)``: the rows of report.html.j2's overdue table.

    Exactly what this loop of Jinja2 writes (tests/unit/test_overdue_rows_are_the_template_loop.py),
    everything escaped as autoescape does::

        {% for o in report.overdue %}
        <tr><td class="id">{{ o.id }}</td>{% if not report.public %}<td class="text">{{ o.subject or "–" }}</td>{% endif %}<td>{{ L.tier[o.tier] }}</td><td class="id">{{ fmt_datetime(o.due_at) }}</td><td class="n">{{ num(o.days_late) }}</td></tr>
        {% endfor %}

    A year's list is tens of thousands of rows: written by the loop, each
    row's dozen parts, escapes and calls took most of the time of the report.
    The cells after the subject repeat (a few tiers, deadlines and counts of
    days), so each different run of them is written once.
    """
    from markupsafe import Markup, escape

    tiers = words["tier"]
    tails: dict[tuple, str] = {}
    out = []
    for o in overdue:
        late = o["days_late"]
        key = (o["tier"], o["due_at"], late, type(late))
        tail = tails.get(key)
        if tail is None:
            tail = tails[key] = (f'<td>{escape(tiers[o["tier"]])}</td>'
                                 f'<td class="id">{escape(fmt.datetime(o["due_at"]))}</td>'
                                 f'<td class="n">{escape(fmt.num(late))}</td></tr>\n')
        subject = "" if public else f'<td class="text">{escape(o["subject"] or "–")}</td>'
        out.append(f'<tr><td class="id">{escape(o["id"])}</td>{subject}{tail}')
    return Markup("".join(out))


def render_report(fig: dict[str, Any], fmt: str, lang: str, tz, root: Optional[Path] = None) -> str:
    """The recap ``fig`` (from :func:`figures`) as md, html, csv or json."""
    if fmt == "json":
        return report_json(fig)
    if fmt == "csv":
        return report_csv(fig)
    if fmt not in REPORT_FORMATS:
        raise BadInput(_("unknown report format {format!r}; use {formats}").format(format=fmt, formats=", ".join(REPORT_FORMATS)))
    return render(f"report.{fmt}.j2", _context(lang, tz, report=fig, office=fig["office"]), root)


def render_receipt(data: dict[str, Any], fmt: str, lang: str, tz, root: Optional[Path] = None) -> str:
    if fmt not in RECEIPT_FORMATS:
        raise BadInput(_("unknown receipt format {format!r}; use {formats}").format(format=fmt, formats=", ".join(RECEIPT_FORMATS)))
    return render(f"receipt.{fmt}.j2", _context(lang, tz, office=data["office"], ticket=data["ticket"],
                                                 targets=data["targets"]), root)


ERASURE_FORMATS = ("md", "html")


def render_erasure(record: dict[str, Any], office: Any, fmt: str, lang: str, tz,
                   root: Optional[Path] = None) -> str:
    """The berita acara of ``privacy expire``: ``record`` holds no reporter's data."""
    if fmt not in ERASURE_FORMATS:
        raise BadInput(_("unknown format {fmt!r}; use {items}").format(fmt=fmt, items=', '.join(ERASURE_FORMATS)))
    office_data = {"name": office.name, "unit": office.unit, "address": office.address}
    return render(f"erasure.{fmt}.j2", _context(lang, tz, record=record, office=office_data), root)


# -- words -----------------------------------------------------------------

LABELS: dict[str, dict[str, Any]] = {
    "id": {
        "channel": {
            "portal": "LPSE Support (portal)", "phone": "Telepon", "walk-in": "Datang langsung",
            "email": "Surel", "suggestion-box": "Kotak saran", "lapor": "SP4N-LAPOR!",
            "whatsapp": "WhatsApp",
        },
        "kind": {
            "complaint": "Pengaduan", "problem": "Permasalahan", "grievance": "Keluhan",
            "suggestion": "Masukan", "question": "Pertanyaan",
        },
        "tier": {"helpdesk": "Helpdesk", "admin-ppe": "Admin PPE", "lkpp": "Helpdesk LKPP-RI"},
        "status": {"open": "Terbuka", "waiting": "Menunggu", "answered": "Dijawab", "closed": "Ditutup"},
        "difficulty": {"easy": "Ringan", "normal": "Sedang", "hard": "Berat", "investigation": "Investigasi"},
        "resolution": {
            "answered": "Dijawab", "redirected": "Dialihkan ke LPSE Support",
            "referred": "Dirujuk ke pihak berwenang", "duplicate": "Duplikat",
            "withdrawn": "Dicabut pelapor", "invalid": "Tidak valid",
        },
        "grade": {"A": "Sangat baik", "B": "Baik", "C": "Kurang baik", "D": "Tidak baik"},
        "wait_on": {"lkpp": "Helpdesk LKPP-RI", "reporter": "Pelapor"},
        "months": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                   "September", "Oktober", "November", "Desember"],
        "weekdays": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
        "text": {
            "title": "Rekapitulasi Penanganan Pengaduan",
            "public_note": "Versi publik: tanpa data pribadi dan tanpa isi pengaduan.",
            "period": "Periode", "as_of": "Keadaan per", "to": "s.d.",
            "summary": "Ringkasan", "total": "Jumlah tiket", "figure": "Uraian", "count": "Jumlah",
            "share": "Persentase",
            "by_channel": "Menurut kanal", "by_kind": "Menurut jenis", "by_category": "Menurut kategori",
            "by_status": "Menurut status", "by_tier": "Menurut tingkat tertinggi yang dicapai",
            "by_difficulty": "Menurut tingkat kesulitan", "by_resolution": "Menurut penyelesaian",
            "channel": "Kanal", "kind": "Jenis", "category": "Kategori", "status": "Status",
            "tier": "Tingkat", "difficulty": "Kesulitan", "resolution": "Penyelesaian",
            "no_category": "(tanpa kategori)",
            "sla": "Ketepatan waktu (hari kerja)",
            "sla_note": ("Dihitung dalam hari kerja kantor; tiket duplikat, dicabut dan tidak valid tidak dihitung. "
                        "Terlambat termasuk tiket yang belum ditanggapi atau belum selesai padahal batas waktunya "
                        "sudah lewat; belum jatuh tempo: belum ditanggapi atau belum selesai, batas waktu belum lewat."),
            "response": "Tanggapan pertama", "resolution_sla": "Penyelesaian",
            "on_time": "Tepat waktu", "late": "Terlambat", "pending": "Belum jatuh tempo",
            "on_time_pct": "Persentase tepat waktu",
            "median_days": "Median waktu (hari kerja)",
            "open_overdue": "Tiket terbuka yang melewati batas waktu",
            "overdue_short": "Lewat batas waktu",
            "counted": "Tiket yang dihitung",
            "waiting": "Tiket yang menunggu pada akhir periode", "waiting_on": "Menunggu",
            "longest_wait": "Penantian terlama (hari kerja)",
            "targets": "Standar waktu",
            "target_response": "Tanggapan pertama", "day": "hari kerja", "days": "hari kerja",
            "satisfaction": "Indeks kepuasan pengaduan",
            "ratings": "Jumlah penilaian", "mean": "Nilai rata-rata (1–4)", "ikm": "IKM (rata-rata × 25)",
            "grade": "Mutu pelayanan", "no_ratings": "Belum ada penilaian pada periode ini.",
            "score": "Nilai",
            "overdue": "Tiket terbuka yang terlambat", "none_overdue": "Tidak ada tiket yang terlambat.",
            "id": "Nomor tiket", "subject": "Perihal", "due": "Batas waktu", "days_late": "Hari kerja terlambat",
            "trend": "Tren per bulan", "month": "Bulan",
            "chart_channel": "Tiket menurut kanal", "chart_trend": "Jumlah tiket per bulan",
            "chart_sla": "Tepat waktu dan terlambat",
            "contact": "Kontak", "phone": "Telp.", "email": "Surel", "website": "Situs",
            "generated_by": "Dibuat dengan lpsectl",
            "receipt_title": "TANDA TERIMA PENGADUAN",
            "received_at": "Diterima", "reporter": "Pelapor", "anonymous": "(anonim)",
            "lapor_ref": "No. SP4N-LAPOR!", "lapor_ref_short": "No. LAPOR!", "received_by": "Petugas",
            "holder": "Ditangani oleh",
            "response_due": "Tanggapan pertama paling lambat", "resolution_due": "Penyelesaian paling lambat",
            "follow_up": "Tindak lanjut",
            "follow_up_text": "Sebutkan nomor tiket ini setiap menghubungi kami.",
            "free": "Layanan ini tidak dipungut biaya.",
            "thanks": "Terima kasih.",
        },
    },
    "en": {
        "channel": {
            "portal": "LPSE Support (portal)", "phone": "Phone", "walk-in": "Walk-in",
            "email": "E-mail", "suggestion-box": "Suggestion box", "lapor": "SP4N-LAPOR!",
            "whatsapp": "WhatsApp",
        },
        "kind": {
            "complaint": "Complaint", "problem": "Problem", "grievance": "Grievance",
            "suggestion": "Suggestion", "question": "Question",
        },
        "tier": {"helpdesk": "Helpdesk", "admin-ppe": "Admin PPE", "lkpp": "LKPP-RI helpdesk"},
        "status": {"open": "Open", "waiting": "Waiting", "answered": "Answered", "closed": "Closed"},
        "difficulty": {"easy": "Easy", "normal": "Normal", "hard": "Hard", "investigation": "Investigation"},
        "resolution": {
            "answered": "Answered", "redirected": "Redirected to LPSE Support",
            "referred": "Referred to the competent body", "duplicate": "Duplicate",
            "withdrawn": "Withdrawn", "invalid": "Invalid",
        },
        "grade": {"A": "Very good", "B": "Good", "C": "Fair", "D": "Poor"},
        "wait_on": {"lkpp": "LKPP-RI helpdesk", "reporter": "The reporter"},
        "months": ["January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December"],
        "weekdays": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        "text": {
            "title": "Complaint Handling Recap",
            "public_note": "Public version: no personal data and no complaint text.",
            "period": "Period", "as_of": "As of", "to": "to",
            "summary": "Summary", "total": "Tickets", "figure": "Figure", "count": "Count",
            "share": "Share",
            "by_channel": "By channel", "by_kind": "By kind", "by_category": "By category",
            "by_status": "By status", "by_tier": "By highest tier reached",
            "by_difficulty": "By difficulty", "by_resolution": "By resolution",
            "channel": "Channel", "kind": "Kind", "category": "Category", "status": "Status",
            "tier": "Tier", "difficulty": "Difficulty", "resolution": "Resolution",
            "no_category": "(no category)",
            "sla": "Timeliness (working days)",
            "sla_note": ("Counted in the office's working days; duplicate, withdrawn and invalid tickets are left out. "
                        "Late includes tickets still awaiting a response or a resolution past their deadline; "
                        "not yet due: still awaited, deadline not yet passed."),
            "response": "First response", "resolution_sla": "Resolution",
            "on_time": "On time", "late": "Late", "pending": "Not yet due",
            "on_time_pct": "On time share",
            "median_days": "Median time (working days)",
            "open_overdue": "Open tickets past their deadline",
            "overdue_short": "Overdue",
            "counted": "Tickets counted",
            "waiting": "Tickets waiting at the end of the period", "waiting_on": "Waiting on",
            "longest_wait": "Longest wait (working days)",
            "targets": "Service standard",
            "target_response": "First response", "day": "working day", "days": "working days",
            "satisfaction": "Complaint satisfaction index",
            "ratings": "Ratings", "mean": "Mean score (1–4)", "ikm": "IKM (mean × 25)",
            "grade": "Service grade", "no_ratings": "No ratings in this period.",
            "score": "Score",
            "overdue": "Open tickets past their deadline", "none_overdue": "No ticket is late.",
            "id": "Ticket", "subject": "Subject", "due": "Due", "days_late": "Working days late",
            "trend": "Month by month", "month": "Month",
            "chart_channel": "Tickets by channel", "chart_trend": "Tickets per month",
            "chart_sla": "On time and late",
            "contact": "Contact", "phone": "Phone", "email": "E-mail", "website": "Web",
            "generated_by": "Made with lpsectl",
            "receipt_title": "COMPLAINT RECEIPT",
            "received_at": "Received", "reporter": "Reporter", "anonymous": "(anonymous)",
            "lapor_ref": "SP4N-LAPOR! no.", "lapor_ref_short": "LAPOR! no.", "received_by": "Officer",
            "holder": "Handled by",
            "response_due": "First response by", "resolution_due": "Resolution by",
            "follow_up": "Follow-up",
            "follow_up_text": "Quote this ticket number whenever you contact us.",
            "free": "This service is free of charge.",
            "thanks": "Thank you.",
        },
    },
}
