"""An import puts its tickets into the index as it writes them: nothing is read back.

At 100,000 rows, reading back what the import has just written costs the
next command as much as a first build; the rows are made from the tickets
themselves, and must be exactly the rows a rebuild from the files makes.
"""

from __future__ import annotations

import pytest

from lpsectl import index
from lpsectl.index import Index
from lpsectl.store import Helpdesk
from tests.conftest import drop_index

CSV = (
    "channel,created_at,name,phone,email,account,subject,message,kind,tier,status,answer,answered_at,closed_at,resolution,category\n"
    "telepon,2025-08-13 09:15,Budi,+62 752 92317,,,Lupa password,\"Tidak bisa login\n\nsudah dicoba\",pertanyaan,,selesai,Sudah direset,2025-08-13 10:00,,,Login\n"
    "email,2025-08-14T08:00,,,siti@penyedia.id,,Upload gagal,,permasalahan,lkpp,,,,,,\n"
    "portal,2025-08-15,,,,vendor01,Sanggah,,pengaduan,,ditutup,,,2025-08-16,dirujuk,\n"
    "kotak-saran,2026-08-20,,,,,Ruang tunggu panas,,masukan,,,,,,,fasilitas\n"
    "wa,2026-08-25 14:00,Dewi,0812 0000 111,,,Jadwal,Kapan dibuka?,,admin-ppe,menunggu,,,,,\n"
)


def table(ix: Index, name: str, columns: str) -> list[tuple]:
    return ix.db.execute(f"SELECT {columns} FROM {name} ORDER BY 1").fetchall()


@pytest.mark.parametrize("processes", ["one process", "several processes"])
def test_an_import_fills_the_index_with_the_rows_a_rebuild_makes_reading_no_file_back(
        run, tmp_path, monkeypatch, processes):
    if processes == "several processes":
        monkeypatch.setattr(index, "PARALLEL_FROM", 2)
        monkeypatch.delenv("LPSECTL_SERIAL", raising=False)
    run.new("-c", "kotak-saran", "-s", "Sebelum impor", "--at", "2026-08-03T09:00")
    run.ok("list")  # the index is up to date before the import
    f = tmp_path / "rekap.csv"
    f.write_text(CSV, encoding="utf-8")
    run.ok("import", str(f))

    read_back = []
    real_read = index.read_file
    monkeypatch.setattr(index, "read_file", lambda d, rel, *a, **k: read_back.append(rel) or real_read(d, rel, *a, **k))
    hd = Helpdesk(run.home)
    ix = Index(hd)
    ix.refresh()
    assert read_back == []
    tickets = table(ix, "tickets", "*")
    files = table(ix, "files", "path, sortkey, name_id, blob, tid, message_ids")
    assert len(tickets) == 6
    ix.close()

    drop_index(run.home)
    monkeypatch.setenv("LPSECTL_SERIAL", "1")  # read here, where the reads are counted
    rebuilt = Index(Helpdesk(run.home))
    rebuilt.refresh()
    assert len(read_back) == 6
    assert table(rebuilt, "tickets", "*") == tickets
    assert table(rebuilt, "files", "path, sortkey, name_id, blob, tid, message_ids") == files
    rebuilt.close()


def test_an_import_into_a_stale_index_leaves_it_to_the_next_update(run, tmp_path, monkeypatch):
    # The index was not up to date with the commit the import goes on: it must
    # not claim the import's commit, or it would never read what it missed.
    run.ok("list")
    hd = Helpdesk(run.home)
    stale = Index(hd)
    key = stale.state_key()
    stale.close()
    tid = run.new("-c", "kotak-saran", "-s", "Tanpa indeks", "--at", "2026-08-03T09:00")
    monkeypatch.setattr(Index, "refresh", lambda self, track=None: None)  # the import finds it stale
    f = tmp_path / "rekap.csv"
    f.write_text(CSV, encoding="utf-8")
    run.ok("import", str(f))
    monkeypatch.undo()
    ix = Index(Helpdesk(run.home))
    assert ix.state_key() == key  # untouched by the import
    ix.refresh()
    assert tid in [r[0] for r in table(ix, "tickets", "id")]
    assert len(table(ix, "tickets", "id")) == 6
    ix.close()
