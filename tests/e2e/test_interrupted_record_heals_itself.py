"""An action killed between its commit and its file write heals itself.

`record` commits first and writes the ticket file after. A process killed
in between (simulated by a real lpsectl process whose file write is
``os._exit(137)``, as kill -9 would: no cleanup, the lock left behind)
leaves git ahead of the folder. The next command that takes the helpdesk
lock (``check`` included) writes the file from git; readers that do not
record (``list``, ``show``) see the recorded ticket too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git, ticket_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="os._exit of a child process is POSIX here")

# The ticket's file write dies; everything before it (the commit) ran.
KILLED_AFTER_COMMIT = """
import os, sys
from lpsectl import store
def die(path, data):
    if path.suffix == ".yaml":
        os._exit(137)
    return real(path, data)
real, store.atomic_write = store.atomic_write, die
from lpsectl.cli import cli
cli.main(["--home", sys.argv[1], "--operator", "Rina", *sys.argv[2:]])
"""

# git's commit itself dies: the journal is written, the branch never moves.
KILLED_BEFORE_COMMIT = """
import os, sys
from lpsectl.gitrepo import GitRepo
GitRepo.commit_file = lambda *a, **k: os._exit(137)
from lpsectl.cli import cli
cli.main(["--home", sys.argv[1], "--operator", "Rina", *sys.argv[2:]])
"""


def killed(script: str, home: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-c", script, str(home), *args], capture_output=True, text=True,
                          env={**os.environ, "CI": "true"})
    assert proc.returncode == 137, proc.stderr


def lpsectl(lpsectl_cmd: list[str], home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*lpsectl_cmd, "--home", str(home), "--operator", "Rina", *args],
                          capture_output=True, text=True, env={**os.environ, "CI": "true"})


def committed_ids(home: Path) -> list[str]:
    return sorted(Path(n).stem for n in git(home, "ls-tree", "-r", "--name-only", "HEAD", "--", "tickets").split()
                  if n.endswith(".yaml"))


def test_check_completes_a_new_killed_after_its_commit_and_passes(run, lpsectl_cmd):
    before = committed_ids(run.home)
    killed(KILLED_AFTER_COMMIT, run.home, "new", "-q", "-c", "kotak-saran", "-m", "killed after commit")
    (tid,) = set(committed_ids(run.home)) - set(before)
    assert not list(run.home.glob(f"tickets/*/*/{tid}.yaml")), "the kill left the file unwritten"

    result = lpsectl(lpsectl_cmd, run.home, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"open {tid}" in result.stderr and "Note:" in result.stderr
    path = ticket_file(run.home, tid)
    assert path.read_bytes() == git(run.home, "show", f"HEAD:{path.relative_to(run.home).as_posix()}").encode()
    assert git(run.home, "status", "--porcelain", "--untracked-files=all") == "", "file and index agree with git"
    again = lpsectl(lpsectl_cmd, run.home, "check")
    assert again.returncode == 0 and "Note:" not in again.stderr, "completed once, then nothing to say"


def test_a_note_killed_after_its_commit_is_seen_by_show_without_any_recording(run, lpsectl_cmd):
    tid = run.new("-c", "kotak-saran", "-m", "slip")
    killed(KILLED_AFTER_COMMIT, run.home, "note", tid, "-m", "recorded, file not written")
    assert "recorded, file not written" not in ticket_file(run.home, tid).read_text(encoding="utf-8")

    shown = lpsectl(lpsectl_cmd, run.home, "show", tid, "--json")
    assert shown.returncode == 0, shown.stderr
    assert [e["message"] for e in json.loads(shown.stdout)["history"]][-1] == "recorded, file not written"
    assert git(run.home, "status", "--porcelain", "--untracked-files=all") == ""


def test_list_shows_a_ticket_whose_new_was_killed_after_its_commit(run, lpsectl_cmd):
    killed(KILLED_AFTER_COMMIT, run.home, "new", "-q", "-c", "kotak-saran", "-m", "killed after commit")
    listed = lpsectl(lpsectl_cmd, run.home, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [t["id"] for t in json.loads(listed.stdout)] == committed_ids(run.home)


def test_the_next_action_on_a_killed_note_keeps_both_events_once(run, lpsectl_cmd):
    tid = run.new("-c", "kotak-saran", "-m", "slip")
    killed(KILLED_AFTER_COMMIT, run.home, "note", tid, "-m", "first")
    run.ok("note", tid, "-m", "second")
    shown = json.loads(run.ok("show", tid, "--json"))
    assert [e["message"] for e in shown["history"] if e["action"] == "note"] == ["first", "second"]
    assert run("check").exit_code == 0


def test_a_record_killed_before_its_commit_leaves_nothing_and_check_passes_silently(run, lpsectl_cmd):
    tid = run.new("-c", "kotak-saran", "-m", "slip")
    head = git(run.home, "rev-parse", "HEAD")
    text = ticket_file(run.home, tid).read_bytes()
    killed(KILLED_BEFORE_COMMIT, run.home, "note", tid, "-m", "never committed")

    result = lpsectl(lpsectl_cmd, run.home, "check")
    assert result.returncode == 0 and "Note:" not in result.stderr, result.stderr
    assert git(run.home, "rev-parse", "HEAD") == head
    assert ticket_file(run.home, tid).read_bytes() == text
    assert not [p for p in (run.home / ".git").iterdir() if "record" in p.name], "the journal is dropped"


def test_a_record_that_cannot_be_completed_yet_blocks_no_command_and_is_completed_later(run, monkeypatch):
    from lpsectl.gitrepo import GitError, GitRepo

    tid = run.new("-c", "kotak-saran", "-m", "slip")
    killed(KILLED_AFTER_COMMIT, run.home, "note", tid, "-m", "recorded, file not written")

    def unwritable(self, path):
        raise GitError("cannot write: Read-only file system")

    with monkeypatch.context() as m:
        m.setattr(GitRepo, "restore", unwritable)  # the folder is still read-only, say
        assert run("list").exit_code == 0
        run.new("-c", "kotak-saran", "-m", "another ticket, recorded meanwhile")
        assert run("check").exit_code == 1, "the file is behind git: named, not hidden"
    assert (run.home / ".git" / f"lpsectl-recording.{tid}").exists(), "kept, to be completed when it can be"
    result = run("check")
    assert result.exit_code == 0 and f"note {tid}" in result.stderr
    assert not list((run.home / ".git").glob("lpsectl-recording*"))


# The file is written; the kill comes as git's index is to be updated (the journal still there).
KILLED_AFTER_WRITE = """
import os, sys
from lpsectl.gitrepo import GitRepo
GitRepo.stage = lambda *a, **k: os._exit(137)
from lpsectl.cli import cli
cli.main(["--home", sys.argv[1], "--operator", "Rina", *sys.argv[2:]])
"""


def test_a_record_killed_after_its_write_gets_gits_index_brought_up_to_date(run, lpsectl_cmd):
    tid = run.new("-c", "kotak-saran", "-m", "slip")
    killed(KILLED_AFTER_WRITE, run.home, "note", tid, "-m", "written, index not updated")
    assert "written, index not updated" in ticket_file(run.home, tid).read_text(encoding="utf-8")

    result = lpsectl(lpsectl_cmd, run.home, "check")
    assert result.returncode == 0 and "Note:" not in result.stderr, result.stderr
    assert git(run.home, "status", "--porcelain", "--untracked-files=all") == ""
    assert not list((run.home / ".git").glob("lpsectl-recording*"))
