"""Attachments are named by their content too: different files never collide, naming is linear."""

from __future__ import annotations

import hashlib
import sys
from datetime import datetime, timezone
from pathlib import Path

import lpsectl.intake
from lpsectl.intake import mail as mailmod
from lpsectl.intake.mail import AttachmentNames, import_mail
from lpsectl.intake.staging import Staging
from lpsectl.store import Helpdesk


def short(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def many_scans(n: int, same: bool = False) -> str:
    """A mail with ``n`` attachments all called scan.pdf (of one content, or each its own)."""
    parts = "".join(
        "--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"scan.pdf\"\n\n"
        + ("%PDF-1.4 scan\n" if same else f"%PDF-1.4 scan {i}\n")
        for i in range(n)
    )
    return ("From: budi@example.test\nSubject: Banyak scan\nDate: Thu, 13 Aug 2026 10:00:00 +0700\n"
            "Message-ID: <many@example.test>\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
            "--B\nContent-Type: text/plain\n\nLihat lampiran.\n" + parts + "--B--\n")


def test_different_files_under_one_name_get_different_stored_names(tmp_path):
    names = AttachmentNames(tmp_path, [])
    a, b = b"%PDF first", b"%PDF second"
    assert names.name("scan.pdf", a) == (f"scan-{short(a)}.pdf", False)
    assert names.name("scan.pdf", b) == (f"scan-{short(b)}.pdf", False)


def test_one_file_sent_twice_is_kept_once_whatever_the_case_of_its_name(tmp_path):
    names = AttachmentNames(tmp_path, [])
    data = b"%PDF same"
    first = names.name("Scan.PDF", data)
    assert first == (f"Scan-{short(data)}.PDF", False)
    assert names.name("scan.pdf", data) == (first[0], True)


def test_a_different_file_put_by_hand_under_the_stored_name_is_not_overwritten(tmp_path):
    data = b"%PDF from the mail"
    taken = f"scan-{short(data)}.pdf"
    (tmp_path / taken).write_bytes(b"something else")
    names = AttachmentNames(tmp_path, [taken])
    assert names.name("scan.pdf", data) == (f"scan-{short(data)} (2).pdf", False)
    (tmp_path / "bukti-x.pdf").write_bytes(b"kept")
    same = AttachmentNames(tmp_path, ["bukti-x.pdf"])
    assert same.name("bukti.pdf", b"new")[1] is False


def test_a_stored_name_stays_in_its_folder_and_short():
    names = AttachmentNames(Path("."), [])
    stored, _ = names.name("../../" + "x" * 300 + ".pdf", b"data")
    assert "/" not in stored and len(stored) <= 100 and stored.endswith(f"-{short(b'data')}.pdf")


class Budget(Exception):
    pass


SAVE_ATTACHMENTS = mailmod._save_attachments  # the real one, however often the tests wrap it


def lines_run_saving_attachments(monkeypatch, hd: Helpdesk, box: Path, budget: int) -> tuple[int, object]:
    """Lines of lpsectl/intake executed while naming and staging a mail's attachments (not parsing it)."""
    intake = str(Path(lpsectl.intake.__file__).parent)
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
            if count > budget:
                raise Budget(f"more than {budget} lines: not linear")
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(intake) else None

    def traced(*args, **kwargs):
        sys.settrace(tracer)
        try:
            return SAVE_ATTACHMENTS(*args, **kwargs)
        finally:
            sys.settrace(None)

    monkeypatch.setattr(mailmod, "_save_attachments", traced)
    stage = Staging.create(hd)
    try:
        result = import_mail(hd, [box], "Rina", datetime.now(timezone.utc), stage)
    finally:
        stage.discard()
    return count, result


def test_naming_many_attachments_of_one_name_is_linear(run, tmp_path, monkeypatch):
    """3,000 attachments called scan.pdf: the work grows like the count (it was cubic: 2,000 took 408 s)."""
    hd = Helpdesk(run.home)
    small, large = 30, 3000
    (tmp_path / "small.eml").write_text(many_scans(small))
    (tmp_path / "large.eml").write_text(many_scans(large))
    base, _ = lines_run_saving_attachments(monkeypatch, hd, tmp_path / "small.eml", budget=10**7)
    # Linear work is large/small = 100 times the small mail's; allow a fifth more.
    lines, result = lines_run_saving_attachments(monkeypatch, hd, tmp_path / "large.eml",
                                                 budget=int(base * large / small * 1.2))
    (t,) = result.changed.values()
    assert len(t.attachments) == large and len({a.lower() for a in t.attachments}) == large
    assert base * large / small * 0.5 <= lines <= base * large / small * 1.2


def test_one_attachment_sent_many_times_in_one_mail_is_one_file(run, tmp_path):
    hd = Helpdesk(run.home)
    (tmp_path / "same.eml").write_text(many_scans(50, same=True))
    stage = Staging.create(hd)
    try:
        result = import_mail(hd, [tmp_path / "same.eml"], "Rina", datetime.now(timezone.utc), stage)
        (t,) = result.changed.values()
        assert t.attachments == [f"scan-{short(b'%PDF-1.4 scan')}.pdf"]
        assert len([rel for rel in stage.entries if "/attachments/" in rel]) == 1
    finally:
        stage.discard()
