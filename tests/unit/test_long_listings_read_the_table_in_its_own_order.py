"""A listing of most of the tickets reads ``listed`` in its own order, not row by row through another index.

The morning page's section of the tickets no one holds asks for open or
waiting tickets; the rows the index answers for are never waiting (a
waiting ticket's deadline moves, so it is assessed in Python). Asked as
``status IN ('open', 'waiting')``, SQLite found the rows through the index
by holder and then looked each one up in the table (at 100,000 tickets,
60,000 lookups: twice the time of reading them in order). Asked as the
open rows they are, the rows come straight from the table in the order the
page prints them, and they are the same rows.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from lpsectl import listing
from lpsectl.clock import Calendar
from lpsectl.index import micros

from .test_listing_texts_keep_their_order import a_listed_table

NOW = datetime(2026, 8, 13, 9, 0, tzinfo=timezone.utc)


def the_morning_asks() -> dict[str, listing.Filters]:
    cal = Calendar(timezone.utc, time(16, 0))
    cal.preload_holidays({2026: {}})
    asked: dict[str, listing.Filters] = {}

    def select(want: listing.Filters) -> listing.Texts:
        asked[[k for k in listing.SECTIONS if k not in asked][0]] = want
        return listing.Texts([])

    listing.morning(select, cal, 5, NOW, None)
    return asked


def test_the_tickets_no_one_holds_are_read_in_the_tables_order(monkeypatch):
    monkeypatch.setattr(listing, "FEW_ROWS", 0)  # as many rows as at 100,000 tickets
    settled_last = micros(NOW) - 1
    rows = [{"status": status, "created_us": i * 1000, "id": f"2608-{i:04d}", "due_us": i, "last_us": settled_last,
             "holder": None if i % 2 else "Andi", "flagged": 0, "json_head": f'{{"n": {i}', "json_tail": "}"}
            for i in range(300) for status in ["open", "answered", "closed"][i % 3:i % 3 + 1]]
    db = a_listed_table(rows)
    want = the_morning_asks()["unassigned"]
    assert want.statuses == {"open", "waiting"} and want.unassigned

    settled, params, _, _ = listing._where(None, want, NOW)  # type: ignore[arg-type]
    asked: list[str] = []
    db.set_trace_callback(asked.append)
    chunks = list(listing.texts_in_order(db, "json_head || json_tail", " AND ".join(settled), params,
                                         listing._keys(want)))
    db.set_trace_callback(None)

    kept = [r for r in rows if r["status"] == "open" and r["holder"] is None]
    assert kept
    assert listing.ROW_SEP.encode().join(chunks) == listing.ROW_SEP.join(r["json_head"] + r["json_tail"] for r in kept).encode()
    texts = [q for q in asked if q.startswith("SELECT CAST(")]
    assert len(texts) == 1
    plan = " | ".join(step[3] for step in db.execute("EXPLAIN QUERY PLAN " + texts[0]))
    assert "USING PRIMARY KEY" in plan and "listed_by_holder" not in plan and "TEMP B-TREE" not in plan, plan
