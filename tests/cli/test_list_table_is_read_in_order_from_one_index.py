"""The table of every ticket not closed (a bare ``list``) is read from one index, in the order it prints.

At 100,000 tickets, the table's two passes over the rows (each column's
widest cell, then every row's line) read the wide rows of ``listed``, with
their JSON texts, and sorted 80,000 lines by opening time. The index
``listed_table`` holds every column both passes read, in the listing's
order, and the widths of the cells people wrote with the test that they are
plain (``index.LISTED_FROM``): both passes scan it alone, with no sort, and
no cell's text is trimmed or tested while the widths are found. What SQLite
plans is asked, never how long it takes.
"""

from __future__ import annotations

import sqlite3
from unittest import mock

from lpsectl import index, listing

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def test_both_passes_of_the_table_read_the_table_index_alone_without_a_sort(run):
    first = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-03T09:00")
    second = run.new(*PHONE, "-s", "Jadwal lelang", "--at", "2026-08-04T09:00")
    third = run.new(*PHONE, "-s", "Gagal unggah", "--at", "2026-08-05T09:00")
    run.ok("answer", second, "-m", "Terima kasih", "--at", "2026-08-04T10:00")
    run.ok("close", third, "--resolution", "withdrawn", "--at", "2026-08-05T10:00")
    run.ok("list")  # the index built

    statements: list[str] = []
    real = listing.table_from_index

    def traced(hd, ix, *args, **kw):
        ix.db.set_trace_callback(statements.append)
        try:
            return real(hd, ix, *args, **kw)
        finally:
            ix.db.set_trace_callback(None)

    with mock.patch.object(listing, "table_from_index", traced):
        table = run.ok("list")
    rows = table.splitlines()[2:]
    assert [r.split()[0] for r in rows] == [first, second]  # open and answered, oldest first

    # (computed twice when git's look finds the index needs an update after all: each time both passes)
    passes = [s for s in statements if "FROM listed" in s]
    assert len(passes) >= 2, passes
    db = sqlite3.connect(str(run.home / index.INDEX_NAME))
    try:
        for sql in passes:
            plan = [step[3] for step in db.execute("EXPLAIN QUERY PLAN " + sql)]
            assert "SCAN listed USING COVERING INDEX listed_table" in plan, (sql, plan)
            assert not any("TEMP B-TREE" in step for step in plan), (sql, plan)
    finally:
        db.close()
    widths = passes[0]
    assert widths.startswith("SELECT count(*), max(")
    assert "trim(" not in widths and "GLOB" not in widths and "CAST(" not in widths, widths
