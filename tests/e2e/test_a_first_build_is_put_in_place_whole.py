"""An index built from nothing is written into a file of its own, with no journal, and put in place whole.

No byte of a first build goes through the WAL (and a checkpoint) twice; the
index appears at its path only when whole, so a kill in the middle leaves no
index, and of two first builds at once the one put in place first stays and
the other brings it up to date.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from lpsectl import index
from lpsectl.index import INDEX_NAME, Index
from lpsectl.store import Helpdesk
from tests.conftest import drop_index

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def build_files(home: Path) -> list[str]:
    """What first builds left beside the index (their own files)."""
    return sorted(p.name for p in (home / ".lpsectl").iterdir() if ".new-" in p.name)


def ids_listed(run, **kw) -> list[str]:
    return [row["id"] for row in json.loads(run.ok("list", "--all", "--json", **kw))]


def test_a_first_build_writes_its_own_file_with_no_journal_and_puts_it_in_place_whole(run, monkeypatch):
    ids = [run.new(*PHONE, "-s", f"Tiket {i}", "--at", f"2026-08-1{i}T09:00") for i in range(3)]
    drop_index(run.home)
    path = run.home / INDEX_NAME
    seen: list[tuple[bool, bool]] = []
    real = index.read_file

    def spy(*a, **k):
        seen.append((path.exists(), Path(str(path) + "-wal").exists()))
        return real(*a, **k)

    monkeypatch.setattr(index, "read_file", spy)
    ix = Index(Helpdesk(run.home))
    assert ix.db.execute("PRAGMA journal_mode").fetchone() == ("off",)
    assert ix.db.execute("PRAGMA synchronous").fetchone() == (0,)
    ix.refresh()
    assert seen == [(False, False)] * 3  # nothing at the index's path while the rows go in
    assert sorted(i for (i,) in ix.db.execute("SELECT id FROM tickets")) == sorted(ids)
    assert ix.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # used from its place, as every reader
    ix.close()
    assert build_files(run.home) == []
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()
    assert ids_listed(run) == ids_listed(run, env={"LPSECTL_NO_INDEX": "1"})


def test_a_command_that_builds_nothing_leaves_no_file_where_there_was_no_index(run):
    tid = run.new(*PHONE, "-s", "Tiket", "--at", "2026-08-13T09:00")
    drop_index(run.home)
    run.ok("show", tid)
    assert not (run.home / INDEX_NAME).exists()
    assert build_files(run.home) == []


def test_a_kill_in_the_middle_of_a_first_build_leaves_no_index_and_the_next_build_clears_its_file(run, tmp_path):
    for i in range(6):
        run.new(*PHONE, "-s", f"Tiket {i}", "--at", "2026-08-13T09:00")
    expected = ids_listed(run, env={"LPSECTL_NO_INDEX": "1"})
    drop_index(run.home)
    script = tmp_path / "killed.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys
        from pathlib import Path
        from lpsectl.index import Index
        from lpsectl.store import Helpdesk

        def track(paths):
            for i, p in enumerate(paths):
                if i == 3:
                    os.kill(os.getpid(), signal.SIGKILL)  # half the files read into the new file
                yield p

        Index(Helpdesk(Path(sys.argv[1]))).refresh(track)
    """))
    proc = subprocess.run([sys.executable, str(script), str(run.home)], capture_output=True)
    assert proc.returncode == -9, proc.stderr
    assert not (run.home / INDEX_NAME).exists()  # never a half index
    assert len(build_files(run.home)) == 1  # what the killed build wrote
    assert ids_listed(run) == expected
    assert build_files(run.home) == []  # removed by the build that was put in place


def test_of_two_first_builds_at_once_the_first_put_in_place_stays_and_the_other_brings_it_up_to_date(run, monkeypatch):
    for i in range(3):
        run.new(*PHONE, "-s", f"Tiket {i}", "--at", f"2026-08-1{i}T09:00")
    drop_index(run.home)
    path = run.home / INDEX_NAME
    real = index.read_file
    other: dict[str, object] = {}

    def meanwhile(*a, **k):
        if not other:  # the first file this build reads: another process builds and puts its index in place
            other["busy"] = True
            monkeypatch.setattr(index, "read_file", real)
            ix2 = Index(Helpdesk(run.home))
            ix2.refresh()
            ix2.close()
            other["inode"] = path.stat().st_ino
            # and a ticket comes after both looked at the files
            other["late"] = run.new(*PHONE, "-s", "Datang belakangan", "--at", "2026-08-20T09:00")
        return real(*a, **k)

    monkeypatch.setattr(index, "read_file", meanwhile)
    ix = Index(Helpdesk(run.home))
    ix.refresh()
    held = {i for (i,) in ix.db.execute("SELECT id FROM tickets")}
    ix.close()
    assert other["late"] in held
    assert path.stat().st_ino == other["inode"]  # the index put in place first, brought up to date
    assert build_files(run.home) == []
    assert ids_listed(run) == ids_listed(run, env={"LPSECTL_NO_INDEX": "1"})
    assert len(held) == 4


def test_a_first_build_that_fails_leaves_no_index_and_no_file(run, monkeypatch):
    run.new(*PHONE, "-s", "Tiket", "--at", "2026-08-13T09:00")
    drop_index(run.home)

    def failing(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(index, "read_file", failing)
    ix = Index(Helpdesk(run.home))
    try:
        ix.refresh()
    except OSError:
        pass
    ix.keep_calendar()  # as from_index does after any end
    ix.close()
    assert not (run.home / INDEX_NAME).exists()
    assert build_files(run.home) == []
