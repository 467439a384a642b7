"""Commands that set up folders (`demo`, `init`) never write into a helpdesk they were not meant for.

The installed `lpsectl` runs as a real process against real git in tmp_path.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import git

TIMEOUT = 300


@pytest.fixture
def lp(lpsectl_cmd):
    """lp(cwd, *args, env=...) runs the installed lpsectl there and returns the process."""

    def run(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([*lpsectl_cmd, "--operator", "Rina", *args], cwd=cwd, capture_output=True,
                              text=True, encoding="utf-8", timeout=TIMEOUT, env=env)

    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (git's objects included), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


# -- demo ----------------------------------------------------------------------

def test_demo_refuses_an_existing_helpdesk_and_writes_nothing_into_it(tmp_path, lp):
    home = tmp_path / "real"
    assert lp(tmp_path, "init", str(home)).returncode == 0
    assert lp(home, "new", "-q", "-c", "kotak-saran", "-s", "nyata").returncode == 0
    before = snapshot(home)
    proc = lp(tmp_path, "demo", str(home))
    assert proc.returncode in (1, 2)
    assert "not empty" in one_error_line(proc)
    assert snapshot(home) == before


def test_demo_refuses_any_folder_that_is_not_empty(tmp_path, lp):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("beli kopi\n")
    proc = lp(tmp_path, "demo", str(folder))
    assert proc.returncode in (1, 2)
    one_error_line(proc)
    assert snapshot(folder) == {"todo.txt": b"beli kopi\n"}


def test_demo_refuses_a_file(tmp_path, lp):
    target = tmp_path / "demo.txt"
    target.write_text("x\n")
    proc = lp(tmp_path, "demo", str(target))
    assert proc.returncode == 2
    one_error_line(proc)
    assert target.read_text() == "x\n"


def test_demo_builds_in_an_empty_folder_its_own_repository(tmp_path, lp):
    folder = tmp_path / "empty"
    folder.mkdir()
    proc = lp(tmp_path, "demo", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert (folder / ".git").is_dir() and (folder / "lpsectl.yaml").is_file()
    assert int(git(folder, "rev-list", "--count", "HEAD")) > 10


# -- init: where -------------------------------------------------------------------

def test_init_with_home_sets_up_that_folder_not_the_current_one(tmp_path, lp):
    here = tmp_path / "here"
    here.mkdir()
    proc = lp(here, "--home", str(tmp_path / "target"), "init")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "target" / "lpsectl.yaml").is_file()
    assert list(here.iterdir()) == []


def test_init_honours_lpsectl_home(tmp_path, lp):
    import os

    here = tmp_path / "here"
    here.mkdir()
    env = dict(os.environ, LPSECTL_HOME=str(tmp_path / "target"))
    proc = lp(here, "init", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "target" / "lpsectl.yaml").is_file()
    assert list(here.iterdir()) == []


def test_init_refuses_home_and_a_different_dir_and_writes_nothing(tmp_path, lp):
    proc = lp(tmp_path, "--home", str(tmp_path / "a"), "init", str(tmp_path / "b"))
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert "--home" in line and str(tmp_path / "b") in line
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_init_accepts_home_and_the_same_dir(tmp_path, lp):
    proc = lp(tmp_path, "--home", str(tmp_path / "a"), "init", "a")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "a" / "lpsectl.yaml").is_file()


def test_init_dir_wins_over_lpsectl_home_and_says_which_folder_commands_will_use(tmp_path, lp):
    import os

    env = dict(os.environ, LPSECTL_HOME=str(tmp_path / "elsewhere"))
    proc = lp(tmp_path, "init", "b", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "b" / "lpsectl.yaml").is_file() and not (tmp_path / "elsewhere").exists()
    assert "LPSECTL_HOME" in proc.stderr


# -- init: its own repository ------------------------------------------------------------

def test_init_inside_another_repository_makes_the_helpdesk_the_top_of_its_own(tmp_path, lp):
    repo = tmp_path / "office"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "other.txt").write_text("x\n")
    git(repo, "add", "other.txt")
    git(repo, "commit", "-q", "-m", "other work")
    proc = lp(repo, "init", "helpdesk")
    assert proc.returncode == 0, proc.stderr
    home = repo / "helpdesk"
    assert (home / ".git").is_dir()
    assert "own git repository" in proc.stdout
    assert lp(home, "new", "-q", "-c", "kotak-saran", "-s", "x").returncode == 0
    # The parent's history has only its own work; the helpdesk's commits are in the helpdesk.
    assert git(repo, "log", "--format=%s").split("\n")[0] == "other work"
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(home, "rev-parse", "--show-toplevel").strip() == str(home.resolve())
    assert int(git(home, "rev-list", "--count", "HEAD")) == 2


def test_a_helpdesk_already_tracked_in_a_parent_repository_stays_there_and_init_says_so(tmp_path, lp):
    """A helpdesk set up by hand in a subfolder of a repository keeps working there, committing only its ticket."""
    repo = tmp_path / "office"
    home = repo / "helpdesk"
    home.mkdir(parents=True)
    git(repo, "init", "-q")
    (home / "lpsectl.yaml").write_text("language: id\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "helpdesk by hand")
    proc = lp(home, "init")
    assert proc.returncode == 0, proc.stderr
    assert not (home / ".git").exists()
    assert str(repo) in proc.stdout and "recorded in the git repository" in proc.stdout
    (repo / "dirty.txt").write_text("not mine\n")
    assert lp(home, "new", "-q", "-c", "kotak-saran", "-s", "x").returncode == 0
    names = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert len(names) == 1 and names[0].startswith("helpdesk/tickets/")


def test_init_refuses_a_folder_inside_another_helpdesk_and_writes_nothing(tmp_path, lp):
    home = tmp_path / "desk"
    assert lp(tmp_path, "init", str(home)).returncode == 0
    before = snapshot(home)
    for inner in (home / "tickets", home / "arsip"):
        proc = lp(tmp_path, "init", str(inner))
        assert proc.returncode == 1
        line = one_error_line(proc)
        assert str(home) in line
    assert snapshot(home) == before
    assert lp(home, "check").returncode == 0
