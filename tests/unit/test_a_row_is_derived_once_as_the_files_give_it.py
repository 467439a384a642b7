"""A ticket's index row is made without work done twice, and is still the row the files give.

A first build makes a row for every file, so the worker's path takes
shortcuts: a listing's JSON text is written in its two parts directly
instead of an object written whole and cut apart, a deadline's texts are
made once per instant and zone, and a file that names no Message-ID is
told by two counts instead of a search of every line. Each shortcut gives
exactly what the long way gives.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from lpsectl import index, ticketfile
from lpsectl.errors import Damaged
from lpsectl.clock import Calendar
from lpsectl.config import Config
from lpsectl.model import Event, Reporter, Ticket
from lpsectl.sla import assess
from lpsectl.textout import split_around
from lpsectl.views import list_json, list_texts

WIB = ZoneInfo("Asia/Jakarta")
AT = datetime(2026, 8, 13, 9, 15, tzinfo=WIB)


def event(hours: float, action: str, **fields) -> Event:
    message = fields.pop("message", None)
    return Event(at=AT + timedelta(hours=hours), action=action, by="Rina", tier="helpdesk", message=message,
                 fields=fields)


def ticket(*events: Event, **kw) -> Ticket:
    t = Ticket(id="2608-ABCDEF", channel="phone", kind="question", created_at=AT, subject="Lupa password",
               message="Tidak bisa login", reporter=Reporter(name="Budi", phone="0752 92317"))
    for k, v in kw.items():
        setattr(t, k, v)
    t.history = [event(0, "open"), *events]
    return t


TICKETS = {
    "open": ticket(),
    "answered": ticket(event(2, "answer", message="Sudah")),
    "waiting": ticket(event(1, "wait", on="reporter")),
    "held and flagged": ticket(event(1, "assign", to='Ani "A" 😀'), event(2, "answer", message="x"),
                               event(30, "followup", message="Masih")),
    "odd text, no reporter name": ticket(
        subject='Kutip "ganda" \\ miring\tdan\x1b[31m\nbaris 😀 ñ …', category='K\\"x"',
        reporter=Reporter(email="a@b.id")),
    "no subject": ticket(subject=None, category=None),
}


@pytest.mark.parametrize("name", list(TICKETS))
@pytest.mark.parametrize("as_of_hours", [0, 3, 24 * 30])
def test_a_rows_listing_texts_are_its_list_json_object_cut_around_overdue(name: str, as_of_hours: int):
    t = TICKETS[name]
    cfg = Config()
    cal = Calendar(WIB)
    a = assess(t, cfg, cal, AT + timedelta(hours=as_of_hours))
    expected = split_around(list_json(t, a, WIB), "overdue")
    assert list_texts(t, a, WIB) == expected
    due = a.due_at.astimezone(WIB).isoformat()
    respond = a.response_due_at.astimezone(WIB).isoformat()
    assert list_texts(t, a, WIB, due, respond) == expected
    assert list_texts(t, a, WIB, due, respond, t.created_at.isoformat()) == expected


def test_a_deadlines_texts_kept_by_a_context_follow_a_calendar_of_another_zone():
    t = TICKETS["open"]
    ctx = index.Context(Config(), Calendar(WIB))
    s = t.state()
    index.derived(t, s, ctx)
    # As Index._update does when the holidays are computed again: the context gets another calendar. This
    # one closes an hour later an hour east: its deadlines are the very instants of the first one's.
    makassar = ZoneInfo("Asia/Makassar")
    ctx.cal = Calendar(makassar, office_close=time(17, 0))
    again = dict(zip(index.DERIVED, index.derived(t, s, ctx)))
    fresh = dict(zip(index.DERIVED, index.derived(t, s, index.Context(Config(), ctx.cal))))
    assert again == fresh
    assert again["due_iso"] == "2026-08-21T17:00:00+08:00"
    assert again["due_local"] == "2026-08-21 17:00 WITA"


def test_a_deadline_is_kept_once_per_instant_and_zone():
    ctx = index.Context(Config(), Calendar(WIB))
    for name in ("open", "answered", "waiting"):
        t = TICKETS[name]
        index.derived(t, t.state(), ctx)
    # Three tickets opened the same day share both deadlines (the waiting one's is its own: it moved).
    assert 2 <= len(ctx.moments[WIB]) <= 3


REFS_NULL = "refs:\n  lapor: null\n  lpse-support: null\n  message-id: null\n"


@pytest.mark.parametrize("text, ids", [
    (REFS_NULL, []),
    (REFS_NULL.replace("\n", "\r\n"), []),
    (REFS_NULL.replace("message-id: null", "message-id: <a@b.id>"), ["<a@b.id>"]),
    (REFS_NULL.replace("message-id: null", "message-id: '<a: b@c.id>'"), ["<a: b@c.id>"]),
    (REFS_NULL + "history:\n- at: x\n  action: followup\n  message-id: <r@b.id>\n", ["<r@b.id>"]),
    (REFS_NULL + "history:\n- at: x\n  action: answer\n  sent_message_id: <s@b.id>\n", ["<s@b.id>"]),
    (REFS_NULL.replace("message-id: null\n", "message-id: null"), []),
    (REFS_NULL.replace("message-id: null", "message-id:  <two@spaces.id>"), ["<two@spaces.id>"]),
    (REFS_NULL + "message: |\n  x-message-id: <no@match.id>\n", []),
])
def test_the_message_ids_of_a_file_are_found_with_or_without_the_shortcut(text: str, ids: list[str]):
    assert ticketfile.message_ids_in(text) == ids


GOOD = """schema: 1
id: 2608-ABCDEF
channel: phone
kind: question
created_at: '2026-08-13T09:15:00+07:00'
status: open
tier: helpdesk
resolution: null
difficulty: normal
category: null
subject: Lupa password
message: null
reporter:
  name: Budi
  address: null
  phone: 0752 92317
  email: null
  account: null
  role: null
