"""The table of ``list`` made in SQL from the index is, byte for byte, the table the files' cells give.

With the index, ``list`` pads its table in SQL and measures in Python only
the cells people wrote that are not printable ASCII: East Asian wide
characters, emoji, combining marks, a control character someone typed.
Without it (``LPSECTL_NO_INDEX=1``), every cell is measured by
``textout.table_text`` (tabulate's rules). Both must print the same bytes,
with wcwidth (as installed) and without it (``len``, as tabulate measures
then), with rows that move (a wait, an event a little ahead of now) sorted
in among the others.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator
from unittest import mock

import pytest
import tabulate as tabulate_module

from lpsectl import textout
from tests.conftest import imported_after

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


@contextmanager
def measured_by(measure: str) -> Iterator[None]:
    """Cells measured as tabulate measures them with wcwidth installed, or without it."""
    if measure == "wcwidth":
        import wcwidth  # noqa: F401  (the test extra installs it)

        yield
        return
    with mock.patch.object(tabulate_module, "WIDE_CHARS_MODE", False), \
            mock.patch.object(textout, "_measure", lambda: len):
        yield


def same_table(run, *args: str, in_sql: bool = True) -> str:
    """``list ARGS`` with the index and without it: the same bytes.

    ``in_sql``: with the index, the table was made in SQL (no cell went to table_text).
    """
    moment = {"LPSECTL_TEST_NOW": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    if in_sql:
        with mock.patch.object(textout, "table_text", side_effect=AssertionError("the table was made from its cells")):
            with_index = run("list", *args, env=moment)
    else:
        with_index = run("list", *args, env=moment)
    without = run("list", *args, env={**moment, "LPSECTL_NO_INDEX": "1"})
    assert (with_index.exit_code, with_index.stdout, with_index.stderr) == \
        (without.exit_code, without.stdout, without.stderr), args
    return with_index.stdout


@pytest.fixture
def wide(run) -> dict[str, str]:
    """Tickets whose subjects and holders are measured apart, beside plain ones, waiting and ahead ones."""
    ids = {}
    ids["plain"] = run.new(*PHONE, "-s", "Lupa password SPSE", "--at", "2026-08-03T09:00")
    ids["cjk"] = run.new(*PHONE, "-s", "漢字の件名 SPSE 登録", "--at", "2026-08-04T09:00")
    ids["combining"] = run.new(*PHONE, "-s", "Cafe\u0301 dan lelang nai\u0308f", "-k", "pengaduan",
                               "--at", "2026-08-05T09:00")
    ids["bell"] = run.new(*PHONE, "-s", "Bunyi\x07bel di subjek", "--at", "2026-08-06T09:00")
    ids["long"] = run.new(*PHONE, "-s", "Subjek yang panjang sekali, jauh lebih dari empat puluh delapan huruf",
                          "--at", "2026-08-07T09:00")
    ids["fullwidth"] = run.new("-c", "kotak-saran", "-s", "ｆｕｌｌ ｗｉｄｔｈ 👍🏽", "--at", "2026-08-08T09:00")
    ids["no_subject"] = run.new("-c", "kotak-saran", "-m", "Hanya isi, tanpa perihal", "--at", "2026-08-10T09:00")
    ids["answered"] = run.new(*PHONE, "-s", "Sudah dijawab", "--at", "2026-08-11T09:00")
    run.ok("answer", ids["answered"], "-m", "Terima kasih", "--at", "2026-08-11T10:00")
    run.ok("followup", ids["answered"], "-m", "Masih belum", "--at", "2026-08-11T11:00")
    run.ok("assign", ids["cjk"], "--to", "Dewi 😀", "--at", "2026-08-04T10:00")
    run.ok("assign", ids["combining"], "--to", "Jose\u0301 Ramli", "--at", "2026-08-05T10:00")
    run.ok("assign", ids["plain"], "--to", "Rina", "--at", "2026-08-03T10:00")
    run.ok("assign", ids["long"], "--to", "李小龍", "--at", "2026-08-07T10:00")
    run.ok("assign", ids["fullwidth"], "--to", "Bel\x07la", "--at", "2026-08-08T10:00")  # ASCII, yet not plain
    # Rows whose state moves after the index derived them: a wait, and an event a little ahead of now.
    ids["waiting"] = run.new(*PHONE, "-s", "Menunggu pelapor 漢", "--at", "2026-08-12T09:00")
    run.ok("wait", ids["waiting"], "--on", "reporter", "--at", "2026-08-12T10:00")
    run.ok("assign", ids["waiting"], "--to", "Dewi 😀", "--at", "2026-08-12T11:00")
    soon = (datetime.now().astimezone() + timedelta(minutes=3)).isoformat(timespec="seconds")
    ids["ahead"] = run.new(*PHONE, "-s", "Dicatat sebentar lagi", "--at", "2026-08-13T09:00")
    run.ok("assign", ids["ahead"], "--to", "Ani\u200b", "--at", soon)
    return ids


LISTINGS = [
    (), ("--all",), ("--sort", "due"), ("--sort", "due", "--all"), ("--mine",), ("--holder", "Dewi 😀"),
    ("--status", "waiting"), ("--status", "answered"), ("--unassigned",), ("--flagged",), ("--overdue",),
    ("--search", "lelang"), ("--kind", "pengaduan"), ("--channel", "kotak-saran"),
    ("--since", "2026-08-04", "--until", "2026-08-06"), ("--holder", "Bel\x07la"),
]


@pytest.mark.parametrize("measure", ["wcwidth", "len"])
def test_a_table_with_wide_characters_is_made_in_sql_as_the_cells_make_it(run, wide, measure):
    with measured_by(measure):
        for args in LISTINGS:
            same_table(run, *args)
        table = same_table(run, "--all")
    assert all(tid in table for tid in wide.values())
    # The typed control characters made visible, as every table shows them.
    assert "Bunyi\\x07bel" in table and "Bel\\x07la" in table
    lines = table.splitlines()
    assert lines[0].startswith("id ") and lines[1].startswith("---")
    # The line without a subject ends at its last cell: every line lost its trailing spaces.
    assert not any(line.endswith(" ") for line in lines)


def test_a_table_of_plain_text_has_the_columns_its_widest_cells_give(run):
    first = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-03T09:00")
    second = run.new("-c", "kotak-saran", "-s", "Saran", "-k", "masukan", "--at", "2026-08-04T09:00")
    run.ok("assign", first, "--to", "Ani Rahmawati", "--at", "2026-08-03T10:00")
    table = same_table(run)
    head, dashes, *rows = table.splitlines()
    # suggestion-box (14) is the widest channel, "Ani Rahmawati" (13) the widest holder; "kind" takes "suggestion".
    assert [len(d) for d in dashes.split("  ")][2:4] == [14, 10]
    assert [len(d) for d in dashes.split("  ")][6] == 13
    assert rows[0].startswith(first) and rows[1].startswith(second)
    assert rows[1].split("  ")[-1] == "Saran"


def test_nothing_listed_says_so_with_and_without_the_index(run):
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-03T09:00")
    result = run("list", "--status", "closed")
    assert result.exit_code == 0 and result.stdout == "" and "No tickets match." in result.stderr
    same_table(run, "--status", "closed")


def test_a_cell_with_a_terminal_code_is_laid_out_by_tabulate_with_and_without_the_index(run, wide):
    run.new(*PHONE, "-s", "Merah \x1b[31mmenyala", "--at", "2026-08-14T09:00")
    table = same_table(run, in_sql=False)
    assert "\\x1b[31m" in table and "\x1b" not in table


def test_a_plain_table_from_the_index_loads_neither_wcwidth_nor_tabulate(run):
    home = ["--home", str(run.home), "--operator", "Rina", "--lang", "en"]
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-03T09:00")
    run.ok("list")  # the index built
    assert imported_after([*home, "list"], ["wcwidth", "tabulate"]) == []
    run.new(*PHONE, "-s", "漢字の件名", "--at", "2026-08-04T09:00")
    assert imported_after([*home, "list"], ["wcwidth", "tabulate"]) == ["wcwidth"]  # a wide subject is measured
