"""Guarantee 13: a full disk, a read-only tickets/, an odd path, no git: one clear error or it works.

The full disk is a small tmpfs and the read-only folder a read-only bind
mount, both made by the test (root may mount; root also ignores permission
bits, so chmod would prove nothing). Where mounting is not allowed the
test is skipped, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import git
from tests.guarantees.conftest import commit_count, dirty, tickets_committed, tickets_on_disk


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


def _unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 3 MB filesystem of its own, unmounted afterwards."""
    where = tmp_path / "small disk"
    where.mkdir()
    if sys.platform != "linux" or shutil.which("mount") is None:
        pytest.skip("needs Linux mount to make a small filesystem")
    proc = _mount("-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where))
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): {proc.stderr.strip()}")
    try:
        yield where
    finally:
        _unmount(where)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill ``disk`` up to the last byte, then free ``leave`` bytes; the filler file is returned."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as f:  # unbuffered: nothing left to fail at close
        for size in (65536, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                pass
        if leave:
            f.truncate(max(0, f.tell() - leave))
    return filler


def one_error(proc: subprocess.CompletedProcess, code: int = 1) -> str:
    lines = proc.stderr.splitlines()
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "internal error" not in lines[0], proc.stderr
    return lines[0]


def test_on_a_full_disk_new_fails_in_one_line_and_leaves_no_trace(small_disk, lp):
    home = small_disk / "desk"
    lp(small_disk, "init", str(home))
    tid = lp(home, "new", "-q", "-c", "kotak-saran", "-m", "before the disk filled").stdout.strip()
    commits, before = commit_count(home), tickets_committed(home)
    filler = fill(small_disk)

    one_error(lp(home, "new", "-q", "-c", "kotak-saran", "-m", "on a full disk", check=False))
    assert tickets_on_disk(home).keys() == before.keys(), "no half-made ticket"
    filler.unlink()
    assert commit_count(home) == commits
    lp(home, "note", tid, "-m", "space again")
    lp(home, "check")


def test_on_a_full_disk_an_action_that_fails_leaves_no_event_behind(small_disk, lp):
    home = small_disk / "desk"
    lp(small_disk, "init", str(home))
    tid = lp(home, "new", "-q", "-c", "kotak-saran", "-m", "before the disk filled").stdout.strip()
    filler = fill(small_disk)
    for i in range(3):  # each retry fails too
        one_error(lp(home, "note", tid, "-m", f"try {i}", check=False))
    filler.unlink()
    lp(home, "note", tid, "-m", "space again")
    notes = [e.message for e in tickets_committed(home)[tid].history if e.action == "note"]
    assert notes == ["space again"], "only the note that succeeded is recorded"
    assert dirty(home) == ""


def test_on_a_disk_with_room_for_the_lock_alone_actions_fail_in_one_line_and_leave_no_trace(small_disk, lp):
    home = small_disk / "desk"
    lp(small_disk, "init", str(home))
    tid = lp(home, "new", "-q", "-c", "kotak-saran", "-m", "before the disk filled").stdout.strip()
    commits, before = commit_count(home), tickets_committed(home)
    filler = fill(small_disk, leave=4096)  # one page: the lock fits, a ticket and its commit do not

    one_error(lp(home, "new", "-q", "-c", "kotak-saran", "-m", "on a full disk", check=False))
    one_error(lp(home, "note", tid, "-m", "on a full disk", check=False))
    assert tickets_on_disk(home).keys() == before.keys()
    assert [e.action for e in tickets_on_disk(home)[tid].history] == ["open"], "the failed note left no event"
    filler.unlink()
    assert commit_count(home) == commits
    lp(home, "note", tid, "-m", "space again")
    assert [e.message for e in tickets_committed(home)[tid].history][1:] == ["space again"]
    lp(home, "check")


@pytest.fixture
def read_only_tickets(tmp_path, lp) -> Iterator[Path]:
    """A helpdesk with one ticket whose tickets/ is a read-only bind mount."""
    home = tmp_path / "desk"
    lp(tmp_path, "init", str(home))
    lp(home, "new", "-q", "-c", "kotak-saran", "-m", "written before")
    tickets = home / "tickets"
    if sys.platform != "linux" or shutil.which("mount") is None:
        pytest.skip("needs Linux mount for a read-only bind mount")
    proc = _mount("--bind", str(tickets), str(tickets))
    if proc.returncode != 0:
        pytest.skip(f"cannot bind-mount here (not root, or no CAP_SYS_ADMIN): {proc.stderr.strip()}")
    try:
        proc = _mount("-o", "remount,ro,bind", str(tickets))
        if proc.returncode != 0:
            pytest.skip(f"cannot make the bind mount read-only: {proc.stderr.strip()}")
        yield home
    finally:
        _unmount(tickets)


def test_a_read_only_tickets_folder_refuses_writes_in_one_line_and_still_reads(read_only_tickets, lp):
    home = read_only_tickets
    (tid,) = tickets_on_disk(home)
    commits = commit_count(home)
    one_error(lp(home, "new", "-q", "-c", "kotak-saran", "-m", "x", check=False))
    one_error(lp(home, "note", tid, "-m", "x", check=False))
    one_error(lp(home, "answer", tid, "-m", "x", check=False))
    assert commit_count(home) == commits and dirty(home) == ""
    assert tid in lp(home, "list").stdout
    assert lp(home, "show", tid, "--json").returncode == 0
    lp(home, "check")
    lp(home, "report", "--format", "json", "--public")


ODD = "Kantor LPSE Kota Payakumbuh/Layanan Pengaduan — Ürün 'é' & (2026) 日本"


def test_a_helpdesk_under_a_path_with_spaces_and_non_ascii_letters_works_throughout(tmp_path, lp):
    home = tmp_path / ODD
    remote = tmp_path / "rémote git" / "pusat.git"
    remote.parent.mkdir()
    git(tmp_path, "init", "-q", "--bare", str(remote))
    lp(tmp_path, "init", str(home))
    git(home, "remote", "add", "origin", str(remote))
    tid = lp(home, "new", "-q", "-c", "telepon", "--name", "Budi", "--phone", "0752 92317", "-m", "Lupa sandi").stdout.strip()
    (home / "tickets" / "2026").mkdir(exist_ok=True)
    lp(home / "tickets", "answer", tid, "-m", "Sudah dijawab")  # found from a folder below
    lp(home, "sync")
    git(tmp_path, "clone", "-q", str(remote), f"{ODD} (desk 2)")
    desk2 = tmp_path / f"{ODD} (desk 2)"
    lp(desk2, "init")
    lp(desk2, "note", tid, "-m", "dari meja dua")
    lp(desk2, "sync")
    lp(home, "sync")
    assert [e.action for e in tickets_committed(home)[tid].history] == ["open", "answer", "note"]
    lp(home, "check")
    out = tmp_path / ODD.split("/")[0] / "laporan bulan ini.html"
    lp(home, "report", "--format", "html", "-o", str(out))
    assert out.read_text(encoding="utf-8").startswith("<!")
    assert dirty(home) == "" and dirty(desk2) == ""


def without_git(tmp_path: Path) -> dict:
    """The environment with a PATH that has no git (and nothing else)."""
    empty = tmp_path / "no-git-bin"
    empty.mkdir(exist_ok=True)
    return dict(os.environ, PATH=str(empty))


def test_with_git_missing_from_path_actions_fail_in_one_line_write_nothing_and_reading_works(tmp_path, lp):
    home = tmp_path / "desk"
    lp(tmp_path, "init", str(home))
    tid = lp(home, "new", "-q", "-c", "kotak-saran", "-m", "with git").stdout.strip()
    env = without_git(tmp_path)
    line = one_error(lp(home, "new", "-q", "-c", "kotak-saran", "-m", "no git", env=env, check=False))
    assert "git" in line
    one_error(lp(home, "note", tid, "-m", "no git", env=env, check=False))
    assert list(tickets_on_disk(home)) == [tid] and dirty(home) == "", "nothing written without its commit"
    assert tid in lp(home, "list", env=env).stdout, "reading needs no git"
    lp(home, "show", tid, "--json", env=env)
    lp(home, "note", tid, "-m", "git is back")
    lp(home, "check")


def test_a_git_that_cannot_make_its_index_lock_for_want_of_space_is_not_waited_for(tmp_path, monkeypatch):
    """Only a lock another git holds ("File exists") is worth waiting for; a full disk is not."""
    from lpsectl import gitrepo

    calls = []

    def full_disk(args, cwd, env=None, check=True, input=None):
        calls.append(args)
        return subprocess.CompletedProcess(
            args, 128, "", f"fatal: Unable to create '{cwd}/.git/index.lock': No space left on device\n")

    monkeypatch.setattr(gitrepo, "_run", full_disk)
    with pytest.raises(gitrepo.GitError, match="No space left on device"):
        gitrepo.GitRepo(tmp_path)._retry(["add", "-A", "--", "tickets"])
    assert len(calls) == 1
