"""After the configuration changes, every row is derived again a batch at a time, not all at once.

Holding 100,000 tickets at once took a command past issue 10's memory limit
(300 MB). The batches are made small here: the rows must come out as a
fresh build makes them, and no more than one batch of tickets may have been
made before their rows are written.
"""

from __future__ import annotations

from lpsectl import index
from lpsectl.index import Index
from lpsectl.store import Helpdesk


def _rows(ix: Index) -> list[tuple]:
    return ix.select(columns=index.COLUMNS)


def test_rows_derived_again_in_small_batches_are_those_of_a_fresh_build(run, monkeypatch):
    for day in range(3, 10):
        run.new("-c", "kotak-saran", "-s", f"Saran {day}", "--at", f"2026-08-0{day}T09:00")
    Index(Helpdesk(run.home)).refresh()
    config = run.home / "lpsectl.yaml"
    config.write_text(config.read_text().replace("normal: 5", "normal: 3")
                      .replace("closed_days: []", "closed_days: ['2026-08-11']"))
    monkeypatch.setattr(index, "DERIVE_BATCH", 2, raising=False)
    made = []  # +1 per ticket made from a row, -1 per row written back
    real = index.ticket_of
    monkeypatch.setattr(index, "ticket_of", lambda row: made.append(1) or real(row))
    ix = Index(Helpdesk(run.home))
    ix.db.set_trace_callback(lambda sql: made.append(-1) if sql.startswith("UPDATE tickets SET") else None)
    ix.refresh()
    ix.db.set_trace_callback(None)
    assert made.count(1) == 7 and made.count(-1) == 7
    waiting = [sum(made[:i + 1]) for i in range(len(made))]
    assert max(waiting) <= 2, made
    derived_again = _rows(ix)
    ix.close()
    (run.home / ".lpsectl" / "index.sqlite3").unlink()
    fresh = Index(Helpdesk(run.home))
    fresh.refresh()
    assert derived_again == _rows(fresh)
    assert any(r[index.COLUMNS.index("due_iso")].startswith("2026-08-12") for r in derived_again)
    fresh.close()
