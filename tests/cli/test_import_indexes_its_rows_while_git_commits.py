"""An import's index rows go in while git records its commit, and count only once git has.

At 100,000 rows git's commit (every blob packed, every file hashed into its
index) and the index's inserts each take many seconds, one core each: one
after the other, a core sat idle through both. The rows now go in on a
thread of their own, in a transaction that is committed only after git moved
the branch; a commit that fails or is interrupted leaves the index as it was.
"""

from __future__ import annotations

import threading

import pytest

from lpsectl import index
from lpsectl.gitrepo import GitError, GitRepo
from lpsectl.index import Index
from lpsectl.store import Helpdesk

ROWS = 6
CSV = "channel,created_at,subject\n" + "".join(f"kotak-saran,2026-08-{d:02d} 09:00,saran {d}\n"
                                               for d in range(3, 3 + ROWS))
# How long git's commit waits to see the rows going in before it goes on
# without them: only an import that adds them after the commit waits it out.
PATIENCE_S = 20


def indexed_ids(run) -> set[str]:
    ix = Index(Helpdesk(run.home))
    try:
        return {tid for (tid,) in ix.db.execute("SELECT id FROM tickets")}
    finally:
        ix.close()


@pytest.fixture
def rekap(run, tmp_path):
    run.new("-c", "kotak-saran", "-s", "Sebelum impor", "--at", "2026-08-03T08:00")
    run.ok("list")  # the index is up to date before the import
    f = tmp_path / "rekap.csv"
    f.write_text(CSV, encoding="utf-8")
    return f


@pytest.mark.parametrize("processes", ["one process", "several processes"])
def test_the_rows_go_into_the_index_while_git_commits(run, rekap, monkeypatch, processes):
    if processes == "several processes":
        monkeypatch.setattr(index, "PARALLEL_FROM", 2)
        monkeypatch.delenv("LPSECTL_SERIAL", raising=False)
    adding = threading.Event()
    real_add, real_commit = Index._add_rows, GitRepo.commit

    def add_rows(self, results):
        adding.set()
        return real_add(self, results)

    seen: list[bool] = []

    def commit(self, paths, message, operator, **kw):
        if len(paths) == ROWS:  # the import's commit
            seen.append(adding.wait(PATIENCE_S))
        return real_commit(self, paths, message, operator, **kw)

    monkeypatch.setattr(Index, "_add_rows", add_rows)
    monkeypatch.setattr(GitRepo, "commit", commit)
    run.ok("import", str(rekap))
    assert seen == [True], "the index's rows waited for git's commit"
    assert len(indexed_ids(run)) == ROWS + 1


def test_rows_added_while_git_commits_are_not_seen_before_the_commit(run, rekap, monkeypatch):
    before = indexed_ids(run)
    real_add, real_commit = Index._add_rows, GitRepo.commit
    added = threading.Event()

    def add_rows(self, results):
        real_add(self, results)
        added.set()

    def commit(self, paths, message, operator, **kw):
        if len(paths) == ROWS:
            assert added.wait(PATIENCE_S)
            assert indexed_ids(run) == before, "another connection saw rows of an import git had not recorded"
        return real_commit(self, paths, message, operator, **kw)

    monkeypatch.setattr(Index, "_add_rows", add_rows)
    monkeypatch.setattr(GitRepo, "commit", commit)
    run.ok("import", str(rekap))
    assert len(indexed_ids(run)) == ROWS + 1


@pytest.mark.parametrize("failure", [GitError("git commit failed: disk full"), KeyboardInterrupt()],
                         ids=["git fails", "interrupted"])
def test_a_commit_that_fails_leaves_the_index_as_it_was(run, rekap, monkeypatch, failure):
    hd = Helpdesk(run.home)
    ix = Index(hd)
    key, rows = ix.state_key(), indexed_ids(run)
    ix.close()
    real_add = Index._add_rows
    added = threading.Event()

    def add_rows(self, results):
        real_add(self, results)
        added.set()

    def commit(self, paths, message, operator, **kw):
        added.wait(PATIENCE_S)  # the rows are in, uncommitted, when git fails
        raise failure

    monkeypatch.setattr(Index, "_add_rows", add_rows)
    monkeypatch.setattr(GitRepo, "commit", commit)
    assert run("import", str(rekap)).exit_code == 1  # click reads Ctrl-C as "Aborted!"
    monkeypatch.undo()
    ix = Index(Helpdesk(run.home))
    assert ix.state_key() == key
    ix.close()
    assert indexed_ids(run) == rows
    assert not list(run.home.glob("tickets/2026/08/*.yaml"))[1:], "the import's files were not rolled back"
    run.ok("list")
    assert indexed_ids(run) == rows
