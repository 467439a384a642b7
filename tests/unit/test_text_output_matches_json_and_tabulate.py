"""The fast JSON and table writers print exactly what json.dumps(indent=2) and tabulate print.

The index keeps each listed row's JSON text in two parts, around the value of
"overdue" (textout.split_around); listings join the parts with the value of
the moment. Joined, they are what json.dumps writes of the rows.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from lpsectl.textout import dumps, json_text, lists_text, rows_text, split_around, table_text

# Text as tickets carry it: quotes, backslashes, control characters, the
# separators the fast writer relies on, non-ASCII and astral characters.
TEXT = st.text(alphabet=st.sampled_from(list('ab "\\{},:[]\n\r\t\x00\x1b\x01\x7f é…漢😀\u2028')), max_size=12)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=False, allow_infinity=False), TEXT)
ROW = st.dictionaries(st.sampled_from(["id", "subject", "due_at", "overdue", "a b", 'q"'] ), SCALAR, max_size=6)


@settings(max_examples=150)
@given(st.lists(ROW, max_size=6))
def test_a_listing_is_written_as_json_dumps_with_indent_writes_it(rows):
    assert json_text(rows) == json.dumps(rows, ensure_ascii=False, indent=2)


NESTED = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(ROW, max_size=3),
    st.dictionaries(st.one_of(TEXT, st.integers(0, 4), st.booleans()), inner, max_size=4)), max_leaves=20)


@settings(max_examples=150)
@given(NESTED)
def test_nested_values_are_written_as_json_dumps_with_indent_writes_them(data):
    assert json_text(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_a_recap_with_rows_inside_is_written_as_json_dumps_with_indent_writes_it():
    for data in ({"id": "x", "history": [{"at": 1}]}, [{"id": "x", "refs": {"lapor": None}}], [], [{}], [1, 2],
                 {"total": 2, "overdue": [{"id": "a", "days_late": 3}, {"id": "b", "days_late": 1}], "trend": []}):
        assert json_text(data) == json.dumps(data, ensure_ascii=False, indent=2)


@settings(max_examples=100)
@given(NESTED, st.sampled_from([(", ", ": "), (",", ":"), (",\n    ", ": ")]))
def test_values_are_written_as_json_dumps_with_those_separators_writes_them(data, separators):
    assert dumps(data, *separators) == json.dumps(data, ensure_ascii=False, separators=separators)


CELL = st.text(alphabet=st.sampled_from(list("ab -:!\t …é漢😀\n\r\x1b\x01")), max_size=10)


@settings(max_examples=150)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.text(alphabet="xyz ", min_size=0, max_size=6), min_size=n, max_size=n),
    st.lists(st.lists(CELL, min_size=n, max_size=n), max_size=6))))
def test_a_table_is_written_as_tabulate_writes_it(case):
    headers, rows = case
    assert table_text(rows, headers) == tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def test_a_listing_table_is_written_as_tabulate_writes_it():
    rows = [["2608-ABCD", "2026-08-13 09:00 WIB", "phone", "question", "open", "helpdesk",
             "2026-08-20 16:00 WIB !", "Lupa password akun SPSE yang sangat panjang sekali…"],
            ["2608-EFGHJK", "2026-08-14 10:00 WIB", "walk-in", "complaint", "waiting", "admin-ppe",
             "2026-08-21 16:00 WIB", ""]]
    headers = ["id", "created", "channel", "kind", "status", "tier", "due", "subject"]
    assert table_text(rows, headers) == tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


# Text as anyone writes it in a subject or a name: quotes, backslashes,
# control characters, newlines, Indonesian, emoji, and JSON that looks like a field.
ODD = st.lists(st.sampled_from(list('aZ "\\/{}[],:\n\r\t\x00\x08\x0c\x1b\x1f\x7f\x85\u2028\u2029 éñ…漢😀🇮🇩')
                                + ["Lupa kata sandi", '"overdue": false', '\n    "overdue": true,']),
               max_size=8).map("".join)
LIST_ROW = st.fixed_dictionaries({
    "id": ODD, "channel": ODD, "kind": ODD, "status": ODD, "tier": ODD, "created_at": ODD,
    "subject": st.none() | ODD, "category": st.none() | ODD, "difficulty": st.none() | ODD,
    "reporter_name": st.none() | ODD, "due_at": ODD, "overdue": st.booleans(), "holder": st.none() | ODD,
    "flagged": st.booleans(), "waiting_days": st.none() | st.integers(0, 400), "respond_by": st.none() | ODD,
})


def _joined(row: dict) -> str:
    """The row's text as a listing makes it: the stored parts around the value of the moment."""
    head, tail = split_around(row | {"overdue": False}, "overdue")
    return head + ("true" if row["overdue"] else "false") + tail


@settings(max_examples=200)
@given(st.lists(LIST_ROW, max_size=5))
def test_a_listing_from_the_stored_parts_of_its_rows_is_what_json_dumps_writes(rows):
    assert rows_text([_joined(r) for r in rows]) == json.dumps(rows, ensure_ascii=False, indent=2)


@settings(max_examples=100)
@given(st.dictionaries(st.sampled_from(["overdue", "due_today", 'a "b"\n']), st.lists(LIST_ROW, max_size=3),
                       max_size=3))
def test_the_morning_page_from_the_stored_parts_of_its_rows_is_what_json_dumps_writes(sections):
    texts = {name: [_joined(r) for r in rows] for name, rows in sections.items()}
    assert lists_text(texts) == json.dumps(sections, ensure_ascii=False, indent=2)


@settings(max_examples=100)
@given(st.dictionaries(st.sampled_from(["a", "overdue", 'x"\n']), SCALAR, min_size=1, max_size=4), st.integers(0, 3))
def test_an_object_splits_around_any_of_its_fields_at_any_depth(row, level):
    key = sorted(row)[0]
    head, tail = split_around(row, key, level)
    written = json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
    assert head + json.dumps(row[key], ensure_ascii=False) + tail == written
    assert head.endswith(json.dumps(key, ensure_ascii=False) + ": ")
