"""After the configuration changes, every row is derived again a batch at a time, not all at once.

Many rows are derived in the pool of processes a first build uses.

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


def _helpdesk_whose_configuration_changed(run) -> None:
    """Seven tickets indexed, then shorter targets and a closed day that moves some deadlines."""
    for day in range(3, 10):
        run.new("-c", "kotak-saran", "-s", f"Saran {day}", "--at", f"2026-08-0{day}T09:00")
    Index(Helpdesk(run.home)).refresh()
    config = run.home / "lpsectl.yaml"
    config.write_text(config.read_text().replace("normal: 5", "normal: 3")
                      .replace("closed_days: []", "closed_days: ['2026-08-11']"))


def _same_as_a_fresh_build(run, derived_again: list[tuple]) -> None:
    assert any(r[index.COLUMNS.index("due_iso")].startswith("2026-08-12") for r in derived_again)
    (run.home / ".lpsectl" / "index.sqlite3").unlink()
    fresh = Index(Helpdesk(run.home))
    fresh.refresh()
    assert derived_again == _rows(fresh)
    fresh.close()


def test_rows_derived_again_in_small_batches_are_those_of_a_fresh_build(run, monkeypatch):
    _helpdesk_whose_configuration_changed(run)
    monkeypatch.setenv("LPSECTL_SERIAL", "1")  # counted in this process
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
    _same_as_a_fresh_build(run, derived_again)


def test_rows_derived_again_in_several_processes_are_those_of_a_fresh_build(run, monkeypatch):
    _helpdesk_whose_configuration_changed(run)
    monkeypatch.delenv("LPSECTL_SERIAL", raising=False)
    monkeypatch.setattr(index, "PARALLEL_FROM", 1)
    monkeypatch.setattr(index, "DERIVE_BATCH", 2, raising=False)
    in_workers = []
    real = index.Index._in_workers
    monkeypatch.setattr(index.Index, "_in_workers", lambda self, fn, *a: in_workers.append(fn) or real(self, fn, *a))
    ix = Index(Helpdesk(run.home))
    ix.refresh()
    assert in_workers == [index._worker_derive]
    derived_again = _rows(ix)
    ix.close()
    _same_as_a_fresh_build(run, derived_again)
