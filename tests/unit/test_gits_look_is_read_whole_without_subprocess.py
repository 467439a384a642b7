"""git's look runs as a child spawned and read with os alone (lpsectl.gitlook.Child), as subprocess ran it.

Both pipes are read as they fill, the exit status is git's, a missing git
is said as before, a discarded look leaves no process behind, and git
starts with SIGPIPE at its default.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lpsectl import gitlook
from tests.conftest import git, git_stand_in

pytestmark = pytest.mark.skipif(not hasattr(os, "posix_spawnp"), reason="subprocess runs the look here")


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    root = tmp_path / "desk"
    (root / "tickets").mkdir(parents=True)
    (root / "tickets" / "a.yaml").write_text("id: a\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def _with_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: str) -> None:
    monkeypatch.setenv("PATH", git_stand_in(tmp_path / "stand-in", before)["PATH"])


def test_a_look_reads_both_pipes_whole_while_git_fills_them(desk: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """300 KB on stderr before git prints anything: read one pipe after the other, both sides would wait."""
    _with_git(tmp_path, monkeypatch, 'if [ "$sub" = status ]; then head -c 300000 /dev/zero | tr "\\0" x >&2; fi\n')
    (desk / "tickets" / "a.yaml").write_text("id: b\n", encoding="utf-8")
    look = gitlook.Look(str(desk), "tickets", untracked=False)
    code, out, err = look.output()
    assert code == 0
    assert err == "x" * 300000
    head, paths = gitlook.parse_status(out)
    assert head == git(desk, "rev-parse", "HEAD").strip() and paths == ["tickets/a.yaml"]
    assert look.output() == (code, out, err)  # asked again: the same answer, git not waited for twice


def test_the_look_runs_in_the_folder_it_is_given(desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = gitlook.Look(str(desk / "tickets"), ".", untracked=True).output()
    assert code == 0, err
    assert gitlook.parse_status(out)[0] == git(desk, "rev-parse", "HEAD").strip()


def test_gits_exit_status_is_the_looks(desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_git(tmp_path, monkeypatch, 'echo "fatal: broken" >&2; exit 3\n')
    look = gitlook.Look(str(desk), "tickets", untracked=False)
    assert look.output() == (3, "", "fatal: broken\n")
    assert not look.running()


def test_no_git_on_the_path_is_a_look_that_could_not_run(desk: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    look = gitlook.Look(str(desk), "tickets", untracked=False)
    assert not look.running()
    assert look.output() == (None, "", "")


def test_a_discarded_look_stops_git_and_leaves_no_process(desk: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _with_git(tmp_path, monkeypatch, 'if [ "$sub" = status ]; then exec sleep 30; fi\n')
    look = gitlook.Look(str(desk), "tickets", untracked=False)
    assert look.running()
    pid = look._proc.pid
    look.discard()
    assert not look.running()
    with pytest.raises(ChildProcessError):  # killed and reaped: no zombie left
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc")
def test_git_starts_with_sigpipe_at_its_default(desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python ignores SIGPIPE in its own process; a child it starts gets the default back, as subprocess gives it."""
    _with_git(tmp_path, monkeypatch, "grep '^SigIgn:' /proc/$$/status >&2\n")
    code, _out, err = gitlook.Look(str(desk), "tickets", untracked=False).output()
    assert code == 0
    ignored = int(err.split()[1], 16)
    assert not ignored & (1 << (13 - 1))  # SIGPIPE is 13
