"""The recap's figures, checked number by number on a store of known contents."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lpsectl import reports
from lpsectl.clock import Calendar
from lpsectl.config import from_dict
from lpsectl.errors import BadInput

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/report_samples.py
from report_samples import WIB, august_tickets, personal_values  # noqa: E402

GOLDEN = Path(__file__).parent.parent / "golden"
AFTER = datetime(2026, 10, 1, 9, 0, tzinfo=WIB)  # long after August: figures as of 31 Aug
OFFICE = {
    "name": "LPSE Kota Payakumbuh", "unit": "Layanan Pengadaan Secara Elektronik",
    "address": "Jl. Veteran No. 70, Payakumbuh", "phone": "(0752) 92317",
    "email": "lpse@payakumbuhkota.go.id", "website": "https://lpse.payakumbuhkota.go.id",
}


@pytest.fixture(scope="module")
def cfg():
    return from_dict({"office": OFFICE})


@pytest.fixture(scope="module")
def cal(cfg):
    return Calendar.from_config(cfg)


@pytest.fixture(scope="module")
def august(cfg, cal):
    return reports.figures(august_tickets(), cfg, cal, reports.month_period(2026, 8), AFTER)


# -- the period --------------------------------------------------------------

def test_default_period_is_the_current_month():
    assert reports.parse_period(today=date(2026, 2, 10)) == reports.Period(date(2026, 2, 1), date(2026, 2, 28), "month")


def test_month_year_and_range_periods():
    assert reports.parse_period(month="2024-02") == reports.Period(date(2024, 2, 1), date(2024, 2, 29), "month")
    assert reports.parse_period(year="2026") == reports.Period(date(2026, 1, 1), date(2026, 12, 31), "year")
    assert reports.parse_period(date_from="2026-07-15", date_to="15/08/2026") == \
        reports.Period(date(2026, 7, 15), date(2026, 8, 15), "range")
    assert reports.parse_period(date_from="2026-07-15", today=date(2026, 7, 20)).end == date(2026, 7, 20)


@pytest.mark.parametrize("kw", [
    {"month": "2026-13"}, {"month": "08-2026"}, {"month": "2026"}, {"year": "26"}, {"year": "20x6"},
    {"month": "2026-08", "year": "2026"}, {"month": "2026-08", "date_from": "2026-08-01"},
    {"date_to": "2026-08-31"}, {"date_from": "2026-08-31", "date_to": "2026-08-01"},
    {"date_from": "31-08-2026x"},
])
def test_bad_periods_are_bad_input(kw):
    with pytest.raises(BadInput):
        reports.parse_period(**kw)


def test_a_period_lists_its_months():
    assert reports.Period(date(2025, 11, 20), date(2026, 2, 1)).months() == ["2025-11", "2025-12", "2026-01", "2026-02"]


# -- the satisfaction index --------------------------------------------------

def test_ikm_is_mean_times_25_rounded_half_up_exactly():
    # 25 points over 8 ratings: 78.125, which half-even (and binary floats) would make 78.12.
    mean, ikm, grade = reports.ikm_of([4, 4, 3, 3, 3, 3, 3, 2])
    assert (mean, ikm, grade) == (Decimal("3.13"), Decimal("78.13"), "B")
    assert reports.ikm_of([4, 4, 3]) == (Decimal("3.67"), Decimal("91.67"), "A")
    assert reports.ikm_of([1]) == (Decimal("1.00"), Decimal("25.00"), "D")
    assert reports.ikm_of([]) == (None, None, None)


@pytest.mark.parametrize("ikm, grade", [
    ("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"), ("76.60", "C"),
    ("65.00", "C"), ("64.99", "D"), ("25.00", "D"),
])
def test_grades_of_permenpanrb_14_2017(ikm, grade):
    assert reports.grade_of(Decimal(ikm)) == grade


# -- the figures of August 2026 ----------------------------------------------

def test_august_counts_only_tickets_opened_in_august(august):
    assert august["period"] == {"from": "2026-08-01", "to": "2026-08-31", "kind": "month"}
    assert august["as_of"] == "2026-08-31T23:59:59+07:00"
    assert august["total"] == 9


def test_august_breakdowns_list_every_value_zeros_included(august):
    assert august["by_channel"] == {"portal": 2, "phone": 2, "walk-in": 1, "email": 1,
                                    "suggestion-box": 1, "lapor": 1, "whatsapp": 1}
    assert august["by_kind"] == {"complaint": 2, "problem": 1, "grievance": 1, "suggestion": 1, "question": 4}
    assert august["by_status"] == {"open": 2, "waiting": 0, "answered": 3, "closed": 4}
    assert august["by_tier"] == {"helpdesk": 7, "admin-ppe": 1, "lkpp": 1}
    assert august["by_difficulty"] == {"easy": 3, "normal": 5, "hard": 1, "investigation": 0}
    assert august["by_resolution"] == {"answered": 3, "redirected": 0, "referred": 0, "duplicate": 1,
                                       "withdrawn": 0, "invalid": 0}


def test_categories_group_case_and_keep_earlier_ones_at_zero(august):
    # "login" and "Login" are one; July's "akun" shows as 0; September's "pajak" not yet.
    assert august["by_category"] == {"akun": 0, "Login": 2, "upload": 1, "(none)": 6}
    assert list(august["by_category"]) == ["akun", "Login", "upload", "(none)"]


def test_august_sla_on_the_working_day_clock(august):
    assert august["sla"] == {
        "counted": 8,  # the duplicate is left out
        # T4, unanswered since its deadlines of 10 and 14 August, is late on both;
        # T8 of 31 August 15:00 is not yet due on either.
        "response_on_time": 3, "response_late": 4, "awaiting_response": 1,
        "on_time": 4, "late": 3, "unresolved": 1,
        "open_overdue": 1,
        "response_on_time_pct": 42.9, "on_time_pct": 57.1,
        # response days 0 1 1 3 7 8; resolution days 1 1 3 3 4 7
        "median_response_days": 2, "median_resolution_days": 3,
    }


def test_august_satisfaction_counts_ratings_up_to_the_end_of_the_month(august):
    # 4, 2, 3 and the re-rating 3 (replacing a 4); the September rating waits.
    assert august["satisfaction"] == {"count": 4, "mean": 3, "ikm": 75, "grade": "C",
                                      "by_score": {"1": 0, "2": 1, "3": 2, "4": 1}}


def test_august_overdue_list_gives_working_days_late(august):
    assert august["overdue"] == [{
        "id": "2608-DDDD55", "subject": "Subjek privat akun terkunci", "channel": "email",
        "kind": "question", "tier": "admin-ppe", "difficulty": "normal",
        "created_at": "2026-08-07T08:00:00+07:00", "due_at": "2026-08-14T16:00:00+07:00",
        "days_late": 9,
    }]


def test_a_past_month_gives_the_same_figures_whenever_it_is_rendered(cfg, cal, august):
    later = reports.figures(august_tickets(), cfg, cal, reports.month_period(2026, 8),
                            datetime(2031, 5, 5, tzinfo=WIB))
    assert later == august


def test_a_running_period_is_taken_as_of_now(cfg, cal):
    now = datetime(2026, 8, 20, 12, 0, tzinfo=WIB)
    fig = reports.figures(august_tickets(), cfg, cal, reports.month_period(2026, 8), now)
    assert fig["as_of"] == "2026-08-20T12:00:00+07:00"
    assert fig["total"] == 7  # the tickets of 24 and 31 August are still to come
    assert fig["by_status"]["answered"] == 1  # T3; T6 had not been answered yet
    assert fig["satisfaction"]["count"] == 3


def test_the_year_has_a_month_by_month_trend(cfg, cal):
    fig = reports.figures(august_tickets(), cfg, cal, reports.parse_period(year="2026"),
                          datetime(2027, 1, 15, tzinfo=WIB))
    assert fig["total"] == 11
    assert [m["month"] for m in fig["trend"]] == [f"2026-{m:02d}" for m in range(1, 13)]
    by_month = {m["month"]: m for m in fig["trend"]}
    assert by_month["2026-01"] == {"month": "2026-01", "total": 0, "response_on_time": 0, "response_late": 0,
                                   "on_time": 0, "late": 0, "open_overdue": 0, "ratings": 0, "ikm": None,
                                   "grade": None}
    # As of the end of the year, the email of 7 August was answered late and
    # the call of 31 August, never answered, is overdue and late on both
    # deadlines; the September rating counts.
    assert by_month["2026-08"] == {"month": "2026-08", "total": 9, "response_on_time": 3, "response_late": 5,
                                   "on_time": 4, "late": 4, "open_overdue": 1, "ratings": 5, "ikm": 80,
                                   "grade": "B"}
    assert (by_month["2026-07"]["total"], by_month["2026-07"]["open_overdue"]) == (1, 1)
    assert (by_month["2026-07"]["late"], by_month["2026-07"]["response_late"]) == (1, 1)
    assert fig["satisfaction"]["ikm"] == 80
    assert fig["sla"]["open_overdue"] == 3
    assert sum(m["total"] for m in fig["trend"]) == fig["total"]


def test_public_figures_drop_the_overdue_subject(cfg, cal):
    fig = reports.figures(august_tickets(), cfg, cal, reports.month_period(2026, 8), AFTER, public=True)
    assert fig["public"] is True
    assert fig["overdue"][0]["id"] == "2608-DDDD55"
    assert "subject" not in fig["overdue"][0]


def test_track_sees_every_ticket_of_the_period(cfg, cal):
    seen: list = []

    def track(items):
        seen.extend(items)
        return items

    reports.figures(august_tickets(), cfg, cal, reports.month_period(2026, 8), AFTER, track=track)
    assert len(seen) == 9


# -- JSON and CSV -------------------------------------------------------------

def test_json_has_the_keys_of_the_spec(august):
    data = json.loads(reports.render_report(august, "json", "id", WIB))
    for key in ("period", "total", "by_channel", "by_kind", "by_category", "by_status", "by_tier",
                "sla", "satisfaction"):
        assert key in data
    assert set(data["period"]) >= {"from", "to"}
    assert set(data["sla"]) >= {"on_time", "late", "response_on_time", "response_late",
                                "median_response_days", "median_resolution_days", "open_overdue"}
    assert set(data["satisfaction"]) >= {"count", "mean", "ikm", "grade"}


def test_json_without_ratings_has_null_ikm_and_grade(cfg, cal):
    fig = reports.figures([], cfg, cal, reports.month_period(2026, 8), AFTER)
    data = json.loads(reports.report_json(fig))
    assert data["satisfaction"] == {"count": 0, "mean": None, "ikm": None, "grade": None,
                                    "by_score": {"1": 0, "2": 0, "3": 0, "4": 0}}
    assert data["total"] == 0 and data["sla"]["median_resolution_days"] is None


def test_csv_is_section_key_value_rows(august):
    rows = list(csv.reader(io.StringIO(reports.render_report(august, "csv", "id", WIB))))
    assert rows[0] == ["section", "key", "value"]
    assert all(len(r) == 3 for r in rows)
    table = {(s, k): v for s, k, v in rows[1:]}
    assert table[("period", "from")] == "2026-08-01"
    assert table[("report", "total")] == "9"
    assert table[("by_channel", "walk-in")] == "1"
    assert table[("by_category", "(none)")] == "6"
    assert table[("sla", "median_resolution_days")] == "3"
    assert table[("sla", "on_time_pct")] == "57.1"
    assert table[("satisfaction", "ikm")] == "75"
    assert table[("satisfaction", "grade")] == "C"
    assert table[("satisfaction.by_score", "3")] == "2"
    assert table[("overdue.2608-DDDD55", "days_late")] == "9"
    assert table[("trend.2026-08", "total")] == "9"
    assert table[("office", "phone")] == "(0752) 92317"


# -- rendering -----------------------------------------------------------------

def test_numbers_speak_the_language():
    id_, en = reports.Formatter("id", WIB), reports.Formatter("en", WIB)
    assert (id_.num(1234), en.num(1234)) == ("1.234", "1,234")
    assert (id_.num(66.7), en.num(66.7)) == ("66,7", "66.7")
    assert (id_.num(75, 2), en.num(78.125, 2)) == ("75,00", "78.13")
    assert id_.num(None) == "–"
    assert id_.datetime("2026-08-18T16:00:00+07:00", weekday=True) == "Selasa, 18 Agustus 2026 16.00 WIB"
    assert en.datetime("2026-08-18T16:00:00+07:00") == "18 August 2026 16:00 WIB"


def _golden(name: str, text: str, folder: Path = GOLDEN) -> None:
    """``text`` is the golden file ``name``; with UPDATE_GOLDEN=1, (re)write it and fail.

    A regeneration is never a pass: the run that writes the file proves
    nothing, so it fails until the diff is reviewed and the tests run again.
    """
    path = folder / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            pytest.fail(f"{name} rewritten (UPDATE_GOLDEN=1): review `git diff {path}`, then run the tests "
                        "again without UPDATE_GOLDEN", pytrace=False)
    assert path.exists(), f"{path} missing: run with UPDATE_GOLDEN=1 once, and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_regenerating_a_golden_file_fails_the_run_that_writes_it(tmp_path, monkeypatch):
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    with pytest.raises(pytest.fail.Exception, match="rewritten"):
        _golden("new.md", "fresh\n", tmp_path)
    assert (tmp_path / "new.md").read_text(encoding="utf-8") == "fresh\n"
    with pytest.raises(pytest.fail.Exception, match="rewritten"):
        _golden("new.md", "changed\n", tmp_path)
    assert (tmp_path / "new.md").read_text(encoding="utf-8") == "changed\n"
    monkeypatch.delenv("UPDATE_GOLDEN")
    _golden("new.md", "changed\n", tmp_path)  # the next run, reviewed, compares
    with pytest.raises(AssertionError, match="differs"):
        _golden("new.md", "other\n", tmp_path)


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_matches_its_golden_file(august, fmt, lang):
    _golden(f"report-2026-08.{lang}.{fmt}", reports.render_report(august, fmt, lang, WIB))


def test_year_report_matches_its_golden_file(cfg, cal):
    fig = reports.figures(august_tickets(), cfg, cal, reports.parse_period(year="2026"),
                          datetime(2027, 1, 15, tzinfo=WIB), public=True)
    _golden("report-2026.public.id.html", reports.render_report(fig, "html", "id", WIB))


def test_markdown_shows_the_figures(august):
    md = reports.render_report(august, "md", "id", WIB)
    assert "| Jumlah tiket | 9 |" in md
    assert "| SP4N-LAPOR! | 1 | 11,1 % |" in md
    assert "| IKM (rata-rata × 25) | 75,00 (C, Kurang baik) |" in md
    assert "| 2608-DDDD55 | Subjek privat akun terkunci | Admin PPE | 14 Agustus 2026 16.00 WIB | 9 |" in md
    en = reports.render_report(august, "md", "en", WIB)
    assert "| Tickets | 9 |" in en and "| Walk-in | 1 |" in en
    assert "Service standard: first response 1 working day; easy 2;" in en


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_public_output_has_no_personal_value_in_any_format(cfg, cal, fmt, lang):
    for period, overdue in ((reports.month_period(2026, 8), "2608-DDDD55"),
                            (reports.parse_period(year="2026"), "2609-MMMM44")):
        fig = reports.figures(august_tickets(), cfg, cal, period, datetime(2027, 1, 15, tzinfo=WIB),
                              public=True)
        text = reports.render_report(fig, fmt, lang, WIB)
        leaked = [v for v in personal_values() if v.lower() in text.lower()]
        assert not leaked, f"{fmt}/{lang} shows {leaked}"
        assert "privat" not in text.lower()
        assert overdue in text  # an overdue ticket is still listed, by its id


def test_private_report_does_show_the_overdue_subject(august):
    assert "Subjek privat akun terkunci" in reports.render_report(august, "html", "id", WIB)


def test_html_escapes_what_anyone_wrote(cfg, cal):
    from lpsectl import workflow as wf
    from lpsectl.model import Reporter
    from report_samples import at

    t = wf.new_ticket("2608-XSSS22", at("2026-08-03T09:00"), "portal", "question",
                      Reporter(account="x"), "<script>alert(1)</script>", None,
                      "<b>kategori</b>", None, None)
    fig = reports.figures([t], cfg, cal, reports.month_period(2026, 8), AFTER)
    html = reports.render_report(fig, "html", "id", WIB)
    assert "<script>" not in html and "<b>kategori" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;kategori&lt;/b&gt;" in html
    md = reports.render_report(fig, "md", "id", WIB)
    assert "\\<script\\>" in md


# -- templates of the helpdesk -------------------------------------------------

def test_a_helpdesk_template_overrides_the_builtin_one(tmp_path, august):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "report.md.j2").write_text(
        "{{ office.name }}: {{ report.total }} / IKM {{ num(report.satisfaction.ikm, 2) }} ({{ lang }})\n")
    assert reports.render_report(august, "md", "id", WIB, tmp_path) == "LPSE Kota Payakumbuh: 9 / IKM 75,00 (id)\n"
    # The others still come from the package.
    assert reports.render_report(august, "html", "id", WIB, tmp_path).startswith("<!DOCTYPE html>")


def test_overriding_the_stylesheet_alone_restyles_the_html(tmp_path, august):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "style.css.j2").write_text("body { color: rebeccapurple; }\n")
    html = reports.render_report(august, "html", "id", WIB, tmp_path)
    assert "rebeccapurple" in html and "Rekapitulasi" in html


@pytest.mark.parametrize("body, line, words", [
    ("line one\n{% if %}\n", 2, "Expected an expression"),
    ("ok\n\n{{ report.totl }}\n", 3, "totl"),
    ("{{ report.__class__.__mro__ }}\n", 1, "unsafe"),
    ("a\n{{ 1 / 0 }}\n", 2, "ZeroDivisionError"),
])
def test_a_broken_template_is_one_error_naming_file_and_line(tmp_path, august, body, line, words):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "report.md.j2").write_text(body)
    with pytest.raises(reports.TemplateProblem) as err:
        reports.render_report(august, "md", "id", WIB, tmp_path)
    message = str(err.value)
    assert message.startswith(f"templates/report.md.j2:{line}: ")
    assert words in message
    assert "\n" not in message


def test_custom_templates_render_in_the_sandbox(tmp_path, august):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "report.md.j2").write_text(
        "{{ num.__globals__['os'].system('echo owned') }}\n")
    with pytest.raises(reports.TemplateProblem, match="unsafe|undefined"):
        reports.render_report(august, "md", "id", WIB, tmp_path)


def test_a_template_cannot_change_the_words_of_the_next_one(tmp_path, august):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "report.md.j2").write_text("{% set _ = L.text.update({'total': 'X'}) %}ok\n")
    reports.render_report(august, "md", "id", WIB, tmp_path)
    assert "| Jumlah tiket | 9 |" in reports.render_report(august, "md", "id", WIB)


# -- receipts --------------------------------------------------------------------

def test_receipt_txt_fits_a_receipt_printer(cfg, cal):
    t = august_tickets()[0]
    data = reports.receipt_data(t, cfg, cal, AFTER)
    text = reports.render_receipt(data, "txt", "id", WIB)
    assert all(len(line) <= 40 for line in text.splitlines()), text
    words = " ".join(text.split())
    for want in ("LPSE Kota Payakumbuh", "TANDA TERIMA PENGADUAN", "2608-AAAA22",
                 "Kamis, 13 Agustus 2026", "09.00 WIB", "Telepon", "Budi Privatnama",
                 "Subjek privat lupa kata sandi", "Selasa, 18 Agustus 2026 16.00 WIB",
                 "Telp. (0752) 92317", "lpse@payakumbuhkota.go.id", "Rina Petugas"):
        assert want in words, want


def test_receipt_html_in_english(cfg, cal):
    t = august_tickets()[4]  # the anonymous slip
    data = reports.receipt_data(t, cfg, cal, AFTER)
    html = reports.render_receipt(data, "html", "en", WIB)
    for want in ("COMPLAINT RECEIPT", "2608-EEEE66", "Monday, 17 August 2026 08:00 WIB", "Suggestion box",
                 "(anonymous)", "Monday, 24 August 2026 16:00 WIB", "Phone (0752) 92317"):
        assert want in html, want


def test_receipt_names_a_portal_reporter_by_account(cfg, cal):
    t = august_tickets()[2]  # portal, no name
    text = reports.render_receipt(reports.receipt_data(t, cfg, cal, AFTER), "txt", "en", WIB)
    assert "Reporter    : cv.privat.jaya" in text


def test_unknown_formats_are_bad_input(august):
    with pytest.raises(BadInput):
        reports.render_report(august, "pdf", "id", WIB)
    with pytest.raises(BadInput):
        reports.render_receipt({}, "md", "id", WIB)


# -- the fast clock the figures rely on --------------------------------------------

def test_working_days_taken_is_the_fewest_days_on_time(cal):
    """The one-pass count agrees with its definition: the smallest n whose deadline is met."""
    import random
    from datetime import timedelta

    def by_definition(start, end, pauses):
        if end <= cal.close_of(cal.local_date(start)):
            return 0
        n = 1
        while end > cal.deadline(start, n, pauses, until=end):
            n += 1
        return n

    rnd = random.Random(14)
    base = datetime(2025, 12, 1, tzinfo=WIB)
    for _ in range(400):
        start = base + timedelta(minutes=rnd.randrange(0, 60 * 24 * 400))
        end = start + timedelta(minutes=rnd.randrange(0, 60 * 24 * 40))
        a = start + timedelta(minutes=rnd.randrange(0, 60 * 24 * 10))
        pauses = [(a, a + timedelta(minutes=rnd.randrange(0, 60 * 24 * 10)) if rnd.random() < 0.7 else None)]
        assert cal.working_days_taken(start, end, pauses) == by_definition(start, end, pauses)


def test_days_late_counts_the_office_closes_passed(cal):
    import random
    from datetime import timedelta

    from lpsectl.sla import days_late

    def by_walking(due, as_of):
        if as_of <= due:
            return 0
        n = 0
        for d in cal.working_days_after(cal.local_date(due)):
            if cal.close_of(d) > as_of:
                break
            n += 1
        return max(n, 1)

    rnd = random.Random(15)
    base = datetime(2024, 12, 1, 16, 0, tzinfo=WIB)
    for _ in range(400):
        due = base + timedelta(days=rnd.randrange(0, 700))
        as_of = due + timedelta(minutes=rnd.randrange(-600, 60 * 24 * rnd.choice([3, 40, 800])))
        assert days_late(cal, due, as_of) == by_walking(due, as_of)
    # SPEC: due Tue 18 Aug 2026 16:00; on Mon 24 Aug at 16:00 four closes have passed (25th a holiday).
    due = datetime(2026, 8, 18, 16, 0, tzinfo=WIB)
    assert days_late(cal, due, datetime(2026, 8, 24, 15, 59, tzinfo=WIB)) == 3
    assert days_late(cal, due, datetime(2026, 8, 24, 16, 0, tzinfo=WIB)) == 4
    assert days_late(cal, due, datetime(2026, 8, 18, 16, 1, tzinfo=WIB)) == 1


def test_an_edit_after_the_period_does_not_change_its_figures():
    from datetime import datetime as _dt

    from lpsectl.clock import Calendar as _Cal
    from lpsectl.clock import zone as _zone
    from lpsectl.config import from_dict as _from_dict
    from lpsectl.model import Event as _Event
    from lpsectl.model import Ticket as _Ticket
    from lpsectl.reports import figures as _figures
    from lpsectl.reports import parse_period as _parse_period

    wib = _zone("Asia/Jakarta")
    cfg = _from_dict({})
    cal = _Cal.from_config(cfg)
    opened = _dt(2026, 8, 13, 9, tzinfo=wib)
    t = _Ticket(id="2608-ABCDEF", channel="suggestion-box", kind="question", created_at=opened, subject="s")
    t.history.append(_Event(at=opened, action="open", by="x", tier="helpdesk"))
    period = _parse_period(month="2026-08")
    before = _figures([t], cfg, cal, period, now=_dt(2026, 11, 1, tzinfo=wib))
    t.history.append(_Event(at=_dt(2026, 9, 2, 9, tzinfo=wib), action="edit", by="x", tier="helpdesk",
                            fields={"changes": {"kind": {"from": "question", "to": "complaint"}}}))
    t.kind = "complaint"
    after = _figures([t], cfg, cal, period, now=_dt(2026, 11, 1, tzinfo=wib))
    assert after["by_kind"] == before["by_kind"]
    assert after["by_kind"]["question"] == 1 and after["by_kind"]["complaint"] == 0


# -- a deadline missed is late, resolved or not (SPEC §2, Reports) ------------------

NOVEMBER_END = datetime(2026, 12, 15, 9, 0, tzinfo=WIB)  # the figures stand as of 30 November


def _november(cfg, cal) -> dict:
    """Six questions opened Mon 2 Nov (response due Tue 3, resolution Mon 9):
    three answered on Tue 3 at 10:00, three never touched, weeks past both deadlines."""
    from lpsectl import workflow as wf
    from lpsectl.model import Reporter
    from report_samples import at

    tickets = []
    for n, tid in enumerate(("2611-AAAA22", "2611-BBBB33", "2611-CCCC44", "2611-DDDD55",
                             "2611-EEEE66", "2611-FFFF77")):
        t = wf.new_ticket(tid, at("2026-11-02T09:00"), "portal", "question", Reporter(account=f"a{n}"),
                          f"subjek {n}", None, None, None, None)
        if n < 3:
            wf.answer(t, at("2026-11-03T10:00"), "jawaban")
            wf.close(t, at("2026-11-03T11:00"), None, None)
        tickets.append(t)
    return reports.figures(tickets, cfg, cal, reports.month_period(2026, 11), NOVEMBER_END)


def test_open_tickets_past_their_deadline_count_late_not_unresolved(cfg, cal):
    sla = _november(cfg, cal)["sla"]
    assert (sla["on_time"], sla["late"], sla["unresolved"]) == (3, 3, 0)
    assert (sla["response_on_time"], sla["response_late"], sla["awaiting_response"]) == (3, 3, 0)
    assert sla["on_time_pct"] == 50 and sla["response_on_time_pct"] == 50
    assert sla["open_overdue"] == 3


def test_a_month_with_missed_deadlines_never_shows_100_percent_on_time(cfg, cal):
    fig = _november(cfg, cal)
    html = reports.render_report(fig, "html", "id", WIB)
    headline = re.search(r'<div class="value">([^<]*)</div><div class="label">Penyelesaian: tepat waktu', html)
    assert headline and headline.group(1) == "50 %"
    timeliness = html[html.index("<h2>Ketepatan waktu"):]
    timeliness = timeliness[:timeliness.index("<h2>", 4)]
    assert "100 %" not in timeliness and "50 %" in timeliness
    md = reports.render_report(fig, "md", "en", WIB)
    assert "| Resolution | 3 | 3 | 0 | 50 % |" in md
    assert "| First response (1 working day) | 3 | 3 | 0 | 50 % |" in md
    rows = {(s, k): v for s, k, v in csv.reader(io.StringIO(reports.render_report(fig, "csv", "id", WIB)))}
    assert (rows[("sla", "late")], rows[("sla", "on_time_pct")]) == ("3", "50")
    data = json.loads(reports.render_report(fig, "json", "id", WIB))
    assert (data["sla"]["late"], data["sla"]["on_time_pct"]) == (3, 50)


def test_no_first_response_four_weeks_after_a_one_day_deadline_is_response_late(cfg, cal):
    from lpsectl import workflow as wf
    from lpsectl.model import Reporter
    from report_samples import at

    t = wf.new_ticket("2611-GGGG88", at("2026-11-02T09:00"), "email", "question",
                      Reporter(email="x@example.test"), "subjek", None, None, None, None)
    now = datetime(2026, 11, 30, 9, 0, tzinfo=WIB)  # four weeks after the 3 November deadline
    fig = reports.figures([t], cfg, cal, reports.month_period(2026, 11), now)
    assert (fig["sla"]["response_late"], fig["sla"]["awaiting_response"]) == (1, 0)
    assert (fig["sla"]["late"], fig["sla"]["unresolved"]) == (1, 0)
    md = reports.render_report(fig, "md", "id", WIB)
    # Tepat waktu | Terlambat | Belum jatuh tempo
    assert "| Tanggapan pertama (1 hari kerja) | 0 | 1 | 0 | 0 % |" in md


def test_a_deadline_still_to_come_is_pending_not_late(cfg, cal):
    from lpsectl import workflow as wf
    from lpsectl.model import Reporter
    from report_samples import at

    t = wf.new_ticket("2611-HHHH99", at("2026-11-02T09:00"), "email", "question",
                      Reporter(email="x@example.test"), "subjek", None, None, None, None)
    now = datetime(2026, 11, 3, 15, 0, tzinfo=WIB)  # an hour before the first response is due
    sla = reports.figures([t], cfg, cal, reports.month_period(2026, 11), now)["sla"]
    assert (sla["response_on_time"], sla["response_late"], sla["awaiting_response"]) == (0, 0, 1)
    assert (sla["on_time"], sla["late"], sla["unresolved"]) == (0, 0, 1)
    assert sla["on_time_pct"] is None and sla["response_on_time_pct"] is None
    later = reports.figures([t], cfg, cal, reports.month_period(2026, 11),
                            datetime(2026, 11, 3, 16, 1, tzinfo=WIB))["sla"]
    assert (later["response_late"], later["awaiting_response"], later["unresolved"]) == (1, 0, 1)


def test_a_waiting_ticket_that_missed_its_deadline_counts_late(cfg, cal):
    from lpsectl import workflow as wf
    from lpsectl.model import Reporter
    from report_samples import at

    t = wf.new_ticket("2611-JJJJ22", at("2026-11-02T09:00"), "portal", "question",
                      Reporter(account="x"), "subjek", None, None, "easy", None)
    # Due Wed 4 Nov; it waits on the reporter only from Mon 16 Nov, already late.
    wf.wait(t, at("2026-11-16T09:00"), "reporter", None)
    sla = reports.figures([t], cfg, cal, reports.month_period(2026, 11), NOVEMBER_END)["sla"]
    assert (sla["late"], sla["unresolved"], sla["open_overdue"]) == (1, 0, 0)
    assert (sla["response_late"], sla["awaiting_response"]) == (1, 0)


def _trend_geometry(html: str) -> list[tuple[float, float]]:
    """(total height, red height) of each month's bar in the trend chart."""
    svg = html[html.index('aria-label="Jumlah tiket per bulan"'):]
    svg = svg[:svg.index("</svg>")]
    bars: list[list[float]] = []
    for cls, height in re.findall(r'<rect class="(bar|late)" [^>]*height="([\d.]+)"', svg):
        if cls == "bar":
            bars.append([float(height), 0.0])
        else:
            bars[-1][1] = float(height)
    return [(b[0], b[1]) for b in bars]


