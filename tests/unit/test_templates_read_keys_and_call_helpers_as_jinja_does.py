"""The sandbox's short cuts for the recap's long lists change nothing a template sees.

A plain dict's key is read without the failed attribute lookup Jinja2 tries
first, and lpsectl's own helpers (num, fmt_datetime, ...) are called without
the sandbox's checks: what a template gets, the errors it meets and the
steps it spends stay Jinja2's.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from lpsectl import reports
from lpsectl.sandbox import MAX_STEPS

WIB = ZoneInfo("Asia/Jakarta")


def _render(source: str, **data):
    env = reports.environment()
    text = env.render_bounded(env.from_string(source), reports._context("en", WIB, **data))
    return text, MAX_STEPS - env.steps_left


def test_a_key_reads_as_before_and_a_dict_attribute_stays_the_attribute():
    d = {"id": "2608-AAAA22", "items": 1, "values": "v", "subject": None}
    text, _ = _render("{{ d.id }}|{{ d['items'] }}|{{ d.items() | list | length }}|{{ d.values is string }}|"
                      "{{ d.subject is none }}|{{ d.get('id') }}", d=d)
    assert text == "2608-AAAA22|1|4|False|True|2608-AAAA22"


def test_a_missing_key_is_still_an_error_naming_it():
    with pytest.raises(Exception, match="has no attribute 'nope'"):
        _render("{{ d.nope }}", d={"id": 1})


def test_a_helper_spends_the_steps_of_any_call_and_sees_no_loop_variables():
    helped, helper_steps = _render("{% for n in [1, 2.5, none] %}{{ num(n) }};{% endfor %}")
    plain, plain_steps = _render("{% for n in [1, 2.5, none] %}{{ other(n) }};{% endfor %}",
                                 other=lambda n: reports.Formatter("en", WIB).num(n))
    assert helped == plain == "1;2.5;–;"
    assert helper_steps == plain_steps > 3


def test_the_formatter_says_the_same_whether_it_has_said_it_before():
    fresh = [reports.Formatter("id", WIB) for _ in range(2)]
    said = fresh[0]
    values = [(1234.5, None), (1234.5, None), (2, 2), (2.0, None), (2, None), (None, None), (12.345, 2)]
    assert [said.num(v, p) for v, p in values] == [reports.Formatter("id", WIB).num(v, p) for v, p in values]
    assert [said.datetime("2026-08-10T16:00:00+07:00", weekday=w) for w in (False, True, False)] == \
        [fresh[1].datetime("2026-08-10T16:00:00+07:00", weekday=w) for w in (False, True, False)]
