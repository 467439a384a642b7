"""A new index is made of 16 KiB pages, not SQLite's 4 KiB.

A JSON listing reads tens of megabytes of rows, and SQLite reads a page at
a time, one system call each: with four times fewer pages the listing's SQL
takes about a sixth less CPU at 100,000 tickets (benchmarks/run.py). A page
size is taken only by a new file, which the disposable index often is (a
fresh clone, a first build, a damaged or deleted index); an index made
before keeps its pages and answers the same.
"""

from __future__ import annotations

import sqlite3

from lpsectl import index
from tests.conftest import drop_index

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def _page_size(run) -> int:
    db = sqlite3.connect(str(run.home / index.INDEX_NAME))
    try:
        return db.execute("PRAGMA page_size").fetchone()[0]
    finally:
        db.close()


def test_the_first_build_makes_an_index_of_16_kib_pages(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    (run.home / index.INDEX_NAME).unlink(missing_ok=True)
    assert tid in run.ok("list", "--json")
    assert _page_size(run) == index.PAGE_SIZE == 16384


def test_an_index_of_smaller_pages_is_kept_and_answers_the_same(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    first = run.ok("list", "--json")
    path = run.home / index.INDEX_NAME
    drop_index(run.home)
    db = sqlite3.connect(str(path))
    db.execute("PRAGMA page_size = 4096")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    assert run.ok("list", "--json") == first and tid in first
    assert _page_size(run) == 4096
