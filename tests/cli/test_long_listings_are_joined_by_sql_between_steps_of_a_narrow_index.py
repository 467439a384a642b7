"""A long JSON listing is read in chunks, each joined by SQL between two steps found in a narrow index.

At 100,000 tickets a long listing is 60,000 rows: fetched one Python object
a row, then joined, they cost more than SQL's own join of the same texts
(``group_concat``). A chunk is the rows between two steps, keys found
``CHUNK_ROWS`` apart in a narrow index of ``tickets`` in the listing's
order. Each chunk must be read as a range of the index between its two
keys: a listing by deadline also asks ``due_us < now``, and SQLite, taking
that bound instead, read every chunk to the end of the overdue rows (at
100,000 tickets the overdue section of ``today --json`` took 0.8 s instead
of 0.17). What SQLite plans is asked, never how long it takes.
"""

from __future__ import annotations

import json

import pytest

from lpsectl import listing
from tests.conftest import query_plan, statements_run_by

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def _helpdesk(run) -> list[str]:
    ids = [run.new(*PHONE, "-s", f"Soal {n}", "--at", f"2026-08-0{n}T09:00") for n in range(3, 8)]
    run.ok("answer", ids[1], "-m", "Terima kasih", "--at", "2026-08-04T10:00")
    for tid in ids[2:]:
        run.ok("claim", tid)
    run.ok("followup", ids[1], "-m", "Masih belum bisa")
    run.ok("followup", ids[4], "-m", "Masih belum bisa")
    run.ok("list")  # the index built
    return ids


def _traced(run, monkeypatch, *args: str) -> tuple[str, list[str]]:
    """The output of ``lpsectl args``, read as a long listing two rows a chunk, and the statements it ran."""
    statements = statements_run_by(monkeypatch, listing, "_chunks_between_steps")
    monkeypatch.setattr(listing, "FEW_ROWS", 0)  # read as the long listings are (at 100,000, 60,000 rows)
    monkeypatch.setattr(listing, "CHUNK_ROWS", 2)
    return run.ok(*args), statements


def _plan(run, sql: str) -> list[str]:
    return query_plan(run.home, sql)


LONG = [("list", "--overdue", "--json"), ("list", "--overdue", "--sort", "due", "--json"),
        ("list", "--due", "2026-12-31", "--sort", "due", "--json"),
        ("list", "--status", "open", "--json"), ("list", "--status", "open", "--sort", "due", "--json"),
        ("list", "--json"), ("list", "--unassigned", "--json"), ("list", "--mine", "--json"),
        ("list", "--channel", "telepon", "--json"), ("today", "--json"),
        # rows of several statuses: a range of listed a status, a chunk's rows sorted
        ("list", "--all", "--json"), ("list", "--status", "open", "--status", "answered", "--json"),
        ("list", "--flagged", "--json")]
# Read in one statement: rows of several statuses by deadline (no index of tickets holds their keys in
# order), and a search (each chunk a search of every ticket's text again).
ONE_STATEMENT = [("list", "--sort", "due", "--json"), ("list", "--all", "--sort", "due", "--json"),
                 ("list", "--search", "Soal", "--json"), ("list", "--status", "open", "--search", "Soal", "--json")]


@pytest.mark.parametrize("args", LONG, ids=[" ".join(a) for a in LONG])
def test_each_chunk_is_read_as_the_range_of_the_index_between_its_two_steps(run, monkeypatch, args):
    _helpdesk(run)
    without_index = run.ok(*args, env={"LPSECTL_NO_INDEX": "1"})
    out, statements = _traced(run, monkeypatch, *args)
    assert out == without_index and json.loads(out)
    chunks = [s for s in statements if s.startswith("SELECT CAST(group_concat(")]
    between = [s for s in chunks if s.count(") > (") and s.count(") <= (")]
    assert between, statements  # five tickets, steps two apart: some chunk lies between two steps
    for sql in between:
        search = [step for step in _plan(run, sql) if step.startswith("SEARCH listed")]
        assert len(search) == 1, (sql, search)
        keys = sql.split("ORDER BY ")[-1].rstrip(")").replace(" ", "")
        assert f"({keys})>(" in search[0] and f"({keys})<(" in search[0], (sql, search)


@pytest.mark.parametrize("args", LONG, ids=[" ".join(a) for a in LONG])
def test_the_steps_are_found_in_a_narrow_index_of_tickets_in_the_listings_order(run, monkeypatch, args):
    _helpdesk(run)
    _, statements = _traced(run, monkeypatch, *args)
    steps = [s for s in statements if " FROM tickets " in s]
    assert steps, statements
    for sql in steps:
        plan = _plan(run, sql)
        narrow = ("SEARCH tickets USING COVERING INDEX tickets_", "SCAN tickets USING COVERING INDEX tickets_created")
        assert any(step.startswith(narrow) for step in plan), (sql, plan)
        assert not any("TEMP B-TREE" in step for step in plan), (sql, plan)


@pytest.mark.parametrize("args", ONE_STATEMENT, ids=[" ".join(a) for a in ONE_STATEMENT])
def test_rows_by_deadline_of_several_statuses_or_searched_are_read_in_one_statement(run, monkeypatch, args):
    _helpdesk(run)
    without_index = run.ok(*args, env={"LPSECTL_NO_INDEX": "1"})
    out, statements = _traced(run, monkeypatch, *args)
    assert out == without_index and statements == []
