"""The recap the index counts in SQL is, byte for byte, the recap of the parsed tickets.

:func:`reports.figures_from_index` counts the rows that stand as they are
with SQL (GROUP BY, outcomes as CASE against the moment, days late against
``calendar_days``) and assesses the few others in Python;
:func:`reports.figures` assesses every parsed ticket one by one. Varied
helpdesks are generated: answers on time and late, waits still open and
resumed, reopenings, closings that are not counted, ratings, escalations,
category edits after the period, events after the moment of the figures,
tickets around the holidays of August 2026 and on a closed day the
configuration adds; each recap is compared in every period, public or not.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional, Sequence
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lpsectl import reports
from lpsectl import workflow as wf
from lpsectl.errors import LpseError
from lpsectl.index import Index
from lpsectl.model import Reporter, Ticket
from lpsectl.store import Helpdesk

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 7, 27, 0, 0, tzinfo=WIB)
# A cuti bersama the office adds: closed although no holiday list says so.
CLOSED_DAY = "2026-08-24"
CATEGORIES = (None, "Login", "login ", "LOGIN", "upload", "Jadwal  lelang")
ACTIONS = ("answer", "answer-close", "wait-reporter", "wait-lkpp", "resume", "close", "close-duplicate",
           "reopen", "rate", "escalate", "edit-category", "note")

action = st.tuples(st.sampled_from(ACTIONS), st.integers(0, 9), st.integers(7, 18), st.integers(1, 4),
                   st.sampled_from(CATEGORIES))
ticket = st.tuples(st.integers(0, 45), st.integers(6, 19), st.sampled_from(("phone", "email", "portal")),
                   st.sampled_from(("easy", "normal", "hard")), st.sampled_from(CATEGORIES),
                   st.lists(action, max_size=5))
NOWS = (datetime(2026, 8, 20, 12, 0, tzinfo=WIB), datetime(2026, 10, 15, 9, 0, tzinfo=WIB))
PERIODS = (reports.month_period(2026, 8), reports.month_period(2026, 7),
           reports.parse_period(year="2026"), reports.parse_period(date_from="2026-08-10", date_to="2026-09-05"))


def _act(when: datetime) -> wf.Act:
    return wf.Act("Rina", when, when, at_given=True)


def _ticket(n: int, spec: tuple, subject: Optional[str] = None) -> Ticket:
    day, hour, channel, difficulty, category, actions = spec
    when = START + timedelta(days=day, hours=hour)
    tid = f"{when:%y%m}-T{'ABCDEFGHJK'[n // 10]}{'ABCDEFGHJK'[n % 10]}A"
    t = wf.new_ticket(tid, _act(when), channel, "question", Reporter(name=f"Pelapor {n}", phone="0812 000 111",
                      email="p@contoh.id", account="akun"), subject or f"Perihal {n}", None, category, difficulty,
                      None)
    for name, days, hour, score, new_category in actions:
        when = (when + timedelta(days=days)).replace(hour=hour)
        act = _act(when)
        try:
            if name == "answer":
                wf.answer(t, act, "Dijawab")
            elif name == "answer-close":
                wf.answer(t, act, "Dijawab", close=True)
            elif name.startswith("wait-"):
                wf.wait(t, act, name[len("wait-"):], None)
            elif name == "resume":
                wf.resume(t, act, None)
            elif name == "close":
                wf.close(t, act, None, None)
            elif name == "close-duplicate":
                wf.close(t, act, "duplicate", None)
            elif name == "reopen":
                wf.reopen(t, act, "Belum beres")
            elif name == "rate":
                wf.rate(t, act, score)
            elif name == "escalate":
                wf.escalate(t, act, "Naik", None)
            elif name == "edit-category":
                wf.edit(t, act, {"category": new_category}, None)
            else:
                wf.note(t, act, "Catatan")
        except LpseError:
            pass  # not allowed in this state (or out of order): the history goes on without it
    return t


def _helpdesk(template: Path, specs: list[tuple], subjects: Sequence[Optional[str]] = ()) -> Path:
    root = Path(tempfile.mkdtemp(dir=template.parent)) / "h"
    shutil.copytree(template, root)
    config = root / "lpsectl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("closed_days: []", f"closed_days: [{CLOSED_DAY}]"),
                      encoding="utf-8")
    hd = Helpdesk(root)
    for n, spec in enumerate(specs):
        hd.save(_ticket(n, spec, subjects[n] if n < len(subjects) else None))
    return root


def _recaps_agree(root: Path, nows: Sequence[datetime] = NOWS, periods: Sequence[reports.Period] = PERIODS) -> None:
    parsed = Helpdesk(root)
    tickets = parsed.load_all().tickets
    hd = Helpdesk(root)
    ix = Index(hd)
    try:
        ix.refresh()
        for now in nows:
            for period in periods:
                for public in (False, True):
                    want = reports.figures(tickets, parsed.config, parsed.calendar, period, now, public=public)
                    got = reports.figures_from_index(ix, hd.config, hd.calendar, period, now, public=public)
                    assert reports.report_json(got) == reports.report_json(want), (period, now, public)
                    # The JSON form, its overdue list written as text from SQL's rows.
                    text = reports.figures_from_index(ix, hd.config, hd.calendar, period, now, public=public,
                                                      as_json=True)
                    assert reports.report_json(text) == reports.report_json(want), (period, now, public)
    finally:
        ix.close()


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(ticket, min_size=1, max_size=12))
def test_the_recap_counted_by_sql_is_the_recap_of_the_tickets(helpdesk, specs):
    _recaps_agree(_helpdesk(helpdesk, specs))


def test_every_kind_of_ticket_at_once_is_counted_alike(helpdesk):
    """One helpdesk with each case named above, whatever hypothesis happens to draw."""
    a = ("answer", 1, 10, 4, None)
    specs = [
        (7, 9, "phone", "easy", "Login", [a, ("rate", 0, 11, 4, None)]),  # answered on time, rated
        (8, 9, "email", "normal", "login ", [("answer", 9, 10, 1, None)]),  # answered late
        (9, 9, "portal", "hard", None, []),  # open past its deadline
        (10, 9, "phone", "normal", "upload", [("wait-reporter", 1, 9, 1, None)]),  # still waiting
        (11, 9, "phone", "easy", None, [("wait-reporter", 1, 9, 1, None), ("resume", 5, 9, 1, None)]),
        (12, 9, "email", "normal", "LOGIN", [a, ("reopen", 1, 9, 1, None)]),  # reopened, open again
        (13, 9, "email", "normal", None, [("close-duplicate", 0, 15, 1, None)]),  # not counted
        (14, 9, "portal", "normal", "upload", [("escalate", 0, 12, 1, None), ("escalate", 1, 9, 1, None),
                                               ("wait-lkpp", 0, 13, 1, None)]),  # waiting on LKPP
        (15, 9, "phone", "normal", "Login", [("edit-category", 40, 9, 1, "pajak")]),  # edited after August
        (21, 17, "phone", "easy", None, []),  # opened after the office closed, on the eve of 17 August
        (28, 9, "phone", "easy", None, [("answer", 0, 15, 1, None)]),  # due across 24 August (closed)
        (20, 9, "email", "normal", None, [("answer", 30, 9, 1, None)]),  # answered after the moment
        # Answered at the very close of the deadline's day: on time (Mon 3 Aug, then Tue 4 Aug).
        (7, 9, "phone", "normal", None, [("answer", 1, 16, 1, None)]),
        (8, 9, "phone", "easy", None, [("answer", 2, 16, 1, None)]),
    ]
    _recaps_agree(_helpdesk(helpdesk, specs))


def test_a_closed_day_added_to_the_configuration_later_counts_in_the_days_late(helpdesk):
    # Open past its deadline in August: its days late lose the day the office closes.
    root = _helpdesk(helpdesk, [(9, 9, "portal", "easy", None, [])])
    _recaps_agree(root)
    config = root / "lpsectl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        f"closed_days: [{CLOSED_DAY}]", f"closed_days: [{CLOSED_DAY}, 2026-08-26]"), encoding="utf-8")
    _recaps_agree(root)


# Texts JSON writes with escapes, or that a hand-made encoder might: quotes, backslashes, controls, a tab,
# the separators JavaScript once took for line ends, astral characters, markup.
ODD_SUBJECTS = ('Kata "sandi" \\ lupa', "Tab\tdan\x01kontrol\x7f", "Lelang \u2028 baris \u2029 baru",
                "Pemenang 🎉 ditetapkan é", "</td><script>alert(1)</script>", "null")


def test_the_overdue_list_written_as_text_escapes_subjects_as_json_does(helpdesk):
    # Each open and past its deadline, so each is a row of the overdue list.
    specs = [(n + 1, 9, "portal", "easy", None, []) for n in range(len(ODD_SUBJECTS))]
    _recaps_agree(_helpdesk(helpdesk, specs, ODD_SUBJECTS))


def test_days_late_past_the_years_the_index_counts_are_counted_by_the_clock(helpdesk):
    """A moment in a year no ticket's dates reached: calendar_days does not hold it, the clock counts."""
    specs = [(n + 1, 9, "portal", "easy", None, []) for n in range(3)]
    specs.append((4, 9, "phone", "normal", None, [("wait-reporter", 1, 9, 1, None)]))  # assessed by Python
    _recaps_agree(_helpdesk(helpdesk, specs, ODD_SUBJECTS), nows=[datetime(2028, 3, 1, 9, 0, tzinfo=WIB)],
                  periods=[reports.parse_period(date_from="2026-07-01", date_to="2028-02-29")])


def test_rows_the_recap_key_cannot_code_are_counted_by_their_values(helpdesk):
    """A row without a recap_key (a value in no list of lpsectl.recapkey) sends the counts to the values."""
    a = ("answer", 1, 10, 4, None)
    root = _helpdesk(helpdesk, [(7, 9, "phone", "easy", "Login", [a, ("rate", 0, 11, 4, None)]),
                                (9, 9, "portal", "hard", None, []),
                                (13, 9, "email", "normal", None, [("close-duplicate", 0, 15, 1, None)])])
    hd = Helpdesk(root)
    ix = Index(hd)
    try:
        ix.refresh()
        assert ix.db.execute("SELECT count(*) FROM tickets WHERE recap_key IS NULL").fetchone() == (0,)
        want = reports.report_json(reports.figures_from_index(ix, hd.config, hd.calendar, PERIODS[0], NOWS[1]))
        ix.db.execute("UPDATE tickets SET recap_key = NULL WHERE rowid = (SELECT min(rowid) FROM tickets)")
        got = reports.report_json(reports.figures_from_index(ix, hd.config, hd.calendar, PERIODS[0], NOWS[1]))
    finally:
        ix.close()
    assert got == want
