"""A JSON listing by deadline reads its rows' texts from one index, in the order it prints them.

The overdue section of ``today --json`` (60,000 rows at 100,000 tickets) and
``list --due ... --sort due`` find their rows by deadline. From the narrow
deadline index SQLite looked each row up in ``listed`` for its JSON text,
one seek a row; ``listed_due_texts`` (open rows only, the only ones with a
deadline to meet) holds the texts too, so the statement that reads the
texts reads it alone. A long listing is read by that statement only, not
counted by a scan of its own first.
What SQLite plans and runs is asked, never how long it takes.
"""

from __future__ import annotations


from lpsectl import listing
from tests.conftest import query_plan, statements_run_by

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def _traced(run, monkeypatch, *args: str) -> tuple[str, list[str]]:
    """The output of ``lpsectl args`` and the statements the listing's reads of texts ran."""
    statements = statements_run_by(monkeypatch, listing, "texts_in_order")
    monkeypatch.setattr(listing, "FEW_ROWS", 0)  # read as the long listings are (at 100,000, 60,000 rows)
    return run.ok(*args), statements


def _plan(run, sql: str) -> list[str]:
    return query_plan(run.home, sql)


def _helpdesk(run) -> list[str]:
    ids = [run.new(*PHONE, "-s", f"Soal {n}", "--at", f"2026-08-0{n}T09:00") for n in (3, 4, 5)]
    run.ok("answer", ids[1], "-m", "Terima kasih", "--at", "2026-08-04T10:00")
    run.ok("list")  # the index built
    return ids


def test_overdue_texts_by_deadline_are_read_from_the_texts_index_alone(run, monkeypatch):
    first, _, third = _helpdesk(run)
    out, statements = _traced(run, monkeypatch, "today", "--json")
    assert first in out and third in out
    joins = [s for s in statements if s.startswith("SELECT CAST(") and "ORDER BY due_us" in s]  # overdue, due today...
    assert joins, statements
    for sql in joins:
        plan = _plan(run, sql)
        assert any("USING COVERING INDEX listed_due_texts" in step for step in plan), (sql, plan)
        assert not any("TEMP B-TREE" in step for step in plan), (sql, plan)


def test_a_listing_due_by_a_day_in_deadline_order_reads_the_texts_index_alone(run, monkeypatch):
    first, _, third = _helpdesk(run)
    out, statements = _traced(run, monkeypatch, "list", "--due", "2026-12-31", "--sort", "due", "--json")
    assert out.index(first) < out.index(third)
    joins = [s for s in statements if s.startswith("SELECT CAST(")]
    assert joins, statements
    for sql in joins:
        plan = _plan(run, sql)
        assert any("USING COVERING INDEX listed_due_texts" in step for step in plan), (sql, plan)


def test_a_long_listing_is_read_by_the_statement_that_reads_its_texts_alone(run, monkeypatch):
    ids = _helpdesk(run)
    out, statements = _traced(run, monkeypatch, "list", "--all", "--json")
    assert [i for i in ids if i in out] == ids
    counts = [s for s in statements if s.startswith("SELECT count(*)")]
    # the one count that decides how to read the rows stops past FEW_ROWS (0 here); no scan counts them all
    assert counts and all(s.endswith(" LIMIT 1)") for s in counts), counts
    assert [s for s in statements if s.startswith("SELECT CAST(")], statements
