"""A first build writes the rows of ``listed`` with each batch of ticket rows, not all of them after the last.

While the workers parse, the rows just written are still in SQLite's cache;
after the last batch, the writer alone would read every row again and sort
them, with nothing else to do on the other core.
"""

from __future__ import annotations

import json

from lpsectl import index
from tests.conftest import first_build_reading


def test_each_batch_of_a_first_build_is_listed_as_it_goes_in(run, monkeypatch):
    monkeypatch.setattr(index, "APPLY_BATCH", 2)
    ix, listed_when_read = first_build_reading(
        run, monkeypatch, 5, lambda ix: ix.db.execute("SELECT count(*) FROM listed").fetchone()[0])
    assert listed_when_read == [0, 0, 2, 2, 4]
    assert ix.db.execute("SELECT count(*) FROM listed").fetchone() == (5,)
    ix.close()
    for args in (["list", "--json", "--all"], ["list", "--all"], ["today", "--json"]):
        assert run.ok(*args) == run.ok(*args, env={"LPSECTL_NO_INDEX": "1"})
    assert len(json.loads(run.ok("list", "--json"))) == 5
