"""Templates compiled once are kept in .lpsectl/ and never stand in for a changed template.

Jinja2 compiled every template on every run; the compiled code is now kept
in the helpdesk's git-ignored ``.lpsectl/templates/``, keyed by the
template's file and source (and by the code that compiles it).
"""

from __future__ import annotations

import os

from lpsectl import sandbox
from tests.conftest import git


def _parses(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = sandbox.BoundedSandbox._parse

    def counting(self, source, name, filename):
        seen.append(name)
        return real(self, source, name, filename)

    monkeypatch.setattr(sandbox.BoundedSandbox, "_parse", counting)
    return seen


def test_a_second_report_compiles_no_template(run, monkeypatch):
    run.new("-c", "telepon", "--name", "Budi", "--phone", "0812 1111 222", "-s", "Lupa", "--at", "2026-08-03T09:00")
    parses = _parses(monkeypatch)
    first = run.ok("report", "--month", "2026-08", "--format", "html")
    assert "report.html.j2" in parses
    parses.clear()
    assert run.ok("report", "--month", "2026-08", "--format", "html") == first
    assert parses == []
    assert git(run.home, "status", "--porcelain") == ""  # kept where git never looks


def test_an_edited_template_is_compiled_again(run):
    run.new("-c", "telepon", "--name", "Budi", "--phone", "0812 1111 222", "-s", "Lupa", "--at", "2026-08-03T09:00")
    own = run.home / "templates" / "report.md.j2"
    own.parent.mkdir()
    own.write_text("A {{ report.total }}\n", encoding="utf-8")
    assert run.ok("report", "--month", "2026-08") == "A 1\n"
    stamp = own.stat()
    own.write_text("B {{ report.total }}\n", encoding="utf-8")  # same size, same time
    os.utime(own, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert run.ok("report", "--month", "2026-08") == "B 1\n"


def test_a_report_needs_no_room_for_compiled_templates(run):
    run.new("-c", "telepon", "--name", "Budi", "--phone", "0812 1111 222", "-s", "Lupa", "--at", "2026-08-03T09:00")
    kept = run.ok("report", "--month", "2026-08", "--format", "html")
    folder = run.home / ".lpsectl" / "templates"
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    folder.write_text("not a folder\n", encoding="utf-8")
    assert run.ok("report", "--month", "2026-08", "--format", "html") == kept
