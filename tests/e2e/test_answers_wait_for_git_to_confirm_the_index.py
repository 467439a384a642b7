"""A reading command answers from the index while git looks at the files, and keeps the answer only if git agrees.

git's look (``git status`` of tickets/) runs beside the command's work on
the index as it stands. Here a fake ``git`` first on PATH changes the
tickets at the start of that look, before the real git answers: the index
the command is reading cannot hold the change, git is bound to see it, so
the answer printed must be the one computed again after the index was
brought up to date. No timing is involved.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git, git_stand_in, ticket_file

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")

# At git's first `status`: a change first.
CHANGE_FIRST = """if [ "$sub" = status ] && [ ! -e "{done}" ]; then
  touch "{done}"
  "{python}" "{change}"
fi
"""

# A hand edit in place: the same size, its mtime put back (git sees it by ctime).
EDIT_IN_PLACE = """
import os
path, old, new = {path!r}, {old!r}, {new!r}
st = os.stat(path)
data = open(path, "rb").read()
assert len(old) == len(new) and old.encode() in data
with open(path, "r+b") as f:
    f.write(data.replace(old.encode(), new.encode()))
os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
"""

# The same edit, committed: HEAD moves while the command reads.
EDIT_AND_COMMIT = EDIT_IN_PLACE + """
import subprocess
subprocess.run([{git!r}, "commit", "-qam", "by hand"], cwd={home!r}, check=True)
"""


def changing_git(tmp_path: Path, change: str) -> dict[str, str]:
    """The environment of a run whose first git status runs ``change`` (Python source) first."""
    fake = tmp_path / "changing-git"
    (tmp_path / "change.py").write_text(change, encoding="utf-8")
    before = CHANGE_FIRST.format(done=fake / "done", python=sys.executable, change=tmp_path / "change.py")
    return git_stand_in(fake, before) | {"LPSECTL_OPERATOR": "Rina"}


def installed(lpsectl_cmd: list[str], home: Path, *args: str, env: dict[str, str]) -> str:
    proc = subprocess.run([*lpsectl_cmd, *args], cwd=home, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (Path(env["PATH"].split(os.pathsep)[0]) / "done").exists(), "git status was never asked"
    return proc.stdout


def subjects(out: str) -> dict[str, str]:
    return {row["id"]: row["subject"] for row in json.loads(out)}


@pytest.mark.parametrize("args", [["list", "--all", "--json"], ["today", "--json"]])
def test_a_ticket_edited_in_place_as_git_starts_looking_is_shown_edited(run, tmp_path, lpsectl_cmd, args):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    assert "Lupa password" in run.ok(*args)  # the index is up to date with it
    path = ticket_file(run.home, tid)
    env = changing_git(tmp_path, EDIT_IN_PLACE.format(path=str(path), old="Lupa password", new="Lupa passwort"))
    out = installed(lpsectl_cmd, run.home, *args, env=env)
    assert "Lupa passwort" in out and "Lupa password" not in out
    assert out == run.ok(*args, env={"LPSECTL_NO_INDEX": "1"})


def test_a_kind_edited_in_place_as_git_starts_looking_is_counted_in_the_recap(run, tmp_path, lpsectl_cmd):
    tid = run.new(*PHONE, "-s", "Lupa password", "--kind", "complaint", "--at", "2026-08-13T09:00")
    args = ["report", "--month", "2026-08", "--format", "json"]
    assert json.loads(run.ok(*args))["by_kind"]["complaint"] == 1
    path = ticket_file(run.home, tid)
    env = changing_git(tmp_path, EDIT_IN_PLACE.format(path=str(path), old="kind: complaint", new="kind: grievance"))
    figures = json.loads(installed(lpsectl_cmd, run.home, *args, env=env))
    assert (figures["by_kind"]["complaint"], figures["by_kind"]["grievance"]) == (0, 1)


def test_a_commit_made_as_git_starts_looking_is_listed(run, tmp_path, lpsectl_cmd):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("list")
    path = ticket_file(run.home, tid)
    env = changing_git(tmp_path, EDIT_AND_COMMIT.format(path=str(path), old="Lupa password", new="Lupa passwort",
                                                        git=shutil.which("git"), home=str(run.home)))
    assert subjects(installed(lpsectl_cmd, run.home, "list", "--all", "--json", env=env)) == {tid: "Lupa passwort"}
    assert git(run.home, "log", "-1", "--format=%s").strip() == "by hand"
