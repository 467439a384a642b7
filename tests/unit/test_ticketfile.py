from datetime import datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lpsectl import ticketfile
from lpsectl.errors import Damaged
from lpsectl.model import Event, Reporter, Ticket

WIB = timezone(timedelta(hours=7))
AT = datetime(2026, 11, 28, 10, 15, tzinfo=WIB)

TRAPS = [
    "yes", "Yes", "NO", "no", "on", "Off", "y", "n", "true", "False", "null", "Null", "~", "",
    "1e3", "1E3", "0o17", "0x1F", "0b101", "007", "0752 92317", "+62 812", "12:30", "1_000",
    ".5", "-.5", ".inf", "-.Inf", ".NaN", "2026-08-13", "2026-08-13 09:15", "<<", "=",
    " leading", "trailing ", "  both  ", "line one\nline two", "trailing newline\n",
    "\nleading newline", "tab\tinside", "a: b", "- dash", "# hash", "!tag", "&anchor", "*alias",
    "%percent", "@at", "`tick", "'quote", '"dquote', "{x}", "[x]", "a #b", "🙂 emoji 🇮🇩",
    "مرحبا بالعالم", "שלום", "mixed عربي text", "trailing spaces on line  \nnext", "crlf\r\nline",
    "\u2028 line separator", "nul\x00byte", "bell\x07", "\ufeffbom",
]


def ticket(**kw) -> Ticket:
    t = Ticket(id="2611-ABCDEF", channel="phone", kind="question", created_at=AT,
               subject="s", reporter=Reporter(name="Budi", phone="0752 92317"))
    for k, v in kw.items():
        setattr(t, k, v)
    t.history.append(Event(at=AT, action="open", by="Rina", tier="helpdesk"))
    return t


@pytest.mark.parametrize("value", TRAPS)
def test_every_yaml_trap_reads_back_as_the_same_string(value):
    t = ticket(subject=value, message=value, category=value, reporter=Reporter(name=value, phone=value))
    t.history.append(Event(at=AT, action="note", by=value, tier="helpdesk", message=value))
    text = ticketfile.dumps(t)
    back = ticketfile.loads(text)
    assert back.subject == value and back.message == value and back.category == value
    assert back.reporter.name == value and back.reporter.phone == value
    assert back.history[1].by == value and back.history[1].message == value
    # Another YAML reader agrees: nothing written plain can be read as non-text.
    assert yaml.safe_load(text)["subject"] == value


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_round_trips_exactly(value):
    t = ticket(subject=value or None, message=value)
    back = ticketfile.loads(ticketfile.dumps(t))
    assert back.subject == (value or None)
    assert back.message == value


def test_writing_what_was_read_gives_the_same_bytes():
    t = ticket(message="Tidak bisa login\nsudah reset password", category="login")
    text = ticketfile.dumps(t)
    assert ticketfile.dumps(ticketfile.loads(text)) == text


def test_keys_come_in_a_fixed_readable_order_with_a_schema_version():
    text = ticketfile.dumps(ticket())
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith((" ", "-"))]
    assert keys == ["schema", "id", "channel", "kind", "created_at", "status", "tier", "resolution",
                    "difficulty", "category", "subject", "message", "reporter", "refs", "history"]
    assert text.startswith("schema: 1\n")


def test_multi_line_text_is_written_as_a_literal_block():
    text = ticketfile.dumps(ticket(message="baris satu\nbaris dua"))
    assert "message: |-\n  baris satu\n  baris dua\n" in text


def test_unknown_keys_are_carried_through():
    text = ticketfile.dumps(ticket())
    text = text.replace("history:\n", "desk_note: from a newer version\nhistory:\n")
    text = text.replace("  tier: helpdesk\n", "  tier: helpdesk\n  mood: calm\n")
    t = ticketfile.loads(text)
    again = ticketfile.dumps(t)
    assert "desk_note: from a newer version" in again
    assert "mood: calm" in again


def _damage(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize("old,new,problem,line", [
    ("channel: phone", "channel: fax", "unknown channel 'fax'", 3),
    ("kind: question", "kind: [unclosed", "invalid YAML", None),
    ("status: open", "status: closed", "status says 'closed' but the history says 'open'", 6),
    ("schema: 1", "schema: 9", "schema 9", 1),
    ("  action: open", "  action: explode", "unknown action 'explode'", None),
    ("subject: s", "subject: !!python/object/apply:os.system ['echo pwned']", "unsafe or unknown YAML tag", 11),
])
def test_damage_is_named_with_path_and_line(old, new, problem, line):
    text = _damage(ticketfile.dumps(ticket()), old, new)
    with pytest.raises(Damaged) as exc:
        ticketfile.loads(text, "tickets/2026/11/2611-ABCDEF.yaml")
    assert problem in exc.value.problem
    assert exc.value.path == "tickets/2026/11/2611-ABCDEF.yaml"
    if line is not None:
        assert exc.value.line == line
    else:
        assert exc.value.line is not None


def test_conflict_markers_are_found_on_their_line():
    text = ticketfile.dumps(ticket())
    lines = text.splitlines()
    lines.insert(12, "<<<<<<< ours")
    with pytest.raises(Damaged) as exc:
        ticketfile.loads("\n".join(lines))
    assert exc.value.line == 13


def test_a_top_level_that_is_not_a_mapping_is_damage():
    with pytest.raises(Damaged, match="mapping"):
        ticketfile.loads("- just\n- a list\n")


def test_an_event_with_a_score_out_of_range_is_damage():
    t = ticket()
    t.history.append(Event(at=AT, action="rate", by="x", tier="helpdesk", fields={"score": 4}))
    text = ticketfile.dumps(t).replace("score: 4", "score: 5")
    with pytest.raises(Damaged, match="score must be 1 to 4"):
        ticketfile.loads(text)


def test_events_out_of_time_order_are_damage():
    t = ticket()
    t.history.append(Event(at=AT + timedelta(hours=2), action="note", by="x", tier="helpdesk", message="b"))
    t.history.append(Event(at=AT + timedelta(hours=1), action="note", by="x", tier="helpdesk", message="a"))
    with pytest.raises(Damaged, match="out of time order"):
        ticketfile.loads(ticketfile.dumps(t))


def test_recorded_at_is_kept_only_when_it_differs_from_at():
    t = ticket()
    t.history.append(Event(at=AT, action="note", by="x", tier="helpdesk", message="m",
                           recorded_at=AT + timedelta(hours=3)))
    text = ticketfile.dumps(t)
    assert text.count("recorded_at") == 1
    assert ticketfile.loads(text).history[1].recorded_at == AT + timedelta(hours=3)
