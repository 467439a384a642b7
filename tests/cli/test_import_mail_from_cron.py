"""`import-mail` run again and again (from cron): a problem is reported in full once, then only counted.

An unreadable mail fails the run that first meets it (exit 1, the full
line); later runs count it and succeed unless something new is wrong. Mail
imported before is counted quietly; --verbose lists it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import git

DATA = Path(__file__).resolve().parent.parent / "data" / "mail"

GOOD = (b"From: Budi <budi@penyedia.id>\r\nSubject: Lupa password\r\nMessage-ID: <1@penyedia.id>\r\n"
        b"Date: Thu, 13 Aug 2026 09:15:00 +0700\r\n\r\nTolong direset.\r\n")
NO_SENDER = (b"Subject: Tanpa pengirim\r\nMessage-ID: <2@penyedia.id>\r\n"
             b"Date: Thu, 13 Aug 2026 10:00:00 +0700\r\n\r\nSiapa saya?\r\n")


def maildir(tmp_path: Path) -> Path:
    md = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (md / sub).mkdir(parents=True)
    return md


def test_an_unreadable_mail_fails_the_first_run_and_is_only_counted_after(run, tmp_path):
    md = maildir(tmp_path)
    (md / "new" / "1.eml").write_bytes(GOOD)
    (md / "new" / "2.eml").write_bytes(NO_SENDER)
    first = run("import-mail", str(md))
    assert first.exit_code == 1
    assert f"{md / 'new' / '2.eml'}: message 1: no sender address in From, Reply-To or Sender; skipped" in first.stderr
    assert first.stderr.splitlines()[-1].startswith("Error: 1 mail could not be read")

    second = run("import-mail", str(md))
    assert second.exit_code == 0, second.stderr
    assert second.stdout == ""
    assert "no sender address" not in second.stderr and "Error" not in second.stderr
    assert second.stderr.splitlines() == ["0 new tickets, 0 follow-ups, 1 already imported, "
                                          "1 unreadable reported before"]


def test_a_new_unreadable_mail_fails_the_run_again_and_only_it_is_shown_in_full(run, tmp_path):
    md = maildir(tmp_path)
    (md / "new" / "2.eml").write_bytes(NO_SENDER)
    assert run("import-mail", str(md)).exit_code == 1
    (md / "new" / "3.eml").write_bytes(NO_SENDER.replace(b"<2@", b"<3@"))
    again = run("import-mail", str(md))
    assert again.exit_code == 1
    assert str(md / "new" / "3.eml") in again.stderr and str(md / "new" / "2.eml") not in again.stderr
    assert again.stderr.splitlines()[-1].startswith("Error: 1 mail could not be read")
    assert "1 unreadable reported before" in again.stderr


def test_the_same_mail_moved_by_the_mail_program_is_still_known(run, tmp_path):
    md = maildir(tmp_path)
    (md / "new" / "2.eml").write_bytes(NO_SENDER)
    assert run("import-mail", str(md)).exit_code == 1
    # The mail program moves a seen mail from new/ to cur/ and renames it.
    shutil.move(md / "new" / "2.eml", md / "cur" / "2.eml:2,S")
    assert run("import-mail", str(md)).exit_code == 0


def test_verbose_lists_mail_imported_before_and_problems_reported_before(run, tmp_path):
    md = maildir(tmp_path)
    (md / "new" / "1.eml").write_bytes(GOOD)
    (md / "new" / "2.eml").write_bytes(NO_SENDER)
    first = run("import-mail", str(md))
    tid = first.stdout.split()[0]
    quiet = run("import-mail", str(md))
    assert "already imported as" not in quiet.stderr
    loud = run("import-mail", "--verbose", str(md))
    assert loud.exit_code == 0
    assert f"{md / 'new' / '1.eml'}: message 1: already imported as {tid}" in loud.stderr
    assert f"{md / 'new' / '2.eml'}: message 1: no sender address in From, Reply-To or Sender; skipped (reported before)" in loud.stderr


def test_what_was_reported_is_remembered_in_the_derived_folder_git_ignores(run, tmp_path):
    md = maildir(tmp_path)
    (md / "new" / "2.eml").write_bytes(NO_SENDER)
    run("import-mail", str(md))
    remembered = [p for p in (run.home / ".lpsectl").rglob("*.json") if "mail" in p.relative_to(run.home).as_posix()]
    assert remembered
    assert git(run.home, "status", "--porcelain", "--ignored=no").strip() == ""
    # Disposable: without it the problem is reported in full again, nothing else changes.
    for p in remembered:
        p.unlink()
    again = run("import-mail", str(md))
    assert again.exit_code == 1 and "no sender address" in again.stderr


def test_a_run_that_could_not_record_its_tickets_does_not_remember_its_problems(run, tmp_path, monkeypatch):
    from lpsectl import store

    md = maildir(tmp_path)
    (md / "new" / "1.eml").write_bytes(GOOD)
    (md / "new" / "2.eml").write_bytes(NO_SENDER)

    def broken(self, paths, message, operator):
        raise store.LpseError("the disk is full")

    # Only this patch is undone: monkeypatch.undo() would also undo the
    # isolation of the autouse fixture (HOME, git's identity, LPSECTL_*).
    with monkeypatch.context() as patched:
        patched.setattr(store.Helpdesk, "commit", broken)
        assert run("import-mail", str(md)).exit_code == 1
    after = run("import-mail", str(md))
    assert after.exit_code == 1 and "no sender address" in after.stderr
    assert len(after.stdout.splitlines()) == 1


def test_mail_from_the_office_itself_is_mentioned_once(run, tmp_path):
    cfg = run.home / "lpsectl.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "  email: null\n" in text
    cfg.write_text(text.replace("  email: null\n", "  email: lpse@payakumbuhkota.go.id\n", 1), encoding="utf-8")
    md = maildir(tmp_path)
    (md / "new" / "9.eml").write_bytes(GOOD.replace(b"Budi <budi@penyedia.id>", b"LPSE <lpse@payakumbuhkota.go.id>"))
    first = run("import-mail", str(md))
    assert "office's own address" in first.stderr and first.exit_code == 0
    second = run("import-mail", str(md))
    assert "office's own address" not in second.stderr and second.exit_code == 0
    assert "office's own address" in run("import-mail", "--verbose", str(md)).stderr
