"""The index's narrow table of listing rows (``listed``) always holds what its tickets rows say.

Listings read ``listed`` alone, so every way the index writes ``tickets``
(a first build, an action, an edit that moves a ticket's opening time, a
hand edit, a file removed, an import written straight into the index, a
changed configuration that derives every row again) must leave ``listed``
the same rows, in the same order, as ``tickets`` gives.
"""

from __future__ import annotations

import sqlite3
import subprocess

from lpsectl import index
from tests.conftest import ticket_file

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")
CSV = (
    "channel,created_at,name,phone,subject,status,answer,answered_at\n"
    "telepon,2026-08-10 09:15,Budi,+62 752 92317,Lupa password,selesai,Sudah direset,2026-08-10 10:00\n"
    "wa,2026-08-11 14:00,Dewi,0812 0000 111,Jadwal,,,\n"
)


def assert_listed_follows_tickets(home) -> int:
    db = sqlite3.connect(str(home / index.INDEX_NAME))
    try:
        order = "ORDER BY status, created_us, id"
        listed = db.execute(f"SELECT {', '.join(index.LISTED)} FROM listed {order}").fetchall()
        tickets = db.execute(f"SELECT {index.LISTED_SELECT} FROM tickets {order}").fetchall()
    finally:
        db.close()
    assert listed == tickets
    return len(listed)


def test_the_listing_table_follows_every_write_of_the_index(run, tmp_path):
    first = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-03T09:00")
    second = run.new("-c", "surel", "--email", "siti@contoh.id", "-s", "Gagal unggah", "--at", "2026-08-04T09:00")
    run.ok("list")
    assert assert_listed_follows_tickets(run.home) == 2

    # An action moves a row to another status; an edit moves its opening time (both in the key).
    run.ok("answer", first, "-m", "Sudah direset", "--at", "2026-08-04T10:00")
    run.ok("edit", second, "--created-at", "2026-08-01T09:00", "--at", "2026-08-04T11:00")
    run.ok("assign", second, "--to", "Ani", "--at", "2026-08-04T12:00")
    run.ok("list")
    assert assert_listed_follows_tickets(run.home) == 2

    # A hand edit in place, and a file removed by git.
    path = ticket_file(run.home, second)
    path.write_text(path.read_text(encoding="utf-8").replace("Gagal unggah", "Gagal unggah berkas"), encoding="utf-8")
    run.ok("list")
    assert assert_listed_follows_tickets(run.home) == 2
    subprocess.run(["git", "rm", "-q", str(ticket_file(run.home, first))], cwd=run.home, check=True)
    run.ok("list")
    assert assert_listed_follows_tickets(run.home) == 1

    # An import's rows go into the index with its commit, read back from no file.
    csv = tmp_path / "rows.csv"
    csv.write_text(CSV, encoding="utf-8")
    run.ok("import", str(csv))
    assert assert_listed_follows_tickets(run.home) == 3

    # Another target derives every row again.
    config = run.home / "lpsectl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("normal: 5", "normal: 7"), encoding="utf-8")
    run.ok("list")
    assert assert_listed_follows_tickets(run.home) == 3
    assert "Gagal unggah berkas" in run.ok("list", "--json")
