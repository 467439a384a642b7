"""An index written by an older lpsectl, whose table lacks today's columns, is rebuilt and used.

Bumping the index's schema must not leave every command reading the files
forever because the old table cannot take the new rows.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from lpsectl import index

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def make_it_an_older_index(db_path: Path) -> None:
    """The table as schema 2 had it: without the listing's texts and the indexes in its orders."""
    db = sqlite3.connect(str(db_path))
    for name in ("tickets_by_status", "tickets_by_due", "tickets_flagged"):
        db.execute(f"DROP INDEX {name}")
    db.execute("CREATE INDEX tickets_status ON tickets (status, created_us)")
    for column in ("json_head", "json_tail", "list_subject", "page_subject", "respond_local"):
        db.execute(f"ALTER TABLE tickets DROP COLUMN {column}")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    db.commit()
    db.close()


def test_an_index_of_an_older_schema_is_rebuilt_with_the_new_columns(run, parses):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("assign", tid, "--to", "Ani", "--at", "2026-08-13T10:00")
    db_path = run.home / index.INDEX_NAME
    run.ok("list")
    make_it_an_older_index(db_path)

    rows = json.loads(run.ok("list", "--json"))
    assert [(r["id"], r["holder"]) for r in rows] == [(tid, "Ani")]

    db = sqlite3.connect(str(db_path))
    columns = [c[1] for c in db.execute("PRAGMA table_info(tickets)")]
    schema = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
    db.close()
    assert columns == list(index.COLUMNS)
    assert schema == str(index.SCHEMA)
    # and it answers from then on without parsing a file
    parses.clear()
    run.ok("list")
    assert parses == []


def test_an_index_without_the_listing_table_is_rebuilt_and_lists_from_it(run, parses):
    """Schema 3 kept no narrow table of listing rows: the one made empty beside it must not stay empty."""
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    db_path = run.home / index.INDEX_NAME
    run.ok("list")
    db = sqlite3.connect(str(db_path))
    db.execute("DROP TABLE listed")
    db.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")
    db.commit()
    db.close()

    assert [r["id"] for r in json.loads(run.ok("list", "--json"))] == [tid]
    assert tid in run.ok("list")
    db = sqlite3.connect(str(db_path))
    listed = db.execute("SELECT id FROM listed").fetchall()
    db.close()
    assert listed == [(tid,)]
