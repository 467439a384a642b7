"""sync against remotes that hang or refuse, and after git or sync were killed.

Network work never holds the helpdesk lock and never hangs for ever; a
half-finished merge, a dead git's index.lock and git's merge temporaries
are cleaned up by the next command; a push a server hook refuses shows
the hook's reason.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.test_sync import assert_converged, desks, remote, settle  # noqa: F401 (fixtures)

# Waiting loops in these tests are bounded; none asserts a duration.
BOUND = 120.0


def fake_ssh(tmp_path: Path, body: str) -> Path:
    """An ssh stand-in: ``started`` appears when git calls it, then ``body`` runs."""
    script = tmp_path / "fake-ssh"
    script.write_text(f"#!/bin/sh\ntouch '{tmp_path}/started'\n{body}\nexit 255\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def wait_for(path: Path) -> None:
    end = time.monotonic() + BOUND
    while not path.exists():
        assert time.monotonic() < end, f"{path} never appeared"
        time.sleep(0.05)


def test_a_sync_waiting_on_an_unreachable_remote_does_not_hold_the_lock(tmp_path, desks, lpsectl_cmd):
    desk = desks[1]
    release = tmp_path / "release"
    ssh = fake_ssh(tmp_path, f"n=0; while [ ! -e '{release}' ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n+1)); done")
    desk.git("remote", "set-url", "origin", "desk@unreachable.invalid:helpdesk.git")
    env = dict(os.environ, GIT_SSH_COMMAND=str(ssh))
    sync = subprocess.Popen([*lpsectl_cmd, "--operator", "Budi", "sync"], cwd=desk.root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(tmp_path / "started")  # sync is now talking to the "network"
        other = subprocess.run([*lpsectl_cmd, "--operator", "Andi", "new", "-q", "-c", "kotak-saran",
                                "-m", "ditulis selama sync"], cwd=desk.root, env=env,
                               capture_output=True, text=True, timeout=BOUND)
        assert other.returncode == 0, other.stderr
        assert sync.poll() is None, "the sync finished before the other command could run"
    finally:
        release.touch()
        out, err = sync.communicate(timeout=BOUND)
    assert sync.returncode == 1 and err.startswith("Error: cannot reach remote 'origin'")
    assert other.stdout.strip() in desk.ok("list")


def test_a_remote_that_never_answers_is_given_up_after_the_time_limit(tmp_path, desks, lpsectl_cmd):
    desk = desks[1]
    ssh = fake_ssh(tmp_path, "sleep 60")
    desk.git("remote", "set-url", "origin", "desk@unreachable.invalid:helpdesk.git")
    head = desk.git("rev-parse", "HEAD")
    env = dict(os.environ, GIT_SSH_COMMAND=str(ssh), LPSECTL_NETWORK_TIMEOUT="1")
    result = subprocess.run([*lpsectl_cmd, "--operator", "Budi", "sync"], cwd=desk.root, env=env,
                            capture_output=True, text=True, timeout=BOUND)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: cannot reach remote 'origin'") and "no answer within 1 s" in line
    assert desk.git("rev-parse", "HEAD") == head


def test_a_push_refused_by_a_server_hook_shows_the_hooks_reason(desks, remote):
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'Ditolak: helpdesk sedang diaudit sampai Senin' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    desk = desks[1]
    desk.new("Tiket baru")
    result = desk("sync")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: cannot push to 'origin'")
    assert "Ditolak: helpdesk sedang diaudit sampai Senin" in line


def test_sync_outside_git_says_so_before_asking_who_acts(tmp_path):
    from click.testing import CliRunner

    from lpsectl.cli import cli

    home = tmp_path / "plain"
    home.mkdir()
    (home / "lpsectl.yaml").write_text("office:\n  name: LPSE Kota Payakumbuh\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(home), "sync"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert "not in a git repository" in line and "who is acting" not in line


def old(path: Path, seconds: float = 3600) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_dead_gits_index_lock_is_removed_and_recording_goes_on(desks):
    desk = desks[1]
    lock = desk.root / ".git" / "index.lock"
    lock.write_bytes(b"")
    old(lock)
    tid = desk.new("Tiket baru")
    assert not lock.exists()
    assert desk.git("status", "--porcelain") == ""
    assert tid in desk.git("log", "-1", "--format=%s")


@pytest.mark.parametrize("age", ["an hour", "a moment"])
def test_sync_under_a_dead_gits_index_lock_merges_and_leaves_no_merge_behind(desks, age):
    """A lock no git holds: an old one is removed; one younger than the grace (its git was killed a
    moment ago) is waited out, then removed. (git's own merge met it with just "Unable to write index.")
    """
    a, b, _ = desks
    shared = a.new("Bersama")
    settle(desks)
    a.ok("note", shared, "-m", "dari A")
    a.sync()
    b.ok("note", shared, "-m", "dari B")
    lock = b.root / ".git" / "index.lock"
    lock.write_bytes(b"")
    if age == "an hour":
        old(lock)
    b.sync()
    assert not (b.root / ".git" / "MERGE_HEAD").exists() and not lock.exists()
    notes = [e.get("message") for e in b.history(shared)]
    assert "dari A" in notes and "dari B" in notes
    settle(desks)
    assert_converged(desks)


def test_an_index_lock_a_live_git_holds_is_kept_and_named(tmp_path, desks, monkeypatch):
    from lpsectl import gitrepo

    desk = desks[1]
    lock = desk.root / ".git" / "index.lock"
    lock.write_bytes(b"")
    old(lock)
    # A process named git working in the repository, as a person's `git commit` waiting on its editor.
    fake_git = tmp_path / "bin" / "git"
    fake_git.parent.mkdir()
    os.symlink("/bin/sleep", fake_git)
    holder = subprocess.Popen([str(fake_git), "60"], cwd=desk.root)
    try:
        monkeypatch.setattr(gitrepo, "INDEX_LOCK_WAIT", 0.3)
        repo = gitrepo.GitRepo(desk.root)
        repo.lock_held = True
        (desk.root / "loose.txt").write_text("x")
        try:
            repo._retry(["add", "--", "loose.txt"])
        except gitrepo.GitError as exc:
            message = str(exc)
        else:
            raise AssertionError("git add ran although the index was locked")
        assert lock.exists()
        assert str(lock) in message and f"git process {holder.pid}" in message
    finally:
        holder.kill()
        holder.wait()


def test_the_next_command_undoes_the_merge_a_killed_sync_left(desks):
    from lpsectl.store import MERGING_MARK

    a, b, _ = desks
    shared = a.new("Bersama")
    settle(desks)
    a.ok("note", shared, "-m", "dari A")
    a.sync()
    b.ok("note", shared, "-m", "dari B")
    before = b.git("rev-parse", "HEAD").strip()
    b.git("fetch", "-q", "origin")
    # As a sync killed mid-merge leaves it: its mark, MERGE_HEAD, git's temporaries.
    (b.root / ".git" / MERGING_MARK).write_text(before + "\n")
    subprocess.run(["git", "-c", "merge.lpsectl.driver=false", "merge", "--no-commit", "origin/main"],
                   cwd=b.root, capture_output=True)
    assert (b.root / ".git" / "MERGE_HEAD").exists()
    leftover = b.root / ".merge_file_a1B2c3"
    leftover.write_text("temporary")

    b.ok("note", shared, "-m", "sesudahnya")

    assert not (b.root / ".git" / "MERGE_HEAD").exists() and not leftover.exists()
    assert not (b.root / ".git" / MERGING_MARK).exists()
    b.sync()
    notes = [e.get("message") for e in b.history(shared)]
    assert {"dari A", "dari B", "sesudahnya"} <= set(notes)


def test_git_merge_temporaries_left_at_the_top_are_removed_by_sync_and_ignored_by_check(desks):
    desk = desks[1]
    leftover = desk.root / ".merge_file_Zx9Yw8"
    leftover.write_text("temporary")
    old(leftover)
    assert desk.ok("check") == ""
    desk.sync()
    assert not leftover.exists()


# The second file the sync writes after its merge dies, as kill -9 would: no cleanup, the lock left behind.
KILLED_WHILE_WRITING_THE_MERGE = """
import os, sys
from lpsectl import store
written = []
def die(path, data):
    if path.suffix == ".yaml" and "tickets" in path.parts:
        written.append(path)
        if len(written) == 2:
            os._exit(137)
    return real(path, data)
real, store.atomic_write = store.atomic_write, die
from lpsectl.cli import cli
cli.main(["--home", sys.argv[1], "--operator", "Budi", "sync"])
"""


def killed_while_writing_the_merge(desks) -> tuple[str, str, str]:
    """Desk b's sync killed between two files of its merge: (shared ticket, ticket from a, b's HEAD before)."""
    a, b, _ = desks
    shared = a.new("Bersama")
    settle(desks)
    a.ok("note", shared, "-m", "dari A")
    from_a = a.new("Dari A")
    a.sync()
    b.ok("note", shared, "-m", "dari B")
    before = b.git("rev-parse", "HEAD").strip()
    proc = subprocess.run([sys.executable, "-c", KILLED_WHILE_WRITING_THE_MERGE, str(b.root)],
                          capture_output=True, text=True, env={**os.environ, "CI": "true"})
    assert proc.returncode == 137, proc.stderr
    assert b.git("rev-parse", "HEAD").strip() != before, "the branch holds the merge"
    assert b.git("status", "--porcelain") != "", "one file of the merge is written, one is not"
    return shared, from_a, before


def test_a_sync_killed_while_writing_its_merged_files_is_finished_by_check(desks):
    shared, from_a, before = killed_while_writing_the_merge(desks)
    b = desks[1]
    result = b("check")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Note:" in result.stderr and "a sync was stopped after git recorded its merge" in result.stderr
    assert b.git("status", "--porcelain", "--untracked-files=all") == "", "files and index are the merge's"
    assert {"dari A", "dari B"} <= {e.get("message") for e in b.history(shared)}
    assert b.history(from_a)
    again = b("check")
    assert again.exit_code == 0 and "Note:" not in again.stderr, "finished once, then nothing to say"
    b.sync()
    settle(desks)
    assert_converged(desks)


def test_readers_see_the_merge_of_a_sync_killed_while_writing_its_files(desks):
    shared, from_a, _ = killed_while_writing_the_merge(desks)
    b = desks[1]
    shown = b.ok("show", shared)
    assert "dari A" in shown and "dari B" in shown
    assert from_a in b.ok("list")
    assert b.git("status", "--porcelain", "--untracked-files=all") == ""


def test_a_merge_that_would_overwrite_uncommitted_work_changes_nothing(desks):
    a, b, _ = desks
    config = "lpsectl.yaml"
    (a.root / config).write_text((a.root / config).read_text() + "# dari A\n")
    a.git("commit", "-q", "-am", "komentar dari A")
    a.sync()
    mine = (b.root / config).read_text() + "# belum di-commit di B\n"
    (b.root / config).write_text(mine)
    b.ok("note", b.new("Tiket B"), "-m", "catatan")
    before = b.git("rev-parse", "HEAD")
    result = b("sync")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: sync stopped: uncommitted changes to lpsectl.yaml would be overwritten")
    assert b.git("rev-parse", "HEAD") == before and (b.root / config).read_text() == mine
    assert not (b.root / ".git" / "lpsectl-merging").exists()


# git whose first fetch loses the remote's ref to another sync of the same
# desk (fetch runs without the helpdesk lock, so two syncs may fetch at once).
RACING_GIT = """#!/bin/sh
for a in "$@"; do
  if [ "$a" = fetch ] && [ ! -e "{lost}" ]; then
    touch "{lost}"
    echo "error: cannot lock ref 'refs/remotes/origin/main': is at 1111111 but expected 2222222" >&2
    exit 1
  fi
done
exec "{git}" "$@"
"""


def test_a_fetch_that_loses_the_remotes_ref_to_another_sync_of_this_desk_is_tried_again(tmp_path, desks, monkeypatch):
    first, second = desks[0], desks[1]
    tid = first.new("Dari meja pertama")
    first.sync()
    bin_dir = tmp_path / "racing-bin"
    bin_dir.mkdir()
    fake = bin_dir / "git"
    fake.write_text(RACING_GIT.format(lost=tmp_path / "lost", git=shutil.which("git")))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = second("sync")
    assert (tmp_path / "lost").exists()  # the race was lost once
    assert result.exit_code == 0, result.stderr
    assert tid in second.ok("list")
