"""A first build of the index parses and derives each ticket once, and keeps nothing else to do."""

from __future__ import annotations

from lpsectl import index
from lpsectl.index import Index
from lpsectl.store import Helpdesk


def test_a_first_build_derives_each_row_once(run, monkeypatch):
    for day in range(3, 8):
        run.new("-c", "kotak-saran", "-s", f"Saran {day}", "--at", f"2026-08-0{day}T09:00")
    monkeypatch.setenv("LPSECTL_SERIAL", "1")  # counted in this process
    derived = []
    real = index.derived
    monkeypatch.setattr(index, "derived", lambda t, s, ctx, *given: derived.append(t.id) or real(t, s, ctx, *given))
    (run.home / ".lpsectl" / "index.sqlite3").unlink(missing_ok=True)
    ix = Index(Helpdesk(run.home))
    ix.refresh()
    assert sorted(derived) == sorted(r[0] for r in ix.select(columns=("id",)))
    assert len(derived) == 5
    ix.close()
