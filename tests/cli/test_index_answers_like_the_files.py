"""The index gives every listing, ticket and report byte for byte what the files give.

Each check runs a command twice in the same helpdesk: through the index, and
with ``LPSECTL_NO_INDEX=1``, which parses every ticket file. The helpdesk is
varied on purpose: every status, waits that move deadlines, a reopened
ticket, an edit after the fact, an event a little ahead of now, Indonesian
text, holders, follow-ups flagged, corrected channels and opening times, a
damaged file and a copy in the wrong folder.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import ticket_file

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "+62 752 92317")


def both(run, *args: str) -> str:
    """Run ``args`` with and without the index; they must agree in every byte. Returns stdout.

    Both at the same moment, now to the second: the morning page prints the
    time, and two runs either side of a minute would differ by it alone.
    """
    moment = {"LPSECTL_TEST_NOW": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    with_index = run(*args, env=moment)
    without = run(*args, env={**moment, "LPSECTL_NO_INDEX": "1"})
    assert (with_index.exit_code, with_index.stdout, with_index.stderr) == \
        (without.exit_code, without.stdout, without.stderr), args
    return with_index.stdout


@pytest.fixture
def varied(run):
    """A helpdesk with tickets in every state the clock and the filters care about."""
    ids = {}
    ids["open"] = run.new(*PHONE, "-s", "Lupa password SPSE", "--category", "Login", "--at", "2026-08-03T09:00")
    ids["late"] = run.new("-c", "surel", "--email", "siti@penyedia.co.id", "-s", "Gagal unggah",
                          "-d", "easy", "--at", "2026-08-13T13:00")
    ids["waiting"] = run.new(*PHONE, "-s", "Jadwal lelang", "--category", "jadwal", "--at", "2026-08-04T10:00")
    run.ok("wait", ids["waiting"], "--on", "reporter", "--at", "2026-08-05T10:00")
    ids["resumed"] = run.new("-c", "portal", "--account", "vendor01", "-s", "Verifikasi akun",
                             "--at", "2026-08-06T08:00")
    run.ok("escalate", ids["resumed"], "-m", "ke PPE", "--at", "2026-08-06T09:00")
    run.ok("wait", ids["resumed"], "--on", "reporter", "--at", "2026-08-06T10:00")
    run.ok("resume", ids["resumed"], "--at", "2026-08-12T10:00")
    ids["answered"] = run.new("-c", "wa", "--name", "Dewi", "--phone", "0812 0000 111", "-s", "Ruang tunggu",
                              "-k", "masukan", "--at", "2026-08-07T09:00")
    run.ok("answer", ids["answered"], "-m", "Terima kasih", "--at", "2026-08-10T09:00")
    run.ok("rate", ids["answered"], "4", "--at", "2026-08-11T09:00")
    ids["reopened"] = run.new(*PHONE, "-s", "Sanggah", "-k", "pengaduan", "--category", "LOGIN",
                              "--at", "2026-07-20T09:00")
    run.ok("answer", ids["reopened"], "-m", "Sudah", "--at", "2026-07-21T09:00")
    run.ok("reopen", ids["reopened"], "-m", "Belum beres", "--at", "2026-07-22T09:00")
    run.ok("edit", ids["reopened"], "--difficulty", "hard", "--category", "upload", "--at", "2026-09-02T09:00")
    ids["dup"] = run.new("-c", "kotak-saran", "-m", "Toilet rusak", "--at", "2026-08-14T09:00")
    run.ok("close", ids["dup"], "--resolution", "duplicate", "--at", "2026-08-14T10:00")
    ids["closed"] = run.new("-c", "datang-langsung", "--name", "Agus", "--address", "Jl. Sudirman 1",
                            "--phone", "0812 3456 789", "-s", "Cara daftar", "--at", "2025-12-30T15:00")
    run.ok("answer", ids["closed"], "-m", "Dijelaskan", "--close", "--at", "2026-01-05T09:00")
    # Holders, follow-ups flagged, and corrected channels and opening times.
    run.ok("assign", ids["open"], "--to", "Ani Rahma", "--at", "2026-08-03T10:00")
    run.ok("claim", ids["waiting"], "--at", "2026-08-05T11:00")
    run.ok("assign", ids["resumed"], "--to", "Andi", "--at", "2026-08-12T11:00")
    run.ok("assign", ids["resumed"], "--to", "", "--at", "2026-08-12T12:00")
    run.ok("followup", ids["answered"], "-m", "Masih panas", "--at", "2026-08-12T09:00")
    run.ok("followup", ids["closed"], "-m", "Lupa lagi caranya", "--at", "2026-01-06T09:00")
    run.ok("note", ids["closed"], "-m", "Ditelepon", "--at", "2026-01-06T10:00")
    ids["corrected"] = run.new(*PHONE, "-s", "Salah catat", "--at", "2026-08-17T09:00")
    run.ok("edit", ids["corrected"], "--channel", "wa", "--created-at", "2026-08-14T09:00", "--at", "2026-08-17T10:00")
    ids["moved"] = run.new("-c", "surel", "--email", "rudi@contoh.id", "-s", "Bulan salah", "--at", "2026-08-03T08:00")
    run.ok("edit", ids["moved"], "--created-at", "2026-07-31T15:00", "--at", "2026-08-03T09:00")
    run.ok("answer", ids["moved"], "-m", "Dijawab", "--at", "2026-08-04T09:00")
    run.ok("followup", ids["moved"], "-m", "Terima kasih, tapi...", "--at", "2026-08-05T09:00")
    soon = (datetime.now().astimezone() + timedelta(minutes=3)).isoformat(timespec="seconds")
    ids["ahead"] = run.new(*PHONE, "-s", "Dicatat sebentar lagi", "--at", "2026-08-20T09:00")
    run.ok("answer", ids["ahead"], "-m", "nanti", "--at", soon)
    # Text a listing must write as json.dumps and tabulate do: quotes, backslashes, a tab, a
    # terminal code, a second line, emoji, a subject longer than a table shows.
    ids["odd"] = run.new("-c", "surel", "--email", "odd@contoh.id", "--name", 'Nama "aneh" \\ 🇮🇩',
                         "-s", 'Kutip "ganda" \\ miring\tdan\x1b[31m merah\nbaris dua 😀 ñ … yang panjang sekali, lebih dari 48',
                         "--category", 'Kategori\\"x"', "--at", "2026-08-19T09:00")
    run.ok("assign", ids["odd"], "--to", 'Ani "A" 😀', "--at", "2026-08-19T10:00")
    ids["long"] = run.new("-c", "surel", "--email", "panjang@contoh.id",
                          "-s", "  Subjek   dengan  spasi\u2028 yang    panjang sekali, lebih dari empat puluh delapan  ",
                          "--at", "2026-08-19T11:00")
    # Erased: no reporter, no subject, an erase event (and the index rebuilt after it).
    ids["erased"] = run.new("-c", "datang-langsung", "--name", "Rudi", "--address", "Jl. Ahmad Yani 2",
                            "--phone", "0813 1111 222", "-s", "Data dihapus", "--at", "2026-08-18T09:00")
    run.ok("privacy", "erase", ids["erased"], "-m", "permintaan pelapor", "--at", "2026-08-18T10:00")
    # Damage: broken YAML, and a copy of a ticket in another month's folder.
    broken = run.home / "tickets" / "2026" / "08" / "2608-BRKNAA.yaml"
    broken.write_text("id: 2608-BRKNAA\nchannel: [\n", encoding="utf-8")
    stray = run.home / "tickets" / "2026" / "07" / f"{ids['late']}.yaml"
    shutil.copy(ticket_file(run.home, ids["late"]), stray)
    return ids


LISTINGS = [
    (), ("--all",), ("--json",), ("--csv", "--all"), ("--status", "open"), ("--status", "waiting", "--status", "closed"),
    ("--status", "terbuka", "--json"), ("--tier", "admin-ppe"), ("--channel", "telepon", "--all"),
    ("--kind", "pengaduan", "--json"), ("--category", "login", "--all"), ("--overdue",), ("--overdue", "--json"),
    ("--since", "2026-08-05", "--until", "2026-08-13", "--all"), ("--search", "budi"), ("--search", "0752 92317"),
    ("--search", "SANGGAH", "--json"), ("--search", "penyedia.co", "--all", "--csv"), ("--status", "answered"),
    ("--due", "today"), ("--due", "2026-08-20", "--sort", "due", "--json"), ("--due", "week", "--csv"),
    ("--due", "2026-08-10"), ("--waiting-over", "3"), ("--waiting-over", "0", "--csv", "--all"),
    ("--waiting-over", "100000", "--json"), ("--sort", "due", "--all"), ("--sort", "due", "--json"),
    ("--mine",), ("--holder", "Ani Rahma"), ("--holder", "Rina", "--all", "--json"), ("--unassigned", "--csv"), ("--unassigned", "--due", "today"),
    ("--flagged",), ("--flagged", "--json"), ("--flagged", "--status", "closed", "--csv"),
    ("--channel", "wa", "--since", "2026-08-14", "--until", "2026-08-14", "--json"), ("--since", "2026-07-31", "--until", "2026-07-31"),
]


def test_every_listing_is_the_same_with_and_without_the_index(run, varied):
    for args in LISTINGS:
        both(run, "list", *args)
    everything = both(run, "list", "--all")
    assert all(tid in everything for tid in varied.values())
    rows = {r["id"]: r for r in json.loads(both(run, "list", "--all", "--json"))}
    assert (rows[varied["open"]]["holder"], rows[varied["waiting"]]["holder"], rows[varied["resumed"]]["holder"]) \
        == ("Ani Rahma", "Rina", None)
    assert {tid for tid, r in rows.items() if r["flagged"]} == {varied["answered"], varied["closed"], varied["moved"]}
    assert (rows[varied["corrected"]]["channel"], rows[varied["corrected"]]["created_at"]) == \
        ("whatsapp", "2026-08-14T09:00:00+07:00")
    assert rows[varied["odd"]]["subject"].startswith('Kutip "ganda" \\ miring\tdan\x1b[31m merah\nbaris dua 😀')
    assert rows[varied["odd"]]["holder"] == 'Ani "A" 😀'


def test_the_listing_passes_over_damage_and_says_so_with_and_without_the_index(run, varied):
    result = run("list")
    assert result.exit_code == 1
    assert "2608-BRKNAA.yaml" in result.stderr and "belongs in" in result.stderr
    both(run, "list")


def test_every_ticket_shows_the_same_with_and_without_the_index(run, varied):
    for tid in varied.values():
        both(run, "show", tid)
        both(run, "show", tid.split("-")[1][:5], "--json")
        both(run, "receipt", tid)
    both(run, "show", "2608-BRKNAA")  # damaged: the same error


def test_every_report_is_the_same_with_and_without_the_index(run, varied):
    for period in (("--month", "2026-08"), ("--year", "2025"), ("--from", "2026-07-01", "--to", "2026-08-31")):
        for fmt in ("md", "html", "csv", "json"):
            both(run, "report", *period, "--format", fmt)
            both(run, "report", *period, "--format", fmt, "--public", "--lang", "en")


def test_an_ambiguous_prefix_lists_the_same_matches_with_and_without_the_index(run, varied):
    tid = varied["open"]
    result = run("show", tid[:2])
    assert result.exit_code == 1 and "matches" in result.stderr
    both(run, "show", tid[:2])
    both(run, "show", "ZZZZ")


def test_the_morning_page_is_the_same_with_and_without_the_index(run, varied):
    run.ok("claim", varied["open"])
    run.ok("assign", varied["resumed"], "--to", "Andi")
    run.ok("followup", varied["answered"], "-m", "Masih belum bisa")
    assert varied["open"] in both(run, "today")
    both(run, "today", "--json")
    both(run, "--operator", "Andi", "today")


def test_the_morning_page_reads_no_ticket_file_once_the_index_is_up_to_date(run, varied, parses):
    # Without the damage: a damaged file is read again to say what is wrong with it.
    (run.home / "tickets" / "2026" / "08" / "2608-BRKNAA.yaml").unlink()
    (run.home / "tickets" / "2026" / "07" / f"{varied['late']}.yaml").unlink()
    run.ok("list")
    parses.clear()
    page = run.ok("today", "--json")
    assert parses == [] and varied["waiting"] in page


@pytest.mark.parametrize("few_rows, chunk_rows", [(10_000, 1), (0, 1), (0, 3)],
                         ids=["few rows, a row a chunk", "long, a row a chunk", "long, three rows a chunk"])
def test_json_listings_read_a_chunk_at_a_time_are_the_same_with_and_without_the_index(run, varied, monkeypatch,
                                                                                       few_rows, chunk_rows):
    from lpsectl import listing

    # Every row a chunk of its own (or three), between the moving ones too; read as the long listings are
    # (FEW_ROWS 0: each chunk joined by SQL between two steps of a narrow index) or as the few are.
    monkeypatch.setattr(listing, "FEW_ROWS", few_rows)
    monkeypatch.setattr(listing, "CHUNK_ROWS", chunk_rows)
    for args in LISTINGS:
        if "--json" in args:
            both(run, "list", *args)
    both(run, "list", "--all", "--json")
    run.ok("claim", varied["open"])
    both(run, "today", "--json")
