"""`import` reads a header written in Indonesian (Kanal, Nama, Perihal, ...) like the English one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lpsectl.intake.table import COLUMN_ALIASES, COLUMNS

ENGLISH = ("channel,created_at,name,address,phone,email,account,role,subject,message,kind,category,"
           "difficulty,ref,tier,status,answer,answered_at,closed_at,resolution\n")
INDONESIAN = ("Kanal,Tanggal,Nama,Alamat,Telepon,Surel,Akun,Peran,Perihal,Isi,Jenis,Kategori,"
              "Kesulitan,Referensi,Jenjang,Status,Tanggapan,Tanggal Tanggapan,Tanggal Selesai,Penyelesaian\n")
ROWS = ("datang-langsung,13/08/2025 09:15,Budi,Jl. Sudirman 1,0752 92317,,,penyedia,Lupa password,"
        "Tidak bisa login,pertanyaan,login,ringan,,,ditutup,Sudah direset,13/08/2025 10:00,14/08/2025,dijawab\n"
        "lapor,14/08/2025,,,,,,,Sanggah,,pengaduan,,,LAP-1,,,,,,\n")


def _import(run, tmp_path: Path, header: str, name: str) -> list[dict]:
    f = tmp_path / name
    f.write_text(header + ROWS, encoding="utf-8")
    run.ok("import", str(f))
    shown = [json.loads(run.ok("show", row["id"], "--json")) for row in json.loads(run.ok("list", "--all", "--json"))]
    for t in shown:  # what differs between two imports of the same rows
        t.pop("id")
        for e in t["history"]:
            e.pop("recorded_at", None)
    return sorted(shown, key=lambda t: t["created_at"])


def test_an_indonesian_header_imports_exactly_what_the_english_one_does(helpdesk, tmp_path, run):
    from click.testing import CliRunner

    from lpsectl.cli import cli
    from tests.conftest import Run

    english = _import(run, tmp_path, ENGLISH, "en.csv")
    other = helpdesk.parent / "second"
    assert CliRunner().invoke(cli, ["--operator", "Rina", "init", str(other)]).exit_code == 0
    indonesian = _import(Run(other), tmp_path, INDONESIAN, "id.csv")
    assert indonesian == english
    assert [t["channel"] for t in indonesian] == ["walk-in", "lapor"]
    assert indonesian[0]["reporter"]["address"] == "Jl. Sudirman 1"


@pytest.mark.parametrize("header", ["KANAL;TANGGAL;PERIHAL\n", "kanal;tanggal-masuk;isi\n"])
def test_indonesian_names_are_read_in_any_case_and_with_dashes(run, tmp_path, header):
    f = tmp_path / "rekap.csv"
    f.write_text(header + "kotak-saran;13/08/2025;Ruang tunggu panas\n", encoding="utf-8")
    assert run.ok("import", str(f)).startswith("Imported 1 ticket from ")


def test_every_alias_names_a_column_import_knows():
    assert set(COLUMN_ALIASES.values()) <= set(COLUMNS)
    assert set(COLUMNS) <= set(COLUMN_ALIASES.values()) | {"status"}  # status is the same word
