"""The fast reader gives exactly what the YAML reader gives, or leaves the file to it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lpsectl import fastyaml, ticketfile
from lpsectl.errors import Damaged
from lpsectl.model import Event, Ticket

from .test_fastyaml import T0, ticket
from .test_fastyaml import texts as written_texts

# The writer's tests' texts, and more a hand or another tool may leave in a file.
texts = st.one_of(
    written_texts,
    st.text(alphabet="ab '#:-\n yes0123.é€😀\t\"\\|>{}[]&*!~", max_size=100),
    st.sampled_from(["1.5", "017", "0x1F", "baris\n", "\nawal", "a\n\n", "a \nb", "  indent\nb", "._", "=", "<<"]),
)


def _ticket(subject, message, name, phone, note, category, attachments) -> Ticket:
    """The writer's tests' ticket, waiting on the reporter (an event with a field of its own)."""
    t = ticket(subject, message, name, phone, note, category, attachments)
    t.history.append(Event(T0 + timedelta(hours=3), "wait", "Rina", "helpdesk", fields={"on": "reporter"}))
    return t


def _yaml_data(text: str) -> Any:
    """What the YAML reader makes of ``text`` (ticketfile's own reading); an exception if it refuses."""
    node = yaml.compose(text, Loader=ticketfile.yaml_loader())
    return ticketfile._construct(node, (), ticketfile._Lines(), "x")


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (``1 == True`` is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def assert_reads_as_yaml(text: str) -> None:
    fast = fastyaml.loads_data(text)
    if fast is None:
        return  # left to the YAML reader
    assert _same(fast, _yaml_data(text)), text


@settings(max_examples=250, deadline=None, derandomize=True)
@given(texts, texts, texts, texts, texts, texts, st.lists(st.text(min_size=1, max_size=30), max_size=3))
def test_written_tickets_read_as_yaml_reads_them(subject, message, name, phone, note, category, attachments):
    t = _ticket(subject, message, name, phone, note, category, attachments)
    text = ticketfile.dumps(t)
    assert_reads_as_yaml(text)
    assert ticketfile.loads(text) == ticketfile.loads(text.replace("schema: 1\n", "schema: 1 # c\n"))


@settings(max_examples=250, deadline=None, derandomize=True)
@given(st.integers(0, 10_000), st.sampled_from(["insert", "replace", "delete", "duplicate"]),
       st.text(alphabet=" \n\t-:#'\"|>&*!%@`?{}[],~yes01.x", min_size=0, max_size=6))
def test_hand_edited_files_read_as_yaml_reads_them(where, how, bit):
    text = ticketfile.dumps(_ticket("Gagal unggah", "baris satu\nbaris dua", "Budi", "0752 92317", "cek",
                                    "upload", ["surat.pdf"]))
    i = where % len(text)
    if how == "insert":
        text = text[:i] + bit + text[i:]
    elif how == "replace":
        text = text[:i] + bit + text[i + len(bit):]
    elif how == "delete":
        text = text[:i] + text[i + 1 + len(bit):]
    else:
        lines = text.splitlines(keepends=True)
        j = i % len(lines)
        lines.insert(j, lines[j])
        text = "".join(lines)
    try:
        assert_reads_as_yaml(text)
    except yaml.YAMLError:
        raise AssertionError(f"the fast reader took a text YAML refuses: {text!r}") from None


@pytest.mark.parametrize("line", [
    "subject: yes", "subject: ~", "subject: 1.5", "subject: 0x1F", "subject: 017", "subject: 2026-08-13",
    "subject: a # comment", "subject:  two spaces", "subject: \"double\"", "subject: >", "subject: |+",
    "subject: |2", "subject: &a x", "subject: *a", "subject: !!str x", "subject: [a]", "subject: {a: 1}",
    "subject:", "subject: ", "subject: a: b", "on: x", "'subject': x", "? subject", "# a comment",
    "subject: x\n  continued", "subject: x\t", "---", "...", "<<: x",
])
def test_anything_outside_the_writers_subset_is_left_to_the_yaml_reader(line):
    base = ticketfile.dumps(_ticket("Gagal unggah", "Mohon bantuan.", "Budi", None, None, None, []))
    text = base.replace("subject: Gagal unggah\n", line + "\n")
    assert text != base
    assert_reads_as_yaml(text)


def test_a_duplicate_key_is_left_to_the_yaml_reader_which_names_its_line():
    text = ticketfile.dumps(_ticket("Gagal unggah", None, "Budi", None, None, None, []))
    text = text.replace("subject: Gagal unggah\n", "subject: Gagal unggah\nsubject: lagi\n")
    assert fastyaml.loads_data(text) is None
    with pytest.raises(Damaged) as exc:
        ticketfile.loads(text, "t.yaml")
    assert exc.value.line == 12 and "appears twice" in exc.value.problem


def test_a_ticket_as_written_is_read_without_the_yaml_reader(monkeypatch):
    t = _ticket("Gagal unggah", "baris satu\nbaris dua\n", "Budi", "0752 92317", "cek", "upload", ["a.pdf"])
    text = ticketfile.dumps(t)

    def no_yaml(*args, **kwargs):
        raise AssertionError("the YAML reader was used")

    monkeypatch.setattr(yaml, "compose", no_yaml)
    assert ticketfile.loads(text) == t


def test_a_damaged_ticket_is_named_with_its_line_as_before():
    text = ticketfile.dumps(_ticket("Gagal unggah", None, "Budi", None, None, None, []))
    text = text.replace("kind: question", "kind: riddle")
    assert fastyaml.loads_data(text) is not None  # readable YAML: the check of its fields finds it
    with pytest.raises(Damaged) as exc:
        ticketfile.loads(text, "t.yaml")
    assert exc.value.line == 4 and "riddle" in exc.value.problem


def test_the_resolvers_kept_for_reading_are_pyyamls_own():
    """fastyaml reads plain scalars without importing PyYAML, by a copy of its implicit resolvers."""
    theirs = yaml.resolver.Resolver.yaml_implicit_resolvers
    for first, resolvers in theirs.items():
        ours = fastyaml._Resolvers().get(first)
        assert [(tag, r.pattern, r.flags) for tag, r in ours] == [(tag, r.pattern, r.flags) for tag, r in resolvers]
    assert fastyaml._Resolvers().get("a") == ()  # a letter no resolver starts with


# The character classes as the reader and the writer were first written: one
# regular expression each, which costs milliseconds to compile at every start.
CLASSES = {
    "_simple_chars": "[\x20-\x7e\u00a0-\u2027\u202a-\ud7ff]*",
    "_literal_chars": "[\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff]*",
    "_text_chars": "[\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*",
}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_the_character_checks_take_exactly_the_characters_of_their_class(name):
    import re

    check = getattr(fastyaml, name)
    whole = re.compile(CLASSES[name])
    # Every character alone, in an ASCII text and in a text that is not.
    for n in [*range(0, 0x3000), *range(0xd000, 0x10000), 0x10000, 0x1F600, 0x10FFFF]:
        c = chr(n)
        for s in (c, "ab" + c + "c", "é" + c):
            assert check(s) == (whole.fullmatch(s) is not None), (name, hex(n), s)


# The reader keeps whole lines it has read (`tier: helpdesk`) with their key and value: a line read
# again, at any depth and under any parent, reads as the YAML reader reads it there.
SAME_LINES = """a: x
tier: helpdesk
b:
  tier: helpdesk
  c:
  - tier: helpdesk
    e: {}
  - tier: helpdesk
    e: []
"""


def test_a_line_read_before_reads_as_yaml_reads_it_wherever_it_stands_again():
    for _ in range(3):  # the first read keeps the lines, the next ones find them
        assert fastyaml.loads_data(SAME_LINES) == _yaml_data(SAME_LINES)
    twice = "a: x\na: x\n"  # a key twice, the second time found among the kept lines: the YAML reader's
    assert fastyaml.loads_data(twice) is None


def test_an_empty_mapping_or_list_read_again_is_a_new_one():
    first = fastyaml.loads_data(SAME_LINES)
    first["b"]["c"][0]["e"]["filled"] = 1
    first["b"]["c"][1]["e"].append(1)
    assert fastyaml.loads_data(SAME_LINES) == _yaml_data(SAME_LINES)


def test_lines_are_read_as_before_once_the_kept_ones_were_let_go(monkeypatch):
    monkeypatch.setattr(fastyaml, "_CACHE_MAX", 2)
    monkeypatch.setattr(fastyaml, "_PAIRS", {})
    for _ in range(3):
        assert fastyaml.loads_data(SAME_LINES) == _yaml_data(SAME_LINES)
        assert len(fastyaml._PAIRS) <= 2