def test_the_trend_chart_red_bar_is_the_late_column_of_its_table(cfg, cal):
    fig = reports.figures(august_tickets(), cfg, cal, reports.parse_period(year="2026"),
                          datetime(2027, 1, 15, tzinfo=WIB))
    html = reports.render_report(fig, "html", "id", WIB)
    table = html[html.index("<th>Bulan</th>"):]
    late_column = [int(late) for late in re.findall(
        r'<td class="id">[^<]+</td><td class="n">\d+</td><td class="n">\d+</td><td class="n">(\d+)</td>', table)]
    assert late_column == [m["late"] for m in fig["trend"]]
    assert sum(late_column) == fig["sla"]["late"]
    for (total_h, late_h), m in zip(_trend_geometry(html), fig["trend"]):
        if m["total"]:
            assert late_h / total_h == pytest.approx(m["late"] / m["total"], abs=0.01), m


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 29 * 24), st.sampled_from(["easy", "normal", "hard"]),
                          st.one_of(st.none(), st.integers(1, 40 * 24)),
                          st.one_of(st.none(), st.integers(1, 40 * 24))), min_size=1, max_size=6),
       st.integers(0, 60 * 24))
def test_on_time_late_and_pending_split_every_counted_ticket(cfg, cal, plan, now_hours):
    """Each deadline is on time, late or not yet due; 100 % only when none stands missed."""
    from datetime import timedelta

    from lpsectl import workflow as wf
    from lpsectl.model import Reporter
    from lpsectl.sla import assess

    start = datetime(2026, 11, 1, 0, 0, tzinfo=WIB)
    now = start + timedelta(hours=now_hours)
    tickets = []
    for n, (opened, difficulty, wait_after, answer_after) in enumerate(plan):
        opened_at = start + timedelta(hours=opened)
        t = wf.new_ticket(f"2611-{'ABCDEFGH'[n]}BCD", wf.Act("x", opened_at, opened_at, True), "portal",
                          "question", Reporter(account="x"), "s", None, None, difficulty, None)
        if wait_after is not None:
            when = opened_at + timedelta(hours=wait_after)
            wf.wait(t, wf.Act("x", when, when, True), "reporter", None)
        if answer_after is not None:
            when = opened_at + timedelta(hours=answer_after + (wait_after or 0))
            wf.answer(t, wf.Act("x", when, when, True), "a")
        tickets.append(t)
    fig = reports.figures(tickets, cfg, cal, reports.month_period(2026, 11), now)
    sla = fig["sla"]
    as_of = datetime.fromisoformat(fig["as_of"])
    assert sla["on_time"] + sla["late"] + sla["unresolved"] == sla["counted"]
    assert sla["response_on_time"] + sla["response_late"] + sla["awaiting_response"] == sla["counted"]
    missed = [t for t in tickets if t.created_at <= as_of
              and (a := assess(t.as_of(as_of), cfg, cal, as_of)).state.resolved_at is None and as_of > a.due_at]
    assert sla["late"] >= len(missed)
    if missed:
        assert sla["on_time_pct"] != 100
    assert sum(m["late"] for m in fig["trend"]) == sla["late"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_receipt_txt_fields_line_up_with_the_lapor_number(cfg, cal, lang):
    t = next(t for t in august_tickets() if t.channel == "lapor")
    t.subject = "Subjek yang cukup panjang untuk dibungkus ke baris berikutnya pada struk"
    text = reports.render_receipt(reports.receipt_data(t, cfg, cal, AFTER), "txt", lang, WIB)
    lines = text.splitlines()
    fields = lines[lines.index("=" * 40, 4) + 1:lines.index("-" * 40)]
    colons = {line.index(":") for line in fields if not line.startswith(" ")}
    assert len(colons) == 1, "\n".join(fields)
    value_column = colons.pop() + 2
    assert any(("LAPOR!" in line.split(":")[0] and line.endswith(": LAPOR-PRIV-4471920")) for line in fields)
    for line in fields:
        # A value, and every continuation of it, starts in the same column.
        assert line[value_column - 2:value_column] == ": " or line[:value_column].strip() == "", line
        assert line[value_column] != " ", line
        assert len(line) <= 40, line


# -- the work a template may do (templates travel between desks through git) ----------

def _custom(tmp_path: Path, name: str, body: str) -> Path:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / name).write_text(body, encoding="utf-8")
    return tmp_path


