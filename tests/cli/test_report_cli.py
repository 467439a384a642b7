"""`lpsectl report` and `lpsectl receipt` on a helpdesk folder."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/report_samples.py
from report_samples import august_tickets, personal_values  # noqa: E402

from lpsectl.store import Helpdesk  # noqa: E402


@pytest.fixture
def august(run):
    """The sample store of report_samples written into the test's helpdesk."""
    hd = Helpdesk(run.home)
    for t in august_tickets():
        hd.save(t)
    return run


def set_config(home: Path, old: str, new: str) -> None:
    path = home / "lpsectl.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_report_of_a_month_prints_markdown(august):
    result = august("report", "--month", "2026-08", env={"LPSECTL_LANG": "id"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Rekapitulasi Penanganan Pengaduan — LPSE Kota Payakumbuh\n")
    assert "| Jumlah tiket | 9 |" in result.stdout
    assert "| 2608-DDDD55 | Subjek privat akun terkunci | Admin PPE | 14 Agustus 2026 16.00 WIB | 9 |" in result.stdout
    assert result.stderr == ""


def test_report_json_has_the_figures(august):
    data = json.loads(august.ok("report", "--month", "2026-08", "--format", "json"))
    assert data["period"] == {"from": "2026-08-01", "to": "2026-08-31", "kind": "month"}
    assert data["total"] == 9
    assert data["sla"]["median_resolution_days"] == 3
    assert data["satisfaction"]["ikm"] == 75 and data["satisfaction"]["grade"] == "C"


def test_report_over_dates_and_a_year(august):
    data = json.loads(august.ok("report", "--from", "2026-07-31", "--to", "2026-08-03", "-f", "json"))
    assert data["total"] == 2  # the July ticket and the walk-in of 3 August
    year = json.loads(august.ok("report", "--year", "2026", "-f", "json"))
    assert year["total"] == 11 and len(year["trend"]) == 12


def test_report_csv_rows(august):
    rows = list(csv.reader(io.StringIO(august.ok("report", "--month", "2026-08", "--format", "csv"))))
    assert rows[0] == ["section", "key", "value"]
    assert ["report", "total", "9"] in rows


def test_report_speaks_english_by_option_or_configuration(august):
    assert "| Tickets | 9 |" in august.ok("report", "--month", "2026-08", "--lang", "en")
    assert "| Tickets | 9 |" in august.ok("--lang", "en", "report", "--month", "2026-08")
    assert "| Tickets | 9 |" in august.ok("report", "--month", "2026-08", env={"LPSECTL_LANG": "en"})
    assert "| Jumlah tiket | 9 |" in august.ok("report", "--month", "2026-08", env={"LPSECTL_LANG": None})
    set_config(august.home, "language: id", "language: en")
    assert "| Tickets | 9 |" in august.ok("report", "--month", "2026-08", env={"LPSECTL_LANG": None})
    assert "| Jumlah tiket | 9 |" in august.ok("report", "--month", "2026-08", "--lang", "id")


def test_report_to_a_file_writes_it_and_prints_nothing(august, tmp_path):
    out = tmp_path / "agustus.html"
    result = august("report", "--month", "2026-08", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert str(out) in result.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")  # the format follows the extension
    assert '<div class="value" id="total">9</div>' in html
    assert not list(tmp_path.glob(".agustus.html.*"))  # no temporary file left


def test_html_header_shows_the_office_from_the_configuration(august):
    set_config(august.home, "phone: null", "phone: (0752) 92317")
    set_config(august.home, "email: null", "email: lpse@payakumbuhkota.go.id")
    html = august.ok("report", "--month", "2026-08", "--format", "html")
    header = html.split("</header>")[0]
    assert "LPSE Kota Payakumbuh" in header
    assert "(0752) 92317" in header and "lpse@payakumbuhkota.go.id" in header
    assert "<script" not in html and "http://" not in html and "https://" not in html


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_public_report_shows_no_personal_value_in_any_format(august, fmt):
    for period in (["--month", "2026-08"], ["--year", "2026"]):
        text = august.ok("report", *period, "--public", "--format", fmt)
        leaked = [v for v in personal_values() if v.lower() in text.lower()]
        assert not leaked, f"{fmt} {period} shows {leaked}"
        assert "privat" not in text.lower()
    assert "2608-DDDD55" in august.ok("report", "--month", "2026-08", "--public", "--format", fmt)


@pytest.mark.parametrize("args, words", [
    (["--month", "2026-13"], "malformed --month"),
    (["--month", "2026-08", "--year", "2026"], "give one period"),
    (["--from", "2026-08-31", "--to", "2026-08-01"], "before --from"),
    (["--to", "2026-08-01"], "--to needs --from"),
    (["--from", "yesterday"], "malformed --from date"),
    (["--format", "pdf"], "unknown format 'pdf'"),
])
def test_bad_report_options_exit_2_with_one_line(august, args, words):
    result = august("report", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and words in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_broken_custom_template_is_one_error_naming_file_and_line(august):
    (august.home / "templates").mkdir()
    (august.home / "templates" / "report.md.j2").write_text("# {{ office.name }}\n{{ report.totals }}\n")
    result = august("report", "--month", "2026-08")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: templates/report.md.j2:2: ")
    assert "totals" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_custom_template_overrides_the_builtin(august):
    (august.home / "templates").mkdir()
    (august.home / "templates" / "report.md.j2").write_text(
        "{{ report.total }} tiket, IKM {{ num(report.satisfaction.ikm, 2) }}\n")
    assert august.ok("report", "--month", "2026-08", "--lang", "id") == "9 tiket, IKM 75,00\n"


def test_damaged_tickets_are_reported_and_the_report_still_made(august):
    bad = august.home / "tickets" / "2026" / "08" / "2608-ZZZZ22.yaml"
    bad.write_text("id: [unclosed\n")
    result = august("report", "--month", "2026-08", "--lang", "id")
    assert result.exit_code == 1
    assert "| Jumlah tiket | 9 |" in result.stdout
    assert "2608-ZZZZ22.yaml" in result.stderr and result.stderr.startswith("Error: ")


def test_empty_helpdesk_reports_zeros(run):
    data = json.loads(run.ok("report", "--month", "2026-08", "-f", "json"))
    assert data["total"] == 0 and data["by_channel"]["phone"] == 0
    assert data["satisfaction"]["ikm"] is None


# -- receipts -------------------------------------------------------------------

def test_receipt_of_a_phone_call(run):
    set_config(run.home, "phone: null", "phone: (0752) 92317")
    tid = run.new("-c", "telepon", "--name", "Budi", "--phone", "0752 1", "-s", "Lupa password",
                  "-d", "ringan", "--at", "2026-08-13T09:00")
    out = run.ok("receipt", tid, "--lang", "id")
    words = " ".join(out.split())
    for want in (tid, "Kamis, 13 Agustus 2026 09.00 WIB", "Telepon", "Budi", "Lupa password",
                 "Selasa, 18 Agustus 2026 16.00 WIB", "Telp. (0752) 92317", "Rina"):
        assert want in words, want
    assert all(len(line) <= 40 for line in out.splitlines())


def test_receipt_html_to_a_file_in_english(run, tmp_path):
    tid = run.new("-c", "walk-in", "--name", "<Rudi>", "--address", "Jl. A", "--phone", "0811",
                  "-s", "Sanggah & keberatan", "--at", "2026-08-13T09:00")
    out = tmp_path / "receipt.html"
    result = run("--lang", "en", "receipt", tid[5:9], "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    html = out.read_text(encoding="utf-8")
    assert "COMPLAINT RECEIPT" in html and tid in html and "Walk-in" in html
    assert "&lt;Rudi&gt;" in html and "Sanggah &amp; keberatan" in html


def test_receipt_of_an_unknown_ticket_exits_1(run):
    result = run("receipt", "2608-NNNN")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no ticket")


def test_receipt_bad_format_exits_2(run):
    tid = run.new("-c", "kotak-saran", "-s", "AC panas", "--at", "2026-08-13T09:00")
    result = run("receipt", tid, "--format", "md")
    assert result.exit_code == 2 and "unknown format 'md'" in result.stderr


def test_help_does_not_load_jinja2():
    code = "import sys; from lpsectl.cli import cli; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("args, words", [
    (["report", "--month", "2026-08", "-o", "rekap.pdf"], "report writes no .pdf file"),
    (["report", "--month", "2026-08", "--format", "md", "-o", "rekap.pdf"], "report writes no .pdf file"),
    (["report", "--month", "2026-08", "--format", "csv", "-o", "rekap.txt"], "report writes no .txt file"),
    (["report", "--month", "2026-08", "-o", "REKAP.DOCX"], "report writes no .docx file"),
    (["receipt", "2608-AAAA22", "-o", "tanda-terima.pdf"], "receipt writes no .pdf file"),
    (["receipt", "2608-AAAA22", "--format", "html", "-o", "tanda-terima.md"], "receipt writes no .md file"),
])
def test_a_file_of_a_kind_the_command_does_not_write_is_refused_and_nothing_written(august, tmp_path, args,
                                                                                    words):
    out = tmp_path / "out"
    out.mkdir()
    args = [*args[:-1], str(out / args[-1])]
    result = august(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and words in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1
    assert list(out.iterdir()) == []


def test_the_pdf_refusal_says_how_to_make_one(august, tmp_path):
    result = august("report", "--month", "2026-08", "-o", str(tmp_path / "rekap.pdf"))
    assert ".md, .html, .csv or .json" in result.stderr
    assert "print the HTML" in result.stderr


@pytest.mark.parametrize("name, first", [("rekap", "# Rekapitulasi"), ("rekap.HTML", "<!DOCTYPE html>")])
def test_a_file_without_extension_or_in_capitals_is_written(august, tmp_path, name, first):
    out = tmp_path / name
    result = august("report", "--month", "2026-08", "--lang", "id", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith(first)


def test_an_office_name_that_is_a_list_stops_the_report_with_one_line(august):
    set_config(august.home, "name: LPSE Kota Payakumbuh", "name: [a, {b: c}]")
    result = august("report", "--month", "2026-08")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and "office.name: must be text" in result.stderr
    assert result.stderr.count("\n") == 1
