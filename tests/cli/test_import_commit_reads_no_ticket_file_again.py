"""An import's commit packs the blobs its workers kept beside the files: no ticket file is opened again for git."""

from __future__ import annotations

import pytest

from lpsectl import gitrepo, index
from lpsectl.gitrepo import MANY_PATHS
from tests.conftest import git

ROWS = MANY_PATHS + 10


@pytest.mark.parametrize("processes", ["one process", "several processes"])
def test_an_import_commit_reads_no_ticket_file_again(run, tmp_path, monkeypatch, processes):
    if processes == "several processes":
        monkeypatch.setattr(index, "PARALLEL_FROM", 2)
        monkeypatch.delenv("LPSECTL_SERIAL", raising=False)
    f = tmp_path / "rekap.csv"
    f.write_text("channel,created_at,subject\n"
                 + "".join(f"kotak-saran,2026-08-{1 + k % 28:02d} 09:{k % 60:02d},saran {k}\n" for k in range(ROWS)),
                 encoding="utf-8")
    real_read = gitrepo._read_all
    read: list[str] = []
    monkeypatch.setattr(gitrepo, "_read_all", lambda p: read.append(p) or real_read(p))

    run.ok("import", str(f))

    assert read and not [p for p in read if p.endswith(".yaml")]
    assert len(git(run.home, "show", "--name-only", "--format=", "HEAD").split()) == ROWS
    assert git(run.home, "status", "--porcelain", "--", "tickets") == ""
    assert int(git(run.home, "count-objects").split()[0]) < 50  # one pack, not a loose object a file
    run.ok("check")