def _receipt_with(tmp_path: Path, cfg, cal, body: str) -> str:
    root = _custom(tmp_path, "receipt.txt.j2", body)
    return reports.render_receipt(reports.receipt_data(august_tickets()[0], cfg, cal, AFTER), "txt", "id", WIB, root)


@pytest.fixture
def small_budget(monkeypatch):
    """A budget small enough that a runaway template meets it at once."""
    from lpsectl import sandbox

    monkeypatch.setattr(sandbox, "MAX_STEPS", 20_000)
    monkeypatch.setattr(sandbox, "MAX_OUTPUT", 100_000)


@pytest.mark.parametrize("body, line", [
    ("{{ ticket.id }}\n{% for a in range(300) %}{% for b in range(300) %}{% endfor %}{% endfor %}\n", 2),
    ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}\n{{ f(16) }}\n", 1),
    ("{% for i in range(300) %}{{ ('x' * 100000) | list | length }}{% endfor %}\n", 1),
    ("{% for i in range(300) %}{{ ('x' * 100000).split('x') | length }}{% endfor %}\n", 1),
])
def test_a_template_that_works_without_end_is_stopped_naming_it(tmp_path, cfg, cal, small_budget, body, line):
    with pytest.raises(reports.TemplateProblem) as err:
        _receipt_with(tmp_path, cfg, cal, body)
    message = str(err.value)
    assert message.startswith(f"templates/receipt.txt.j2:{line}: "), message
    assert "too much work" in message and "\n" not in message


