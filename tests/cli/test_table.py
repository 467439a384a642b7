"""Listings print tabulate's "simple" table, whichever way it is laid out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from lpsectl.cli.common import _simple_table

_narrow_text = st.one_of(
    st.text(alphabet=st.sampled_from(list("abcXYZ019 -_:!.+éñÅłœ…–’“”‰")), max_size=12),
    st.sampled_from(["True", "False", "", "1e3", "0752 92317"]),  # what tabulate would take for values
)
_any_text = st.text(max_size=8)


def reference(rows, headers) -> str:
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(_narrow_text, min_size=n, max_size=n),
    st.lists(st.lists(_narrow_text, min_size=n, max_size=n), min_size=1, max_size=6))))
def test_the_quick_table_is_tabulates_simple_table(table):
    headers, rows = table
    ours = _simple_table(rows, headers)
    assert ours is None or ours == reference(rows, headers)
    if all(c == c.strip() for row in (headers, *rows) for c in row):
        assert ours is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_any_text, min_size=3, max_size=3), min_size=1, max_size=4))
def test_text_the_quick_table_cannot_measure_is_left_to_tabulate(rows):
    ours = _simple_table(rows, ["id", "status", "subject"])
    assert ours is None or ours == reference(rows, ["id", "status", "subject"])


def test_a_listing_row_is_laid_out_like_tabulate_does():
    headers = ["id", "created", "channel", "kind", "status", "tier", "due", "subject"]
    rows = [["2608-K7QMXZ", "2026-08-13 09:00 WIB", "phone", "question", "open", "helpdesk",
             "2026-08-20 16:00 WIB !", "Lupa password akun SPSE…"],
            ["2608-ABCDEF", "2026-08-14 10:00 WIB", "email", "complaint", "answered", "admin-ppe",
             "2026-08-21 16:00 WIB", ""]]
    assert _simple_table(rows, headers) == reference(rows, headers)
    assert _simple_table([["2608-K7QMXZ", "😀"]], ["id", "subject"]) is None  # wide: tabulate measures it


def test_cells_with_tabs_or_outer_blanks_are_left_to_tabulate():
    assert _simple_table([["a\tb", "c"]], ["x", "y"]) is None
    assert _simple_table([[" a", "c"]], ["x", "y"]) is None
    assert _simple_table([["a", 1]], ["x", "y"]) is None
