"""An index written by an earlier schema, with other columns, is made again rather than given up on."""

from __future__ import annotations

import json
import sqlite3


def test_an_index_with_the_columns_of_an_earlier_schema_is_rebuilt_with_the_new_ones(run):
    tid = run.new("-c", "telepon", "--name", "Budi", "--phone", "0752 1", "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("list")
    path = run.home / ".lpsectl" / "index.sqlite3"
    db = sqlite3.connect(path)
    # What schema 1 had: no column for the first response or the start of a wait.
    db.execute("DROP TABLE tickets")
    db.execute("CREATE TABLE tickets (id, path, created_us, created_iso, channel, kind, category, category_cf, "
               "difficulty, subject, reporter_name, search, phone, status, tier, last_us, edit_us, state, body, "
               "day, created_local, due_us, due_iso, due_local, response_due_us, PRIMARY KEY (id))")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    db.commit()
    db.close()
    assert [r["id"] for r in json.loads(run.ok("list", "--json"))] == [tid]
    db = sqlite3.connect(path)
    columns = {row[1] for row in db.execute("PRAGMA table_info(tickets)")}
    assert {"responded_us", "wait_since_us"} <= columns
    assert db.execute("SELECT id FROM tickets").fetchall() == [(tid,)]
    db.close()
