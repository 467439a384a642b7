"""The fast JSON and table writers print exactly what json.dumps(indent=2) and tabulate print.

The index keeps each listed row's JSON text in two parts, around the value of
"overdue" (textout.split_around); listings join the parts with the value of
the moment. Joined, they are what json.dumps writes of the rows.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Iterator
from unittest import mock

import pytest
import tabulate as tabulate_module
from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from lpsectl import textout
from lpsectl.textout import dumps, json_text, lists_chunks, rows_chunks, split_around, table_text

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



# Cells as listings hold them: Indonesian, East Asian wide and fullwidth characters, emoji (with a
# skin tone, joined), combining and zero-width marks, spaces tabulate strips, control characters.
CELL = st.text(alphabet=st.sampled_from(list("ab -:!\t …é漢😀\n\r\x1b\x01\x07\u0301\u200b\u200d\u3000\uff21🏽")),
               max_size=10)
# How tabulate measures a cell: with wcwidth (installed by the test extra), and without it.
MEASURES = ["wcwidth", "len"]


@contextmanager
def measured_by(measure: str) -> Iterator[None]:
    if measure == "wcwidth":
        import wcwidth  # noqa: F401  (the test extra installs it: the wide path must be tested)

        yield
        return
    with mock.patch.object(tabulate_module, "WIDE_CHARS_MODE", False), mock.patch.object(textout, "_measure", lambda: len):
        yield


@pytest.mark.parametrize("measure", MEASURES)
def test_a_table_is_written_as_tabulate_writes_it(measure):
    @settings(max_examples=150)
    @given(st.integers(1, 4).flatmap(lambda n: st.tuples(
        st.lists(st.text(alphabet="xyz ", min_size=0, max_size=6), min_size=n, max_size=n),
        st.lists(st.lists(CELL, min_size=n, max_size=n), max_size=6))))
    def check(case):
        headers, rows = case
        assert table_text(rows, headers) == tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)

    with measured_by(measure):
        check()


LISTING_ROWS = [
    ["2608-ABCD", "2026-08-13 09:00 WIB", "phone", "question", "open", "helpdesk", "Ani Rahma",
     "2026-08-20 16:00 WIB !", "", "Lupa password akun SPSE yang sangat panjang sekali…"],
    ["2608-EFGHJK", "2026-08-14 10:00 WIB", "walk-in", "complaint", "waiting *", "admin-ppe", "-",
     "2026-08-21 16:00 WIB", "3", ""],
    ["2608-WIDE", "2026-08-15 11:00 WIB", "email", "problem", "open", "lkpp", "李小龍 😀",
     "2026-08-22 16:00 WIB", "", "漢字の件名 👍🏽 café (e\u0301) ｆｕｌｌ"],
]
LISTING_HEADERS = ["id", "created", "channel", "kind", "status", "tier", "holder", "due", "waited", "subject"]


@pytest.mark.parametrize("measure", MEASURES)
def test_a_listing_table_is_written_as_tabulate_writes_it(measure):
    with measured_by(measure):
        for rows in (LISTING_ROWS[:2], LISTING_ROWS, LISTING_ROWS[2:]):
            expected = tabulate(rows, headers=LISTING_HEADERS, tablefmt="simple", disable_numparse=True)
            assert table_text(rows, LISTING_HEADERS) == expected


def test_a_listing_table_with_wide_characters_asks_nothing_of_tabulate():
    """tabulate works out every cell's type: a listing's cells are text already, wide ones included."""
    import wcwidth  # noqa: F401  (so tabulate would measure with it too)

    with mock.patch.object(tabulate_module, "tabulate", side_effect=AssertionError("tabulate was asked")):
        table_text(LISTING_ROWS, LISTING_HEADERS)


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


def _runs(texts: list[str], cuts: list[int]) -> list[bytes]:
    """The rows' texts in runs as a listing's queries join them: cut before the rows at ``cuts``."""
    bounds = [0] + sorted({c % (len(texts) + 1) for c in cuts}) + [len(texts)]
    return [",\n  ".join(texts[a:b]).encode() for a, b in zip(bounds, bounds[1:]) if a < b]


@settings(max_examples=200)
@given(st.lists(LIST_ROW, max_size=5), st.lists(st.integers(0, 5), max_size=3))
def test_a_listing_from_the_stored_parts_of_its_rows_is_what_json_dumps_writes(rows, cuts):
    written = b"".join(rows_chunks(_runs([_joined(r) for r in rows], cuts)))
    assert written.decode() == json.dumps(rows, ensure_ascii=False, indent=2)


@settings(max_examples=100)
@given(st.dictionaries(st.sampled_from(["overdue", "due_today", 'a "b"\n']), st.lists(LIST_ROW, max_size=3),
                       max_size=3), st.lists(st.integers(0, 3), max_size=2))
def test_the_morning_page_from_the_stored_parts_of_its_rows_is_what_json_dumps_writes(sections, cuts):
    runs = {name: _runs([_joined(r) for r in rows], cuts) for name, rows in sections.items()}
    assert b"".join(lists_chunks(runs)).decode() == json.dumps(sections, ensure_ascii=False, indent=2)


@settings(max_examples=100)
@given(st.dictionaries(st.sampled_from(["a", "overdue", 'x"\n']), SCALAR, min_size=1, max_size=4), st.integers(0, 3))
def test_an_object_splits_around_any_of_its_fields_at_any_depth(row, level):
    key = sorted(row)[0]
    head, tail = split_around(row, key, level)
    written = json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
    assert head + json.dumps(row[key], ensure_ascii=False) + tail == written
    assert head.endswith(json.dumps(key, ensure_ascii=False) + ": ")
