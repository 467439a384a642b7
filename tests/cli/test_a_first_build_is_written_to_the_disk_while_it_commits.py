"""A first build's file goes to the disk while its rows go in and while it commits, and is synced whole before it is linked.

Synced only after the commit, its hundreds of megabytes at 100,000 tickets
went to the disk while one core had nothing else to do. A thread of its own
writes it every second while the rows go in, and once more as the last row
is in, while the transaction commits; the sync before the link (the one
durability rests on) waits for that thread, then writes what the commit
added.
"""

from __future__ import annotations

import threading
import time

import pytest

from lpsectl import index
from lpsectl.index import INDEX_NAME, Index
from lpsectl.store import Helpdesk
from tests.conftest import drop_index, first_build_reading


@pytest.fixture
def events(run, monkeypatch) -> list[tuple]:
    """What a first build of ``run``'s helpdesk does, in order: its syncs (by thread) and its commits."""
    seen: list[tuple] = []
    real_sync = index._sync

    def sync(path):
        who = threading.current_thread().name
        seen.append(("sync begins", who, index.BUILDING in path))
        real_sync(path)
        seen.append(("sync ends", who, index.BUILDING in path))

    def traced(statement):
        if statement == "COMMIT":
            flushing = any(t.name == index.FLUSH_THREAD for t in threading.enumerate())
            seen.append(("COMMIT", flushing or ("sync ends", index.FLUSH_THREAD, True) in seen))

    real_open = Index._open_building

    def open_building(self):
        db = real_open(self)
        db.set_trace_callback(traced)
        return db

    monkeypatch.setattr(index, "_sync", sync)
    monkeypatch.setattr(Index, "_open_building", open_building)
    for day in range(3, 6):
        run.new("-c", "kotak-saran", "-s", f"Saran {day}", "--at", f"2026-08-0{day}T09:00")
    drop_index(run.home)
    return seen


def test_the_file_is_flushed_beside_the_commit_and_synced_whole_after_it(run, events):
    ix = Index(Helpdesk(run.home))
    ix.refresh()
    ids = [i for (i,) in ix.db.execute("SELECT id FROM tickets")]
    ix.close()
    assert len(ids) == 3 and (run.home / INDEX_NAME).exists()
    main = threading.current_thread().name
    # the flush was on its way when the transaction committed ...
    assert ("COMMIT", True) in events
    flush = [e for e in events if e[1] == index.FLUSH_THREAD]
    assert flush and flush == [("sync begins", index.FLUSH_THREAD, True),
                               ("sync ends", index.FLUSH_THREAD, True)] * (len(flush) // 2)
    # ... and the sync the link waits for came after its last one ended and after the commit
    last = events.index(("sync begins", main, True))
    assert max(i for i, e in enumerate(events) if e == ("sync ends", index.FLUSH_THREAD, True)) < last
    assert events.index(("COMMIT", True)) < last
    assert events[last + 1] == ("sync ends", main, True)
    assert not any(t.name == index.FLUSH_THREAD for t in threading.enumerate())


def test_the_file_is_flushed_again_and_again_while_the_rows_go_in(run, events, monkeypatch):
    monkeypatch.setattr(index, "FLUSH_EVERY", 0.01)
    real = index.read_file
    reading = []

    def slow(*a, **k):
        reading.append(len(events))
        time.sleep(0.1)  # the workers' time, in which the flush thread writes what came before
        return real(*a, **k)

    monkeypatch.setattr(index, "read_file", slow)
    ix = Index(Helpdesk(run.home))
    ix.refresh()
    ix.close()
    # every file after the first was read after a flush of what the rows before it wrote
    assert all(("sync ends", index.FLUSH_THREAD, True) in events[:n] for n in reading[1:])
    commit = events.index(("COMMIT", True))
    assert events[:commit].count(("sync ends", index.FLUSH_THREAD, True)) >= 2


def test_a_build_that_fails_after_its_rows_waits_for_the_flush_and_leaves_no_file(run, events, monkeypatch):
    def failing(self):
        raise KeyboardInterrupt  # as a Ctrl-C between the last row and the commit

    monkeypatch.setattr(Index, "_relist", failing)
    ix = Index(Helpdesk(run.home))
    with pytest.raises(KeyboardInterrupt):
        ix.refresh()
    ix.close()
    assert not any(t.name == index.FLUSH_THREAD for t in threading.enumerate())
    assert ("sync ends", index.FLUSH_THREAD, True) in events
    assert not (run.home / INDEX_NAME).exists()
    assert [p.name for p in (run.home / ".lpsectl").iterdir() if index.BUILDING in p.name] == []


def test_a_first_build_keeps_a_small_page_cache_while_its_rows_go_in(run, monkeypatch):
    """Its keys come in order, so few pages take its rows; what the cache holds at the end, the commit writes."""
    ix, during = first_build_reading(run, monkeypatch, 3, lambda ix: ix.db.execute("PRAGMA cache_size").fetchone()[0])
    assert during == [index.FIRST_BUILD_CACHE_KB] * 3
    assert index.FIRST_BUILD_CACHE_KB > index.BULK_CACHE_KB  # (negative: KiB) smaller
    ix.close()
