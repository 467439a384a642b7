"""Two desks, one ticket, two different `scan.pdf`: both kept, no conflict; what cannot merge, `check` names."""

from __future__ import annotations

import json

from tests.e2e.test_sync import desks, remote  # noqa: F401  (fixtures)


def reply(tmp_path, tid: str, n: int, content: bytes) -> str:
    """A reply mail to ticket ``tid`` with one attachment named scan.pdf."""
    import base64

    path = tmp_path / f"reply-{n}.eml"
    path.write_text(
        f"From: budi@example.test\nSubject: Re: [{tid}] Akun terkunci\nDate: Thu, 13 Aug 2026 1{n}:00:00 +0700\n"
        f"Message-ID: <reply-{n}@example.test>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
        f"--B\nContent-Type: text/plain\n\nIni scan ke-{n}.\n"
        "--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"scan.pdf\"\n"
        f"Content-Transfer-Encoding: base64\n\n{base64.b64encode(content).decode()}\n--B--\n")
    return str(path)


def attachments_on(desk, tid: str) -> dict[str, bytes]:
    folder = next((desk.root / "tickets").rglob(f"attachments/{tid}"))
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_two_desks_importing_different_scans_for_one_ticket_keep_both_without_a_conflict(desks, tmp_path):  # noqa: F811
    a, b, _ = desks
    tid = a.ok("new", "-q", "--channel", "email", "--email", "budi@example.test", "-s", "Akun terkunci",
               "-m", "Tolong", "--at", "2026-08-13T09:00").strip()
    a.sync()
    b.sync()
    a.ok("import-mail", reply(tmp_path, tid, 1, b"%PDF scan from desk A"))
    b.ok("import-mail", reply(tmp_path, tid, 2, b"%PDF scan from desk B"))

    for desk in (a, b, a):
        result = desk("sync")
        assert result.exit_code == 0, result.stderr
    for desk in (a, b):
        kept = attachments_on(desk, tid)
        assert sorted(kept.values()) == [b"%PDF scan from desk A", b"%PDF scan from desk B"]
        shown = json.loads(desk.ok("show", tid, "--json"))
        assert sorted(shown["attachments"]) == sorted(kept)
        followups = [e for e in shown["history"] if e["action"] == "followup"]
        assert [e["attachment_names"] for e in followups] == [["scan.pdf"], ["scan.pdf"]]
        assert desk("check").exit_code == 0
    assert a.git("rev-parse", "HEAD") == b.git("rev-parse", "HEAD")


def test_check_names_an_attachment_that_sync_cannot_merge(desks):  # noqa: F811
    a, b, _ = desks
    tid = a.new("x")
    a.sync()
    b.sync()
    # As an older lpsectl named them: one name, a different file on each desk.
    for desk, content in ((a, "from A"), (b, "from B")):
        folder = next((desk.root / "tickets").rglob(f"{tid}.yaml")).parent / "attachments" / tid
        folder.mkdir(parents=True)
        (folder / "scan.pdf").write_text(content)
        desk.git("add", "-A")
        desk.git("commit", "-q", "-m", "scan")
    a.sync()
    rel = (folder / "scan.pdf").relative_to(b.root).as_posix()

    assert b("check").exit_code == 0  # nothing fetched yet: nothing to judge
    stopped = b("sync")
    assert stopped.exit_code == 1
    assert rel in stopped.stderr and "git show :3:" in stopped.stderr and "lpsectl check" not in stopped.stderr
    check = b("check")
    assert check.exit_code == 1
    (line,) = check.stdout.splitlines()
    assert rel in line
    assert "each have a different file under this attachment name" in line and "git show :3:" in line


def test_check_names_a_ticket_the_remote_broke_that_this_desk_changed_too(desks):  # noqa: F811
    a, b, _ = desks
    tid = a.new("x")
    a.sync()
    b.sync()
    path = next((a.root / "tickets").rglob(f"{tid}.yaml"))
    path.write_text(path.read_text().replace("subject: x", "subject: [rusak"))
    a.git("commit", "-q", "-am", "broken by hand")
    a.git("push", "-q", "origin", "HEAD:main")  # past lpsectl's refusal, as an older version did
    b.ok("edit", tid, "--subject", "dari B")
    stopped = b("sync")
    assert stopped.exit_code == 1 and "could not be merged by rule" in stopped.stderr
    check = b("check")
    assert check.exit_code == 1
    rel = path.relative_to(a.root).as_posix()
    (line,) = check.stdout.splitlines()
    assert rel in line and "origin/main's version" in line and "cannot merge it by rule" in line
