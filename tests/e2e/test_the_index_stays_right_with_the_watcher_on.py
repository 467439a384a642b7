"""With the watcher on (``lpsectl watch on``), git asks it which files changed, and everything stays right.

Each test runs the installed lpsectl against a real git repository with a
real watcher; after every change, ``list`` through the index must print
what parsing every file prints, and show the change. Every watcher a test
starts (``watch on``, or the hook starting one again) is stopped at its end,
and the test fails if one is left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lpsectl import watcher
from tests.conftest import git, same_size_same_mtime, ticket_file

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the watcher needs Linux's inotify")

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def watchers_of(root: Path) -> list[int]:
    """The running watcher processes of ``root`` (zombies have no command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            args = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in args and any(a.endswith(b"watcher.py") for a in args) and os.fsencode(str(root)) in args:
            found.append(int(entry))
    return found


class Desk:
    """A helpdesk with the installed lpsectl run in it."""

    def __init__(self, home: Path, cmd: list[str]) -> None:
        self.home = home
        self.cmd = cmd

    def __call__(self, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([*self.cmd, *args], cwd=self.home, env=dict(os.environ, LPSECTL_OPERATOR="Rina",
                                                                          **(env or {})),
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if check:
            assert proc.returncode == 0, f"{args}: {proc.stderr}"
        return proc

    def new(self, *args: str) -> str:
        return self("new", "-q", *args).stdout.strip()

    def listing(self) -> list[dict]:
        """``list --all --json`` through the index, checked against the files."""
        with_index = self("list", "--all", "--json")
        without = self("list", "--all", "--json", env={"LPSECTL_NO_INDEX": "1"})
        assert (with_index.stdout, with_index.stderr) == (without.stdout, without.stderr)
        return json.loads(with_index.stdout)

    def subjects(self) -> dict[str, str]:
        return {row["id"]: row["subject"] for row in self.listing()}

    def ask(self, request: bytes) -> bytes:
        return watcher.ask(os.path.join(self.home, ".git", watcher.FOLDER), request, 2.0)

    def hook(self, token: str) -> list[str]:
        """What the hook git's configuration names tells git (run as git runs it): the new token, then the paths."""
        command = git(self.home, "config", "core.fsmonitor").strip()
        out = subprocess.run(["sh", "-c", command + ' "$@"', command, "2", token], cwd=self.home,
                             capture_output=True, check=True).stdout
        return out.decode().split("\0")


def stop_every_watcher(root: Path) -> list[int]:
    """Stop the watchers of ``root`` (one the hook started may still be starting); those that had to be killed."""
    folder = os.path.join(root, ".git", watcher.FOLDER)
    deadline = time.monotonic() + 10
    while watchers_of(root) and time.monotonic() < deadline:
        try:
            watcher.ask(folder, b"stop", 1.0)
        except OSError:
            pass
        time.sleep(0.05)
    left = watchers_of(root)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.fixture
def desk(helpdesk, lpsectl_cmd):
    d = Desk(helpdesk, lpsectl_cmd)
    assert "watch: on; the watcher is running" in d("watch", "on").stdout
    yield d
    d("watch", "off", check=False)
    assert stop_every_watcher(helpdesk) == [], "a watcher was left running"


def test_watch_on_has_git_trust_the_files_it_has_seen(desk):
    tid = desk.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    assert git(desk.home, "config", "core.fsmonitorHookVersion").strip() == "2"
    assert "import watcher;" in git(desk.home, "config", "core.fsmonitor")
    desk.listing()
    git(desk.home, "update-index", "-q", "--refresh")
    # git ls-files -f: a lower-case tag is an entry git trusts without an lstat
    tags = dict(line.split(" ", 1)[::-1] for line in git(desk.home, "ls-files", "-f").splitlines())
    rel = ticket_file(desk.home, tid).relative_to(desk.home).as_posix()
    assert tags[rel] == "h" and tags["lpsectl.yaml"] == "h"


def test_the_hook_names_exactly_what_changed_since_its_token(desk):
    tid = desk.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    token = desk.hook("none")[0]
    assert desk.hook("none")[1:] == ["/", ""]  # a token it never gave: everything
    path = ticket_file(desk.home, tid)
    same_size_same_mtime(path, "Lupa password", "Lupa passwort")
    answer = desk.hook(token)
    assert answer[1:] == [path.relative_to(desk.home).as_posix(), ""]
    assert desk.hook(answer[0])[1:] == [""]  # nothing since


def test_a_hand_edit_in_place_with_the_same_size_and_mtime_is_seen(desk):
    tid = desk.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    assert desk.subjects() == {tid: "Lupa password"}
    same_size_same_mtime(ticket_file(desk.home, tid), "Lupa password", "Lupa passwort")
    assert desk.subjects() == {tid: "Lupa passwort"}
    git(desk.home, "update-index", "-q", "--refresh")  # git's index now holds the watcher's newer token
    same_size_same_mtime(ticket_file(desk.home, tid), "Lupa passwort", "Lupa passwurt")
    assert desk.subjects() == {tid: "Lupa passwurt"}


def test_a_new_file_a_deleted_file_and_a_new_month_folder_are_seen(desk):
    a = desk.new(*PHONE, "-s", "Satu", "--at", "2026-08-13T09:00")
    desk.listing()
    b_file = ticket_file(desk.home, a).with_name("2608-BBBBBB.yaml")
    b_file.write_text(ticket_file(desk.home, a).read_text().replace(a, "2608-BBBBBB").replace("Satu", "Dua"))
    git(desk.home, "add", "-A")
    git(desk.home, "commit", "-qm", "by hand")
    assert desk.subjects() == {a: "Satu", "2608-BBBBBB": "Dua"}
    b_file.unlink()
    assert desk.subjects() == {a: "Satu"}
    later = desk.new(*PHONE, "-s", "Bulan baru", "--at", "2026-09-02T09:00")  # tickets/2026/09/ is new
    assert desk.subjects() == {a: "Satu", later: "Bulan baru"}
    # a month folder made by hand, the file in it committed by git
    folder = desk.home / "tickets" / "2026" / "10"
    folder.mkdir()
    (folder / "2610-CCCCCC.yaml").write_text(ticket_file(desk.home, a).read_text()
                                             .replace(a, "2610-CCCCCC").replace("Satu", "Tiga"))
    git(desk.home, "add", "-A")
    git(desk.home, "commit", "-qm", "by hand")
    assert desk.subjects() == {a: "Satu", later: "Bulan baru", "2610-CCCCCC": "Tiga"}
    same_size_same_mtime(folder / "2610-CCCCCC.yaml", "Tiga", "Empa")
    assert desk.subjects() == {a: "Satu", later: "Bulan baru", "2610-CCCCCC": "Empa"}


def test_checkout_of_an_older_commit_and_stash_are_followed(desk):
    tid = desk.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    old = git(desk.home, "rev-parse", "HEAD").strip()
    desk("answer", tid, "-m", "Sudah direset", "--at", "2026-08-13T10:00")
    later = desk.new(*PHONE, "-s", "Baru", "--at", "2026-08-14T09:00")
    assert {r["id"]: r["status"] for r in desk.listing()} == {tid: "answered", later: "open"}
    git(desk.home, "checkout", "-q", old)
    assert {r["id"]: r["status"] for r in desk.listing()} == {tid: "open"}
    git(desk.home, "checkout", "-q", "main")
    assert {r["id"]: r["status"] for r in desk.listing()} == {tid: "answered", later: "open"}
    path = ticket_file(desk.home, tid)
    path.write_text(path.read_text().replace("Lupa password", "Diubah tangan"))
    assert desk.subjects() == {tid: "Diubah tangan", later: "Baru"}
    git(desk.home, "stash", "-q")
    assert desk.subjects() == {tid: "Lupa password", later: "Baru"}
    git(desk.home, "stash", "pop", "-q")
    assert desk.subjects() == {tid: "Diubah tangan", later: "Baru"}


def test_a_pull_and_a_sync_bring_the_other_desks_tickets(desk, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(desk.home, "remote", "add", "origin", str(remote))
    first = desk.new(*PHONE, "-s", "Dari meja satu", "--at", "2026-08-13T09:00")
    desk("sync")
    other = Desk(tmp_path / "desk2", desk.cmd)
    git(tmp_path, "clone", "-q", str(remote), str(other.home))
    other("init")
    second = other.new(*PHONE, "-s", "Dari meja dua", "--at", "2026-08-14T09:00")
    other("answer", first, "-m", "Dijawab meja dua", "--at", "2026-08-14T10:00")
    other("sync")
    assert [r["status"] for r in desk.listing()] == ["open"]
    git(desk.home, "pull", "-q", "--no-rebase", "origin", "main")
    assert [(r["id"], r["status"]) for r in desk.listing()] == [(first, "answered"), (second, "open")]
    third = other.new(*PHONE, "-s", "Lagi dari meja dua", "--at", "2026-08-15T09:00")
    other("sync")
    desk("sync")
    assert desk.subjects() == {first: "Dari meja satu", second: "Dari meja dua", third: "Lagi dari meja dua"}


def test_a_killed_watcher_is_answered_for_with_everything_and_started_again(desk):
    tid = desk.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    token = desk.hook("none")[0]
    pid = json.loads(desk.ask(b"status"))["pid"]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid in watchers_of(desk.home) and time.monotonic() < deadline:
        time.sleep(0.02)
    same_size_same_mtime(ticket_file(desk.home, tid), "Lupa password", "Lupa passwort")
    assert desk.hook(token)[1:] == ["/", ""]  # and it starts a new watcher
    assert desk.subjects() == {tid: "Lupa passwort"}
    deadline = time.monotonic() + 10
    while not desk("watch", "status").stdout.startswith("watch: on; the watcher is running") \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert json.loads(desk.ask(b"status"))["pid"] != pid
    token = desk.hook("none")[0]
    assert desk.hook(token)[1:] == [""]  # the new watcher answers for what changed since its own token


def test_a_watcher_that_never_answers_is_given_up_quickly(desk):
    tid = desk.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    desk("watch", "off")
    git(desk.home, "config", "core.fsmonitor", watcher_hook())
    git(desk.home, "config", "core.fsmonitorHookVersion", "2")
    folder = desk.home / ".git" / watcher.FOLDER
    here = os.getcwd()
    mute = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.chdir(folder)  # a socket's path is short: name it from its folder
        mute.bind(watcher.SOCKET)
        mute.listen(8)  # connections wait in the backlog, and no one ever answers
        os.chdir(here)
        assert desk.hook("lpsectl:x:1")[1:] == ["/", ""]
        same_size_same_mtime(ticket_file(desk.home, tid), "Lupa password", "Lupa passwort")
        assert desk.subjects() == {tid: "Lupa passwort"}
        assert git(desk.home, "status", "--porcelain").startswith(" M tickets/")
    finally:
        os.chdir(here)
        mute.close()
        os.unlink(folder / watcher.SOCKET)


def watcher_hook() -> str:
    from lpsectl.watching import hook_command

    return hook_command()


def test_git_status_of_the_whole_work_tree_stays_right(desk):
    desk.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    git(desk.home, "update-index", "-q", "--refresh")
    assert git(desk.home, "status", "--porcelain") == ""
    config = desk.home / "lpsectl.yaml"
    text = config.read_text()
    same_size_same_mtime(config, text[:8], text[:8].swapcase())
    assert git(desk.home, "status", "--porcelain") == " M lpsectl.yaml\n"
    git(desk.home, "checkout", "--", "lpsectl.yaml")
    (desk.home / "notes").mkdir()
    (desk.home / "notes" / "a.txt").write_text("x")
    assert git(desk.home, "status", "--porcelain", "--untracked-files=all") == "?? notes/a.txt\n"


def test_the_watcher_stops_when_told_and_when_the_work_tree_goes_away(desk, tmp_path):
    pid = json.loads(desk.ask(b"status"))["pid"]
    assert desk("watch", "off").stdout == "watch: off; git looks at every file\n"
    assert pid not in watchers_of(desk.home)
    assert "core.fsmonitor" not in git(desk.home, "config", "--local", "--list")
    desk("watch", "on")
    pid = json.loads(desk.ask(b"status"))["pid"]
    home = desk.home
    shutil.rmtree(home)
    deadline = time.monotonic() + 10
    while pid in watchers_of(home) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pid not in watchers_of(home)
    home.mkdir()  # for the fixture's `watch off`, which then finds no helpdesk
    (home / ".git").mkdir()


def test_the_watchers_socket_is_its_owners_alone(desk):
    folder = desk.home / ".git" / watcher.FOLDER
    assert folder.stat().st_mode & 0o077 == 0
    assert (folder / watcher.SOCKET).stat().st_mode & 0o077 == 0


def test_an_idle_watcher_stops_by_itself(helpdesk):
    proc = subprocess.Popen([sys.executable, "-I", "-S", watcher.__file__, "serve", str(helpdesk), "0.3"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not (helpdesk / ".git" / watcher.FOLDER / watcher.SOCKET).exists()
