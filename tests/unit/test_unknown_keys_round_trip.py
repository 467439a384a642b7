"""Keys written by a newer version are carried through untouched: same bytes, same YAML types."""

from __future__ import annotations

import copy
import pickle
from datetime import date, datetime, timedelta, timezone

import pytest
import yaml

from lpsectl import merge, ticketfile
from lpsectl import workflow as wf

WIB = timezone(timedelta(hours=7))

# Every kind of plain scalar YAML 1.1 resolves to something other than text,
# in canonical and other spellings, at the top, nested, in lists and in an event.
UNKNOWN = """\
future_float: 1.5
future_exponent: 6.02e+23
future_inf: -.inf
future_nan: .nan
future_int: 42
future_negative: -7
future_octal: 017
future_hex: 0x1F
future_underscored: 1_000
future_sexagesimal: 1:20
future_date: 2026-08-13
future_time: 2026-08-13 10:00:00+07:00
future_iso_time: 2026-08-13T10:00:00+07:00
future_true: true
future_yes: yes
future_off: Off
future_null: null
future_tilde: ~
future_empty:
future_text: plain text
future_quoted: '1.5'
future_map:
  rate: 2.5
  since: 2026-01-01
  codes:
  - 017
  - 3.0
  - 'y'
  - nested:
      deep: 0o17x
      deeper: 12:30:45
  flags: {}
  none: []
  by_year:
    2025: 3
    2026-08-13: ok
    1.5: half
    ~: nothing
    '017': a text key
"""

OPEN = """\
schema: 1
id: 2608-ABCDEF
channel: suggestion-box
kind: question
created_at: '2026-08-13T09:00:00+07:00'
status: open
tier: helpdesk
resolution: null
difficulty: normal
category: null
subject: AC rusak
message: null
reporter:
  name: null
  address: null
  phone: null
  email: null
  account: null
  role: null
refs:
  lapor: null
  lpse-support: null
  message-id: null
"""

EVENTS = """\
history:
- at: '2026-08-13T09:00:00+07:00'
  action: open
  by: Rina
  tier: helpdesk
  future_weight: 0.75
  future_due: 2026-08-20
  future_count: 010
  future_ok: on
"""

FILE = OPEN + UNKNOWN + EVENTS


def test_a_file_with_unknown_keys_of_every_scalar_kind_reads_and_writes_back_byte_for_byte():
    t = ticketfile.loads(FILE)
    assert ticketfile.dumps(t) == FILE
    assert ticketfile.dumps_pyyaml(t) == FILE


def test_after_an_action_rewrites_the_file_only_the_new_event_is_added():
    t = ticketfile.loads(FILE)
    at = datetime(2026, 8, 13, 10, 0, tzinfo=WIB)
    wf.note(t, wf.Act("Andi", at, at), "dicek")
    assert ticketfile.dumps(t) == FILE + (
        "- at: '2026-08-13T10:00:00+07:00'\n"
        "  action: note\n"
        "  by: Andi\n"
        "  tier: helpdesk\n"
        "  message: dicek\n"
    )


def test_every_unknown_value_keeps_its_yaml_type_for_any_other_reader():
    before = yaml.safe_load(FILE)
    t = ticketfile.loads(FILE)
    after = yaml.safe_load(ticketfile.dumps(t))
    assert after == before or _same_with_nan(after, before)
    assert isinstance(after["future_float"], float) and after["future_octal"] == 15
    assert after["future_date"] == date(2026, 8, 13) and after["future_yes"] is True
    assert after["future_tilde"] is None and after["history"][0]["future_due"] == date(2026, 8, 20)


def _same_with_nan(a, b) -> bool:
    a, b = dict(a), dict(b)
    nan_a, nan_b = a.pop("future_nan"), b.pop("future_nan")
    return a == b and nan_a != nan_a and nan_b != nan_b


def test_a_merge_keeps_unknown_values_as_written():
    base = ticketfile.loads(FILE)
    at = datetime(2026, 8, 13, 10, 0, tzinfo=WIB)
    ours, theirs = ticketfile.loads(FILE), ticketfile.loads(FILE)
    wf.note(ours, wf.Act("Andi", at, at), "A")
    wf.note(theirs, wf.Act("Budi", at, at), "B")
    merged = merge.merge_text(ticketfile.dumps(base), ticketfile.dumps(ours), ticketfile.dumps(theirs))
    assert merged.startswith(OPEN + UNKNOWN + EVENTS)


@pytest.mark.parametrize("text, tag, truth", [
    ("no", "bool", False), ("yes", "bool", True), ("~", "null", False), ("017", "int", True),
])
def test_a_kept_scalar_is_as_true_as_the_value_it_stands_for_and_survives_copies(text, tag, truth):
    value = ticketfile.PlainScalar(text, "tag:yaml.org,2002:" + tag)
    assert bool(value) is truth
    for clone in (copy.deepcopy(value), pickle.loads(pickle.dumps(value)), copy.copy(value)):
        assert (clone, clone.tag) == (text, value.tag)


def test_known_fields_are_still_read_as_their_values():
    text = FILE.replace("  future_ok: on\n", "  future_ok: on\n- at: '2026-08-13T09:30:00+07:00'\n"
                        "  action: note\n  by: Rina\n  tier: helpdesk\n  head: yes\n  message: x\n")
    t = ticketfile.loads(text)
    assert t.history[1].get("head") is True