refs:
  lapor: null
  lpse-support: null
  message-id: null
history:
- at: '2026-08-13T09:15:00+07:00'
  action: open
  by: Rina
  tier: helpdesk
  recorded_at: '2026-08-13T09:20:00+07:00'
"""


def test_a_file_the_shortcuts_take_reads_as_before():
    t = ticketfile.loads(GOOD)
    assert t.reporter == Reporter(name="Budi", phone="0752 92317")
    assert t.refs == {"lapor": None, "lpse-support": None, "message-id": None}
    assert t.extra == {}
    assert t.history[0].recorded_at == datetime(2026, 8, 13, 9, 20, tzinfo=t.created_at.tzinfo)


# The reader checks a file's values with shortcuts that look up no line; whatever they do not take is
# still named by its line and its problem.
@pytest.mark.parametrize("old, new, line, problem", [
    ("  phone: 0752 92317", "  phone: 7", 16, "reporter.phone must be text, not 7"),
    ("  phone: 0752 92317", "  phone: [1, 2]", 16, "reporter.phone must be text"),
    ("  role: null", "  role: null\n  age: 3", 20, "unknown reporter field 'age'"),
    ("  lpse-support: null", "  lpse-support: 12", 22, "refs.lpse-support must be text, not 12"),
    ("- at: '2026-08-13T09:15:00+07:00'", "- at: '2026-08-13T09:15:00'", 25,
     "at must be an ISO 8601 time with its UTC offset"),
    ("- at: '2026-08-13T09:15:00+07:00'", "- at: '1999-08-13T09:15:00+07:00'", 25, "at '1999-08-13T09:15:00+07:00' is out of range"),
    ("- at: '2026-08-13T09:15:00+07:00'", "- at: 3", 25, "at must be an ISO 8601 time"),
    ("  recorded_at: '2026-08-13T09:20:00+07:00'", "  recorded_at: kemarin", 29,
     "recorded_at must be an ISO 8601 time with its UTC offset, not 'kemarin'"),
    ("  tier: helpdesk\n  recorded", "  tier: presiden\n  recorded", 28, "unknown tier 'presiden'"),
    ("channel: phone", "channel: merpati", 3, "unknown channel 'merpati'"),
    ("kind: question", "kind: [1]", 4, "unknown kind [1]"),
    ("difficulty: normal", "difficulty: sulit", 9, "unknown difficulty 'sulit'"),
    ("created_at: '2026-08-13T09:15:00+07:00'", "created_at: '13/08/2026'", 5,
     "created_at must be an ISO 8601 time with its UTC offset, not '13/08/2026'"),
])
def test_a_value_the_shortcuts_do_not_take_is_named_by_its_line(old: str, new: str, line: int, problem: str):
    assert old in GOOD
    with pytest.raises(Damaged) as caught:
        ticketfile.loads(GOOD.replace(old, new), "t.yaml")
    assert caught.value.line == line
    assert problem in caught.value.problem


def test_a_key_this_version_does_not_know_is_kept_past_the_shortcut():
    t = ticketfile.loads(GOOD.replace("history:\n", "future: 1.5\nhistory:\n"))
    assert t.extra == {"future": "1.5"} and t.extra["future"].tag.endswith(":float")


def test_a_calendar_gives_each_time_its_own_local_date_when_asked_again_and_in_turn():
    cal = Calendar(WIB)
    late = datetime(2026, 8, 13, 23, 30, tzinfo=WIB)
    utc = late.astimezone(ZoneInfo("UTC"))  # the same instant: 16:30 UTC, 13 August in Jakarta too
    early = datetime(2026, 8, 14, 0, 30, tzinfo=WIB)  # 17:30 UTC on the 13th, the 14th in Jakarta
    asked = [late, late, utc, early, early.astimezone(ZoneInfo("UTC")), late, early]
    assert [cal.local_date(t) for t in asked] == [t.astimezone(WIB).date() for t in asked]
    assert cal.local_date(early).day == 14


@pytest.mark.parametrize("created", [AT, AT.astimezone(ZoneInfo("UTC")).replace(hour=20),
                                     datetime(2026, 8, 13, 23, 30, tzinfo=ZoneInfo("Asia/Makassar"))])
def test_a_rows_local_opening_day_and_time_are_the_offices_however_the_time_was_written(created: datetime):
    t = ticket(created_at=created)
    t.history[0].at = created
    ctx = index.Context(Config(), Calendar(WIB))
    row = dict(zip(index.COLUMNS, index.row_of(t, "2026/08/2608-ABCDEF.yaml", ctx)))
    local = created.astimezone(WIB)
    assert row["created_local_iso"] == local.isoformat()
    assert row["day"] == local.date().isoformat()
    # As derived again from a row read back, with no text of the opening time at hand.
    assert dict(zip(index.DERIVED, index.derived(t, t.state(), ctx))) == {c: row[c] for c in index.DERIVED}
