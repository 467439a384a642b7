"""`lpsectl import`: past records from CSV or XLSX, all or nothing, one commit."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import git
from lpsectl.store import Helpdesk

HEADER = "channel,created_at,name,phone,email,account,subject,message,kind,tier,status,answer,answered_at,closed_at,resolution\n"


def commits(run) -> int:
    return int(git(run.home, "rev-list", "--count", "HEAD").strip())


def tickets(run) -> list:
    loaded = Helpdesk(run.home).load_all()
    assert not loaded.damaged
    return sorted(loaded.tickets, key=lambda t: t.created_at)


def write(tmp_path: Path, text: str, name: str = "rekap.csv", encoding: str = "utf-8") -> str:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return str(p)


def test_import_creates_each_ticket_with_its_history_in_one_commit(run, tmp_path):
    f = write(tmp_path, HEADER
              + "telepon,2025-08-13 09:15,Budi,0752 92317,,,Lupa password,Tidak bisa login,pertanyaan,,selesai,Sudah direset,2025-08-13 10:00,,\n"
              + "email,2025-08-14T08:00,,,siti@penyedia.id,,Upload gagal,,permasalahan,lkpp,,,,,\n"
              + "portal,2025-08-15,,,,vendor01,Sanggah,,pengaduan,,ditutup,,,2025-08-16,dirujuk\n")
    before = commits(run)
    out = run.ok("import", f)
    assert out == f"Imported 3 tickets from {f}\n"
    assert commits(run) == before + 1
    assert git(run.home, "log", "-1", "--format=%s%n%an").splitlines() == ["import 3 tickets from rekap.csv", "Rina"]
    assert git(run.home, "status", "--porcelain", "--", "tickets").strip() == ""
    phone, mail, portal = tickets(run)
    assert [e.action for e in phone.history] == ["open", "answer", "close"]
    assert phone.status == "closed" and phone.state().resolution == "answered"
    assert phone.history[1].message == "Sudah direset"
    assert phone.history[1].at.isoformat() == "2025-08-13T10:00:00+07:00"
    assert phone.reporter.phone == "0752 92317" and phone.history[0].by == "Rina"
    assert [(e.action, e.tier) for e in mail.history] == [("open", "helpdesk"), ("escalate", "admin-ppe"), ("escalate", "lkpp")]
    assert mail.status == "open" and mail.tier == "lkpp" and mail.kind == "problem"
    assert portal.kind == "complaint" and portal.state().resolution == "referred"
    assert portal.history[-1].at.isoformat() == "2025-08-16T00:00:00+07:00"
    assert run("check").exit_code == 0


def test_semicolon_csv_with_day_first_dates_and_bom_as_an_indonesian_spreadsheet_saves_it(run, tmp_path):
    text = ("\ufeffchannel;created_at;name;phone;subject;status;answered_at\r\n"
            "telepon;13/08/2026 09:15;Budi;0752 92317;Lupa password;dijawab;13/08/2026 10.30\r\n"
            "kotak-saran;05/08/2026;;;\"Ruang tunggu; panas\";;\r\n")
    out = run.ok("import", write(tmp_path, text))
    assert out.startswith("Imported 2 tickets")
    slip, call = tickets(run)
    assert slip.created_at.isoformat() == "2026-08-05T00:00:00+07:00"  # 5 August, never 8 May
    assert slip.subject == "Ruang tunggu; panas" and slip.channel == "suggestion-box"
    assert call.created_at.isoformat() == "2026-08-13T09:15:00+07:00"
    assert call.status == "answered" and call.history[-1].at.isoformat() == "2026-08-13T10:30:00+07:00"


def test_one_bad_row_rejects_the_file_naming_every_bad_row_and_nothing_is_written(run, tmp_path):
    f = write(tmp_path, HEADER
              + "phone,2025-08-13,Budi,0752,,,ok,,,,,,,,\n"
              + "fax,2025-08-13,A,1,,,s,,,,,,,,\n"
              + "walk-in,08/13/2025,,,,,s,,,,,,,,\n"
              + "email,2025-08-13,,,not-an-address,,s,,,,open,,2025-08-14,,\n"
              + "phone,2025-08-13,Budi,0752,,,ok,,,,,,,,\n")
    before = commits(run)
    result = run("import", f)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{f}: row 3: unknown channel 'fax'")
    assert lines[1] == f"{f}: row 4: malformed created_at '08/13/2025': no such day (day first: DD/MM/YYYY HH:MM); a walk-in ticket needs name, address, phone"
    assert lines[2] == f"{f}: row 5: email 'not-an-address' is not an e-mail address; status open but answered_at given"
    assert lines[3] == f"Error: {f}: 3 bad rows of 5; nothing was imported. Fix the rows listed above and run the import again"
    assert len(lines) == 4
    assert commits(run) == before
    assert list(Helpdesk(run.home).ticket_files()) == []
    assert not any((run.home / ".lpsectl").glob("import-*"))


def test_contradicting_outcome_columns_are_bad_rows(run, tmp_path):
    f = write(tmp_path, HEADER
              + "phone,2025-08-13 10:00,Budi,0752,,,s,,,,,,2025-08-13 09:00,,\n"
              + "phone,2025-08-13 10:00,Budi,0752,,,s,,,,answered,,,2025-08-14,\n"
              + "phone,2099-01-01,Budi,0752,,,s,,,,,,,,\n"
              + "phone,2025-08-13,Budi,0752,,,,,,,,,,,\n")
    result = run("import", f)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:4] == [
        f"{f}: row 2: answered_at is before created_at",
        f"{f}: row 3: status answered but closed_at given (status closed?)",
        f"{f}: row 4: created_at '2099-01-01' is in the future",
        f"{f}: row 5: subject and message are both empty",
    ]


def test_header_problems_are_one_clear_error(run, tmp_path):
    result = run("import", write(tmp_path, "No,channel,created_at,subject\n1,phone,2025-08-13,x\n"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "unknown column 'no'" in result.stderr
    result = run("import", write(tmp_path, "channel,subject\nphone,x\n"))
    assert result.exit_code == 2 and "lacks created_at" in result.stderr
    result = run("import", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1


def test_a_cp1252_file_is_refused_with_advice_and_read_with_encoding(run, tmp_path):
    f = write(tmp_path, "channel,created_at,subject\nsuggestion-box,2025-08-13,Caf\u00e9 di lobi\n", encoding="cp1252")
    result = run("import", f)
    assert result.exit_code == 2 and "--encoding cp1252" in result.stderr
    run.ok("import", "--encoding", "cp1252", f)
    assert tickets(run)[0].subject == "Caf\u00e9 di lobi"


def test_dry_run_checks_and_writes_nothing(run, tmp_path):
    f = write(tmp_path, "channel,created_at,subject\nsuggestion-box,2025-08-13,x\n")
    before = commits(run)
    assert run.ok("import", "--dry-run", f) == f"{f}: all 1 rows are good; nothing was written (--dry-run)\n"
    assert commits(run) == before and list(Helpdesk(run.home).ticket_files()) == []


def test_xlsx_is_read_with_its_dates_as_the_office_wrote_them(run, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Channel", "Created At", "Name", "Phone", "Subject"])
    ws.append(["wa", datetime(2026, 8, 13, 9, 15), "Budi", "0812 345", "Jadwal"])
    ws.append([None, None, None, None, None])
    wb.save(tmp_path / "rekap.xlsx")
    run.ok("import", str(tmp_path / "rekap.xlsx"))
    (t,) = tickets(run)
    assert t.channel == "whatsapp" and t.created_at.isoformat() == "2026-08-13T09:15:00+07:00"


def test_xlsx_without_openpyxl_names_the_extra(run, tmp_path, monkeypatch):
    (tmp_path / "rekap.xlsx").write_bytes(b"PK")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = run("import", str(tmp_path / "rekap.xlsx"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: reading .xlsx needs openpyxl")
    assert "lpsectl[xlsx]" in result.stderr


@pytest.mark.parametrize("months", ["a month with tickets: file by file", "new months: folder by folder"])
def test_a_failure_while_moving_in_leaves_the_helpdesk_as_before(run, tmp_path, monkeypatch, months):
    import os

    from lpsectl.intake import staging

    if months.startswith("a month"):
        existing = run.new("-c", "kotak-saran", "-s", "Lama", "--at", "2025-08-01T09:00")
        days = [f"2025-08-{d:02d}" for d in range(1, 21)]
        fail_at = 10
    else:  # the year is there, its months are not: each month's folder is moved in whole
        existing = run.new("-c", "kotak-saran", "-s", "Lama", "--at", "2025-01-02T09:00")
        days = [f"2025-{m:02d}-{d:02d}" for m in (6, 7, 8) for d in range(1, 8)]
        fail_at = 1
    f = write(tmp_path, "channel,created_at,subject\n" + "".join(f"suggestion-box,{d},x\n" for d in days))
    real = os.replace
    moved = []

    def flaky(src, dst):
        if "files" in str(src) and len(moved) == fail_at:
            raise KeyboardInterrupt  # as a kill would, halfway through
        moved.append(dst)
        return real(src, dst)

    monkeypatch.setattr(staging.os, "replace", flaky)
    before = commits(run)
    result = run("import", f)
    assert result.exit_code == 1 and "Error: aborted" in result.stderr
    assert len(moved) == fail_at
    assert commits(run) == before
    hd = Helpdesk(run.home)
    assert list(hd.ticket_files()) == [hd.path_for(existing)]
    assert sorted(p.name for p in (run.home / "tickets" / "2025").iterdir()) == [existing[2:4]]  # no folder left
    assert not any((run.home / ".lpsectl").glob("import-*"))


def test_a_run_killed_midway_is_rolled_back_by_the_next_command(run, tmp_path):
    from lpsectl.intake.staging import Staging

    hd = Helpdesk(run.home)
    existing = run.new("-c", "kotak-saran", "-m", "Lama")
    old_text = hd.path_for(existing).read_text()
    stage = Staging.create(hd)
    stage.add(hd.path_for("2508-AAAAAA"), b"half")
    stage.add(hd.path_for(existing), b"changed")
    stage.add(hd.path_for("2508-BBBBBB"), b"never moved")
    entries = list(stage.entries)
    # Killed after moving two of three files: the journal is there, no marker.
    import os

    (stage.dir / "journal.json").write_text(json.dumps({"message": "m", "operator": "Rina",
                                                        "entries": [[r, stage.entries[r]] for r in entries]}))
    for rel in entries[:2]:
        (run.home / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage.dir / "files" / rel, run.home / rel)
    run.new("-c", "kotak-saran", "-m", "Baru")  # any command that takes the lock
    assert not hd.path_for("2508-AAAAAA").exists()
    assert not hd.path_for("2508-BBBBBB").exists()
    assert hd.path_for(existing).read_text() == old_text
    assert not stage.dir.exists()
    assert run("check").exit_code == 0


def test_many_rows_go_in_one_commit(run, tmp_path):
    rows = "".join(f"kotak-saran,2025-{m:02d}-{d:02d},saran {m}-{d}\n" for m in range(1, 13) for d in range(1, 26))
    f = write(tmp_path, "channel,created_at,subject\n" + rows)
    before = commits(run)
    run.ok("import", f)
    assert commits(run) == before + 1
    assert len(git(run.home, "show", "--name-only", "--format=", "HEAD").split()) == 300
    assert git(run.home, "status", "--porcelain").strip() == ""
    assert len(set(p.stem for p in Helpdesk(run.home).ticket_files())) == 300


def loose_objects(run) -> int:
    counts = dict(line.split(": ") for line in git(run.home, "count-objects", "-v").splitlines())
    return int(counts["count"])


def test_many_rows_go_into_one_pack_authored_by_the_operator_leaving_other_work_alone(run, tmp_path):
    # 100,000 loose objects are 100,000 files for git to write: a bulk commit packs its blobs.
    rows = "".join(f"kotak-saran,2025-{m:02d}-{d:02d},saran {m}-{d}\n" for m in range(1, 13) for d in range(1, 26))
    f = write(tmp_path, "channel,created_at,subject\n" + rows)
    (run.home / "catatan.txt").write_text("staged by hand\n")
    git(run.home, "add", "catatan.txt")
    (run.home / "draft.txt").write_text("not staged\n")
    loose = loose_objects(run)
    run.ok("import", f)
    assert loose_objects(run) - loose < 50  # the commit and its folders (trees), not a blob per ticket
    assert git(run.home, "log", "-1", "--format=%an|%s").strip() == "Rina|import 300 tickets from rekap.csv"
    assert len(git(run.home, "show", "--name-only", "--format=", "HEAD").split()) == 300
    assert git(run.home, "status", "--porcelain").splitlines() == ["A  catatan.txt", "?? draft.txt"]
    assert run("check").exit_code == 0


def test_a_run_killed_after_every_file_was_moved_in_is_finished_by_the_next_command(run):
    # Everything was in place when the import died: the next command must
    # commit it, not roll back a complete import.
    from datetime import datetime, timedelta, timezone

    from lpsectl import ticketfile, workflow
    from lpsectl.intake.staging import Staging
    from lpsectl.model import Reporter

    hd = Helpdesk(run.home)
    at = datetime(2025, 8, 1, 9, 0, tzinfo=timezone(timedelta(hours=7)))
    t = workflow.new_ticket("2508-CCCCCC", workflow.Act("Rina", at, at), "suggestion-box", None,
                            Reporter(), "Saran lama", None, None, None, None)
    stage = Staging.create(hd)
    stage.add(hd.path_for(t.id), ticketfile.dumps(t).encode("utf-8"))
    stage.install("import rekap-lama.csv: 1 ticket", "Rina")  # journal and `moved` marker written
    before = commits(run)
    run.new("-c", "kotak-saran", "-m", "Baru")  # any command that takes the lock
    assert hd.path_for(t.id).read_text(encoding="utf-8") == ticketfile.dumps(t)
    assert commits(run) == before + 2  # the finished import, then the new ticket
    assert "import rekap-lama.csv" in git(run.home, "log", "--format=%s", "-2")
    assert git(run.home, "status", "--porcelain").strip() == ""
    assert not stage.dir.exists()


def test_a_row_closed_as_answered_without_an_answer_is_no_conflict_to_settle(run, tmp_path):
    # The file records what already happened; the live rules do not apply to it.
    f = write(tmp_path, "channel,created_at,subject,status,closed_at\nkotak-saran,2025-08-04,AC rusak,closed,2025-08-06\n")
    run.ok("import", f)
    [t] = tickets(run)
    shown = json.loads(run.ok("show", t.id, "--json"))
    assert [e["action"] for e in shown["history"]] == ["open", "close"]
    assert (shown["status"], shown["resolution"], shown["conflicts"]) == ("closed", "answered", [])
    result = run("check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "1 ticket(s) checked, no problems" in result.stderr


def test_a_bulk_import_where_commits_are_signed_is_signed_or_not_made(run, tmp_path):
    # fast-import cannot sign: where the office signs its commits, the bulk
    # commit takes git's own way, which signs (here signing fails, so nothing lands).
    rows = "".join(f"kotak-saran,2025-{m:02d}-{d:02d},saran {m}-{d}\n" for m in range(1, 13) for d in range(1, 26))
    f = write(tmp_path, "channel,created_at,subject\n" + rows)
    git(run.home, "config", "commit.gpgsign", "true")
    git(run.home, "config", "gpg.program", "false")
    before = commits(run)
    result = run("import", f)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    assert commits(run) == before
    assert list(Helpdesk(run.home).ticket_files()) == []
    assert git(run.home, "status", "--porcelain").strip() == ""
