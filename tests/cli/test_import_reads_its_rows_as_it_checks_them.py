"""An import reads its CSV rows as it checks them: a large file's rows are never all held at once.

The rows of 100,000 records took about 110 MB of the importing process
(and of every worker forked from it) before the first one was checked.
Now only the first rows are taken ahead (they say whether the file is worth
several processes); the rest are parsed as the checking takes them, so a
file that turns out unreadable at its end is found only then, and still
nothing is written.
"""

from __future__ import annotations

import csv
import json

import pytest

from lpsectl import index
from lpsectl.intake import table
from lpsectl.store import Helpdesk
from tests.conftest import git

ROWS = 300
AHEAD = 20  # the rows taken to decide on several processes (index.PARALLEL_FROM, made small)


@pytest.fixture(params=["one process", "several processes"])
def processes(request, monkeypatch):
    monkeypatch.setattr(table, "CHUNK", 10)
    monkeypatch.setattr(index, "PARALLEL_FROM", AHEAD)
    if request.param == "one process":
        monkeypatch.setenv("LPSECTL_SERIAL", "1")
    else:
        monkeypatch.delenv("LPSECTL_SERIAL", raising=False)
    return request.param


@pytest.fixture
def rows_alive(monkeypatch) -> dict[str, int]:
    """The rows of the file in memory now, and the most there were at once."""
    count = {"now": 0, "most": 0}

    class Counted(table.Row):
        def __init__(self, *a, **k) -> None:
            super().__init__(*a, **k)
            count["now"] += 1
            count["most"] = max(count["most"], count["now"])

        def __del__(self) -> None:
            count["now"] -= 1

    monkeypatch.setattr(table, "Row", Counted)
    return count


def rekap(tmp_path, n: int, last: str = "") -> str:
    f = tmp_path / "rekap.csv"
    lines = [f"kotak-saran,2025-{1 + i % 12:02d}-{1 + i % 28:02d} 09:00,saran {i}" for i in range(n)]
    f.write_text("channel,created_at,subject\n" + "\n".join(lines) + "\n" + last, encoding="utf-8")
    return str(f)


def test_an_import_holds_only_the_rows_it_is_checking(run, tmp_path, processes, rows_alive):
    f = rekap(tmp_path, ROWS)
    run.ok("list")  # the index is there: the rows are made with it
    assert f"Imported {ROWS} tickets" in run.ok("import", f)
    assert len(list(Helpdesk(run.home).ticket_files())) == ROWS
    assert rows_alive["most"] <= AHEAD + table.CHUNK  # not all of them, as when the file was read first
    assert rows_alive["now"] == 0


def test_a_dry_run_counts_the_rows_it_read_as_it_went(run, tmp_path, processes):
    f = rekap(tmp_path, ROWS)
    assert run.ok("import", "--dry-run", f) == f"{f}: all {ROWS} rows are good; nothing was written (--dry-run)\n"


def test_a_file_unreadable_after_many_good_rows_writes_nothing(run, tmp_path, processes):
    f = rekap(tmp_path, ROWS, last="kotak-saran,2025-01-01," + "x" * (csv.field_size_limit() + 10) + "\n")
    run.ok("list")
    before = git(run.home, "rev-list", "--count", "HEAD")
    result = run("import", f)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {f}:{ROWS + 2}: a cell is longer than"), lines
    assert git(run.home, "rev-list", "--count", "HEAD") == before
    assert list(Helpdesk(run.home).ticket_files()) == []
    assert not any((run.home / ".lpsectl").glob("import-*"))


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_rows_are_read_whatever_ends_their_lines(run, tmp_path, end):
    f = tmp_path / "rekap.csv"
    text = end.join(["channel,created_at,subject,message",
                     'kotak-saran,2025-01-02,Antrean,"baris satu' + end + 'baris dua"',
                     "kotak-saran,2025-01-03,Parkir,penuh", ""])
    f.write_bytes(text.encode("utf-8"))
    assert "Imported 2 tickets" in run.ok("import", str(f))
    listed = {row["subject"]: row["id"] for row in json.loads(run.ok("list", "--json"))}
    assert sorted(listed) == ["Antrean", "Parkir"]
    assert json.loads(run.ok("show", listed["Antrean"], "--json"))["message"] == "baris satu\nbaris dua"
