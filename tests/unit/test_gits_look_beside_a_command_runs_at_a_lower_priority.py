"""git's early look runs at a lower priority than the command working beside it; a look waited for does not.

git stats a large work tree in up to 20 threads whatever the number of
cores; at the command's own priority they crowd the command's one thread
out of the machine until git is done (:func:`lpsectl.gitlook.lower_priority`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lpsectl import gitlook
from tests.conftest import git, git_stand_in

pytestmark = pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no process priorities here")

# The stand-in's status waits (at most 20 s) for the test to have read its priority.
HOLD_STATUS = """if [ "$sub" = status ]; then
  i=0; while [ ! -e "$LOOK_GO" ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done
fi
"""


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    root = tmp_path / "desk"
    (root / "tickets").mkdir(parents=True)
    (root / "lpsectl.yaml").write_text("office: {}\n", encoding="utf-8")
    (root / "tickets" / "a.yaml").write_text("id: a\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


@pytest.fixture
def held_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git whose status waits until the returned file exists."""
    go = tmp_path / "go"
    env = git_stand_in(tmp_path / "holding-git", HOLD_STATUS)
    monkeypatch.setenv("PATH", env["PATH"])
    monkeypatch.setenv("LOOK_GO", str(go))
    return go


def _priority_while_looking(look: gitlook.Look, go: Path) -> int:
    assert look.running()
    try:
        return os.getpriority(os.PRIO_PROCESS, look._proc.pid)
    finally:
        go.touch()
        code, _out, err = look.output()
        assert code == 0, err


def test_the_early_look_of_a_reading_command_runs_fifteen_lower(desk: Path, held_git: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(desk)
    gitlook.start_early(["list", "--json"])
    look = gitlook.take_early(os.path.realpath(desk))
    assert look is not None
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert _priority_while_looking(look, held_git) == min(19, own + gitlook.BESIDE_NICENESS)


def test_a_look_the_command_only_waits_for_keeps_its_priority(desk: Path, held_git: Path) -> None:
    look = gitlook.Look(str(desk), "tickets", untracked=True)
    assert _priority_while_looking(look, held_git) == os.getpriority(os.PRIO_PROCESS, 0)


def test_a_look_beside_a_command_already_at_the_lowest_priority_stays_there(desk: Path, held_git: Path) -> None:
    child = subprocess.run(
        ["nice", "-n", "19", sys.executable, "-c",
         "import os; from lpsectl import gitlook; "
         f"look = gitlook.Look({str(desk)!r}, 'tickets', untracked=False, beside=True); "
         "print(os.getpriority(os.PRIO_PROCESS, look._proc.pid)); "
         f"open({str(held_git)!r}, 'w').close(); print(look.output()[0])"],
        capture_output=True, text=True, timeout=60)
    assert child.stdout.split() == ["19", "0"], child.stderr


def test_the_look_does_not_count_the_commits_ahead_of_the_upstream(desk: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(desk), str(clone))
    git(clone, "commit", "-q", "--allow-empty", "-m", "ahead")
    code, out, err = gitlook.Look(str(clone), "tickets", untracked=False).output()
    assert code == 0, err
    assert "# branch.upstream " in out
    assert "# branch.ab +? -?" in out.split("\0")
    head, paths = gitlook.parse_status(out)
    assert head == git(clone, "rev-parse", "HEAD").strip() and paths == []
