"""An id prefix names a ticket by the file names in tickets/ now: no index, no wait for git."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import git, ticket_file

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def copy_as(run, tid: str, new_id: str, subject: str) -> None:
    """A ticket file made by hand beside ``tid``'s (as a restore or a copy from another desk would)."""
    path = ticket_file(run.home, tid)
    path.with_name(f"{new_id}.yaml").write_text(
        path.read_text(encoding="utf-8").replace(tid, new_id).replace("Satu", subject), encoding="utf-8")


def test_a_ticket_added_by_hand_after_the_index_was_brought_up_to_date_is_found(run):
    a = run.new(*PHONE, "-s", "Satu", "--at", "2026-08-13T09:00")
    run.ok("list")  # the index is up to date without it
    copy_as(run, a, "2608-BBBBBB", "Dua")
    assert json.loads(run.ok("show", "BBB", "--json"))["subject"] == "Dua"
    assert run.ok("show", "bbb") == run.ok("show", "BBB", env={"LPSECTL_NO_INDEX": "1"})
    git(run.home, "add", "-A")
    git(run.home, "commit", "-qm", "by hand")
    assert json.loads(run.ok("show", "2608-bbbb", "--json"))["subject"] == "Dua"


def test_a_ticket_removed_by_hand_is_no_longer_found_nor_makes_a_prefix_ambiguous(run):
    a = run.new(*PHONE, "-s", "Satu", "--at", "2026-08-13T09:00")
    copy_as(run, a, "2608-BBBBBB", "Dua")
    copy_as(run, a, "2608-BBBCCC", "Tiga")
    result = run("show", "BBB")
    assert result.exit_code == 1 and "matches 2 tickets: 2608-BBBBBB, 2608-BBBCCC" in result.stderr
    run.ok("list")
    ticket_file(run.home, "2608-BBBCCC").unlink()
    assert json.loads(run.ok("show", "BBB", "--json"))["subject"] == "Dua"
    result = run("show", "BBBC")
    assert result.exit_code == 1 and result.stderr == "Error: no ticket 'BBBC'; `lpsectl list --all` shows the ids\n"


def test_an_action_on_a_prefix_finds_its_ticket_by_its_file_too(run):
    a = run.new(*PHONE, "-s", "Satu", "--at", "2026-08-13T09:00")
    run.ok("list")
    run.ok("note", a[5:9].lower(), "-m", "dicek")
    assert json.loads(run.ok("show", a, "--json"))["history"][-1]["message"] == "dicek"


def test_show_of_a_prefix_runs_no_git(run):
    a = run.new(*PHONE, "-s", "Satu", "--at", "2026-08-13T09:00")
    run.ok("list")
    run.ok("show", a)
    code = ("import sys\n"
            "from lpsectl.cli import cli\n"
            f"cli.main(args=['--home', {str(run.home)!r}, 'show', {a[5:9]!r}], standalone_mode=False)\n"
            "sys.stderr.write('LOADED ' + ' '.join(m for m in ('subprocess',) if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "Satu" in proc.stdout, proc.stderr
    assert proc.stderr.rpartition("LOADED ")[2].split() == []