def test_a_template_that_writes_without_end_is_stopped_naming_it(tmp_path, cfg, cal, small_budget):
    with pytest.raises(reports.TemplateProblem) as err:
        _receipt_with(tmp_path, cfg, cal, "{% for i in range(200) %}{{ '=' * 1000 }}{% endfor %}\n")
    assert str(err.value).startswith("templates/receipt.txt.j2: ")
    assert "writes more than 100,000 characters" in str(err.value)


@pytest.mark.parametrize("body", [
    "{{ 'x' | center(10**8) }}",
    "{{ 'x'.ljust(10**8) }}",
    "{{ 'x'.zfill(10**8) }}",
    "{{ '%100000000d' | format(1) }}",
    "{{ '{:>100000000}'.format(1) }}",
    "{{ 'a\nb' | indent(10**8) }}",
    "{% set a = 'x' * 1000000 %}{% set b = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}{{ b | length }}",
    "{% set a = 'x' * 1000000 %}{{ (a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a) | length }}",
])
def test_a_template_cannot_build_a_huge_text(tmp_path, cfg, cal, body):
    with pytest.raises(reports.TemplateProblem, match="too long|too wide"):
        _receipt_with(tmp_path, cfg, cal, body + "\n")


def test_the_built_in_templates_stay_well_inside_the_budget(cfg, cal, monkeypatch):
    """A year of the sample store takes a small part of the budget: ample room for 100,000 tickets."""
    from lpsectl import sandbox

    used: list[int] = []
    real = sandbox.BoundedSandbox.render_bounded

    def spy(self, template, context):
        text = real(self, template, context)
        used.append(sandbox.MAX_STEPS - self.steps_left)
        return text

    monkeypatch.setattr(sandbox.BoundedSandbox, "render_bounded", spy)
    fig = reports.figures(august_tickets(), cfg, cal, reports.parse_period(year="2026"),
                          datetime(2027, 1, 15, tzinfo=WIB))
    for fmt in ("md", "html"):
        reports.render_report(fig, fmt, "id", WIB)
    assert len(used) == 2 and 0 < max(used) < 5_000
