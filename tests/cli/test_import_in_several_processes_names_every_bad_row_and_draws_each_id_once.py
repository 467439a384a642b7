"""A large import checks its rows in the processes that write its tickets: the file is still all or nothing.

The rows are checked, and the good ones' files written to the staging
folder, a chunk at a time in a pool of processes; the ids are drawn before,
in the importing process alone. Each test runs in one process and in
several, with chunks of two rows, so the rows fall into many chunks.
"""

from __future__ import annotations

import pytest

from lpsectl import index
from lpsectl.intake import table
from lpsectl.store import Helpdesk
from tests.conftest import git


@pytest.fixture(params=["one process", "several processes"])
def processes(request, monkeypatch):
    monkeypatch.setattr(table, "CHUNK", 2)
    if request.param == "several processes":
        monkeypatch.setattr(index, "PARALLEL_FROM", 2)
        monkeypatch.delenv("LPSECTL_SERIAL", raising=False)
    return request.param


def commits(run) -> int:
    return int(git(run.home, "rev-list", "--count", "HEAD").strip())


def test_bad_rows_in_any_chunk_are_all_named_in_order_and_nothing_is_written(run, tmp_path, processes):
    rows = [f"suggestion-box,2025-08-{d:02d},saran {d}" for d in range(1, 11)]
    rows[1] = "fax,2025-08-02,saran 2"  # row 3
    rows[6] = "suggestion-box,2025-08-07,"  # row 8
    rows[9] = "suggestion-box,13/31/2025,saran 10"  # row 11, the last
    f = tmp_path / "rekap.csv"
    f.write_text("channel,created_at,subject\n" + "\n".join(rows) + "\n", encoding="utf-8")
    run.ok("list")  # the index is there: the rows are made with it
    before = commits(run)

    result = run("import", str(f))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{f}: row 3: unknown channel 'fax'; use one of portal, phone, walk-in, email, suggestion-box, lapor, whatsapp",
        f"{f}: row 8: subject and message are both empty",
        f"{f}: row 11: malformed created_at '13/31/2025': no such day (day first: DD/MM/YYYY HH:MM)",
        f"Error: {f}: 3 bad rows of 10; nothing was imported. Fix the rows listed above and run the import again",
    ]
    assert commits(run) == before
    assert list(Helpdesk(run.home).ticket_files()) == []
    assert not any((run.home / ".lpsectl").glob("import-*"))


def test_ids_are_drawn_once_each_even_when_the_random_part_repeats(run, tmp_path, monkeypatch, processes):
    import lpsectl.intake as intake

    # Every random part comes twice: a second process drawing ids would hand out the same ones again.
    draws = iter([part for c in "ABCDEFGHJK" for part in (c * 6, c * 6)])
    monkeypatch.setattr(intake, "_random_part", lambda: next(draws))
    f = tmp_path / "rekap.csv"
    f.write_text("channel,created_at,subject\n"
                 + "".join(f"suggestion-box,2025-08-{d:02d},saran {d}\n" for d in range(1, 11)), encoding="utf-8")
    run.ok("list")

    assert run.ok("import", str(f)).startswith("Imported 10 tickets")

    hd = Helpdesk(run.home)
    names = sorted(p.name for p in hd.ticket_files())
    assert names == [f"2508-{c * 6}.yaml" for c in "ABCDEFGHJK"]
    subjects = {hd.read(p).id: hd.read(p).subject for p in hd.ticket_files()}
    assert sorted(subjects.values()) == sorted(f"saran {d}" for d in range(1, 11))
    assert run("check").exit_code == 0
    assert git(run.home, "status", "--porcelain").strip() == ""
