"""A JSON listing by deadline reads its rows' texts from one index, in the order it prints them.

The overdue section of ``today --json`` (60,000 rows at 100,000 tickets) and
``list --due ... --sort due`` find their rows by deadline. From the narrow
deadline index SQLite looked each row up in ``listed`` for its JSON text,
one seek a row; ``listed_due_texts`` (open rows only, the only ones with a
deadline to meet) holds the texts too, so the join reads it alone. A long
listing is counted while its texts are joined, not by a scan of its own.
What SQLite plans and runs is asked, never how long it takes.
"""

from __future__ import annotations

import sqlite3
from unittest import mock

from lpsectl import index, listing

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def _traced(run, monkeypatch, *args: str) -> tuple[str, list[str]]:
    """The output of ``lpsectl args`` and the statements the listing's joins ran."""
    statements: list[str] = []
    real = listing.joined_texts

    def traced(db, *a, **kw):
        db.set_trace_callback(statements.append)
        try:
            return real(db, *a, **kw)
        finally:
            db.set_trace_callback(None)

    monkeypatch.setattr(listing, "joined_texts", traced)
    monkeypatch.setattr(listing, "FEW_ROWS", 0)  # read as the long listings are (at 100,000, 60,000 rows)
    return run.ok(*args), statements


def _plan(run, sql: str) -> list[str]:
    db = sqlite3.connect(str(run.home / index.INDEX_NAME))
    try:
        return [step[3] for step in db.execute("EXPLAIN QUERY PLAN " + sql)]
    finally:
        db.close()


def _helpdesk(run) -> list[str]:
    ids = [run.new(*PHONE, "-s", f"Soal {n}", "--at", f"2026-08-0{n}T09:00") for n in (3, 4, 5)]
    run.ok("answer", ids[1], "-m", "Terima kasih", "--at", "2026-08-04T10:00")
    run.ok("list")  # the index built
    return ids


def test_overdue_texts_by_deadline_are_read_from_the_texts_index_alone(run, monkeypatch):
    first, _, third = _helpdesk(run)
    out, statements = _traced(run, monkeypatch, "today", "--json")
    assert first in out and third in out
    joins = [s for s in statements if "group_concat" in s and "ORDER BY due_us" in s]  # overdue, due today...
    assert joins, statements
    for sql in joins:
        plan = _plan(run, sql)
        assert any("USING COVERING INDEX listed_due_texts" in step for step in plan), (sql, plan)
        assert not any("TEMP B-TREE" in step for step in plan), (sql, plan)


def test_a_listing_due_by_a_day_in_deadline_order_reads_the_texts_index_alone(run, monkeypatch):
    first, _, third = _helpdesk(run)
    out, statements = _traced(run, monkeypatch, "list", "--due", "2026-12-31", "--sort", "due", "--json")
    assert out.index(first) < out.index(third)
    joins = [s for s in statements if "group_concat" in s]
    assert joins, statements
    for sql in joins:
        plan = _plan(run, sql)
        assert any("USING COVERING INDEX listed_due_texts" in step for step in plan), (sql, plan)


def test_a_long_listing_is_counted_while_its_texts_are_joined(run, monkeypatch):
    ids = _helpdesk(run)
    out, statements = _traced(run, monkeypatch, "list", "--all", "--json")
    assert [i for i in ids if i in out] == ids
    counts = [s for s in statements if s.startswith("SELECT count(*)") and "group_concat" not in s]
    # the one count that decides how to read the rows stops past FEW_ROWS (0 here); the join counts them all
    assert counts and all(s.endswith(" LIMIT 1)") for s in counts), counts
    assert any(s.startswith("SELECT count(*), CAST(group_concat(") for s in statements), statements
