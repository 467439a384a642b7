"""Many rows going in at once in no order (a large import) make the indexes after them; a first build keeps them.

The secondary indexes are dropped while an import's rows go in and made
again from them in the same transaction. A first build reads the files in
path order, so every key comes nearly in order: it keeps every index up to
date as its rows go in, while its workers parse, and leaves nothing to sort
after its last row. Whatever ends the transaction, the index has every
index of its schema, and answers as the files do.
"""

from __future__ import annotations

import sqlite3

import pytest

from lpsectl import index
from lpsectl.index import DDL, INDEX_NAME, Index
from lpsectl.store import Helpdesk
from tests.conftest import drop_index, first_build_reading

CSV = "channel,created_at,subject,kind\n" + "".join(
    f"kotak-saran,2026-0{1 + i % 8}-1{i % 10} 09:00,Saran {i},masukan\n" for i in range(8))


def schema_indexes(db: sqlite3.Connection) -> set[tuple[str, str]]:
    return set(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))


def the_schema() -> set[tuple[str, str]]:
    db = sqlite3.connect(":memory:")
    db.executescript(DDL)
    return schema_indexes(db)


def test_while_the_rows_go_in_no_secondary_index_is_kept_and_after_them_every_one_is(run):
    run.new("-c", "kotak-saran", "-s", "Saran", "--at", "2026-08-03T09:00")
    ix = Index(Helpdesk(run.home))
    ix.refresh()
    assert {sql.split(" ON ")[1].split()[0] for _, sql in the_schema()} == {"tickets", "files", "listed"}
    with ix._indexed_after(("tickets", "files", "listed")):
        assert schema_indexes(ix.db) == set()
    assert schema_indexes(ix.db) == the_schema()
    with ix._indexed_after(("listed",)):
        assert {name for name, _ in schema_indexes(ix.db)} == {
            name for name, sql in the_schema() if " ON listed " not in sql}
    assert schema_indexes(ix.db) == the_schema()
    ix.close()


@pytest.mark.parametrize("processes", ["one process", "several processes"])
def test_a_first_build_leaves_every_index_of_the_schema(run, monkeypatch, processes):
    if processes == "several processes":
        monkeypatch.setattr(index, "PARALLEL_FROM", 2)
        monkeypatch.delenv("LPSECTL_SERIAL", raising=False)
    for day in range(3, 8):
        run.new("-c", "kotak-saran", "-s", f"Saran {day}", "--at", f"2026-08-0{day}T09:00")
    drop_index(run.home)
    ix = Index(Helpdesk(run.home))
    ix.refresh()
    assert schema_indexes(ix.db) == the_schema()
    # and the queries find their rows through them
    plan = " ".join(str(r) for r in ix.db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE status = 'open' ORDER BY created_us, id"))
    assert "tickets_by_status" in plan
    assert len(ix.select(columns=("id",))) == 5
    ix.close()


def test_a_first_build_that_fails_midway_keeps_the_indexes_and_the_next_one_finishes(run, monkeypatch):
    for day in range(3, 8):
        run.new("-c", "kotak-saran", "-s", f"Saran {day}", "--at", f"2026-08-0{day}T09:00")
    drop_index(run.home)
    real = index.read_file
    seen = []

    def failing(*a, **k):
        seen.append(a[1])
        if len(seen) == 3:
            raise KeyboardInterrupt  # as a kill would stop it: in the middle of the rows
        return real(*a, **k)

    monkeypatch.setattr(index, "read_file", failing)
    ix = Index(Helpdesk(run.home))
    with pytest.raises(KeyboardInterrupt):
        ix.refresh()
    ix.close()
    monkeypatch.setattr(index, "read_file", real)
    ix = Index(Helpdesk(run.home))
    assert schema_indexes(ix.db) == the_schema()  # rolled back with the rows
    assert ix.select(columns=("id",)) == []
    ix.refresh()
    assert schema_indexes(ix.db) == the_schema()
    assert len(ix.select(columns=("id",))) == 5
    ix.close()
    assert run.ok("list", "--json") == run.ok("list", "--json", env={"LPSECTL_NO_INDEX": "1"})


@pytest.mark.parametrize("before", [0, 1])
def test_an_import_of_more_rows_than_the_index_holds_leaves_every_index(run, tmp_path, monkeypatch, before):
    monkeypatch.setattr(index, "PARALLEL_FROM", 2)  # eight rows count as many
    monkeypatch.setenv("LPSECTL_SERIAL", "1")  # in this process, where remade counts
    remade = []
    real = Index._indexed_after
    monkeypatch.setattr(Index, "_indexed_after",
                        lambda self, tables: remade.append(tuple(tables)) or real(self, tables))
    for day in range(before):
        run.new("-c", "kotak-saran", "-s", "Sebelum impor", "--at", "2026-08-03T09:00")
    run.ok("list")  # the index is up to date before the import
    remade.clear()
    f = tmp_path / "rekap.csv"
    f.write_text(CSV, encoding="utf-8")
    run.ok("import", str(f))
    assert ("tickets", "files") in remade
    db = sqlite3.connect(run.home / INDEX_NAME)  # as the import left it (opening an Index makes what is missing)
    assert schema_indexes(db) == the_schema()
    assert db.execute("SELECT count(*) FROM tickets").fetchone() == (8 + before,)
    db.close()
    for args in (["list", "--json", "--all"], ["list", "--all"], ["today", "--json"]):
        assert run.ok(*args) == run.ok(*args, env={"LPSECTL_NO_INDEX": "1"})


def test_a_first_build_keeps_every_index_up_to_date_as_the_rows_go_in(run, monkeypatch):
    """Keys that come nearly in order (times, status, names and ids by path) cost little row by row.

    Kept while the workers parse, they leave nothing to sort after the last
    row, when the writer would work alone.
    """
    ix, during = first_build_reading(run, monkeypatch, 3, lambda ix: {name for name, _ in schema_indexes(ix.db)})
    every = {name for name, _ in the_schema()}
    assert during == [every] * 3
    assert schema_indexes(ix.db) == the_schema()
    ix.close()
