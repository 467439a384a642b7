"""The helpdesk lock: a live holder is never robbed, a dead one never blocks.

A lock records its process's pid, host, start time and boot, so a pid
reused by an unrelated process does not keep a dead lock alive, and a
live lpsectl's lock is never taken as stale.
"""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import time

import pytest

from lpsectl import lockfile, store
from lpsectl.errors import LockBusy, LpseError
from lpsectl.lockfile import LockHolder, is_stale


@pytest.fixture
def sleeper():
    """A live process that is not lpsectl."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def holder_of(pid: int) -> LockHolder:
    return LockHolder(pid, socket.gethostname(), time.time(), lockfile.proc_start(pid), lockfile.boot_id())


def hd_at(tmp_path):
    from lpsectl.cli import cli
    from click.testing import CliRunner

    home = tmp_path / "helpdesk"
    assert CliRunner().invoke(cli, ["--operator", "Rina", "init", str(home)]).exit_code == 0
    return store.Helpdesk(home)


def test_a_lock_held_by_a_live_process_is_not_stale(tmp_path, sleeper):
    lock = tmp_path / "lpsectl.lock"
    lock.write_text(holder_of(sleeper.pid).text())
    assert is_stale(lock) is False


def test_a_live_holders_lock_is_waited_for_never_taken(tmp_path, sleeper):
    hd = hd_at(tmp_path)
    lock = hd.lock_path()
    text = holder_of(sleeper.pid).text()
    lock.write_text(text)
    with pytest.raises(LockBusy) as exc:
        with hd.locked(wait=0.3):
            pytest.fail("took a lock a live process holds")
    assert lock.read_text() == text
    assert f"process {sleeper.pid}" in str(exc.value)
    assert "delete" not in str(exc.value)  # no advice to break a live process's lock


def test_a_lock_of_a_process_that_died_is_taken(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    hd = hd_at(tmp_path)
    hd.lock_path().write_text(LockHolder(proc.pid, socket.gethostname(), time.time(), "1", None).text())
    with hd.locked(wait=0.3):
        assert LockHolder.parse(hd.lock_path().read_text()).pid == os.getpid()


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="process start times come from Linux's /proc")
def test_a_lock_whose_pid_now_belongs_to_another_process_is_taken(tmp_path, sleeper):
    hd = hd_at(tmp_path)
    # The lock's process started at another moment than the process now holding its pid.
    start = int(lockfile.proc_start(sleeper.pid)) + 1
    hd.lock_path().write_text(LockHolder(sleeper.pid, socket.gethostname(), time.time(), str(start),
                                         lockfile.boot_id()).text())
    with hd.locked(wait=0.3):
        assert LockHolder.parse(hd.lock_path().read_text()).pid == os.getpid()


@pytest.mark.skipif(not os.path.exists("/proc/sys/kernel/random/boot_id"), reason="boot ids come from Linux's /proc")
def test_a_lock_from_before_the_machine_restarted_is_taken(tmp_path, sleeper):
    hd = hd_at(tmp_path)
    hd.lock_path().write_text(LockHolder(sleeper.pid, socket.gethostname(), time.time(),
                                         lockfile.proc_start(sleeper.pid), "another-boot").text())
    with hd.locked(wait=0.3):
        pass


def test_a_fresh_lock_from_another_machine_is_waited_for(tmp_path):
    hd = hd_at(tmp_path)
    hd.lock_path().write_text(LockHolder(1, "other-desk", time.time()).text())
    with pytest.raises(LockBusy) as exc:
        with hd.locked(wait=0.2):
            pass
    assert "other-desk" in str(exc.value) and str(hd.lock_path()) in str(exc.value)


def test_an_old_style_lock_of_pid_and_host_still_reads(tmp_path, sleeper):
    lock = tmp_path / "lpsectl.lock"
    lock.write_text(f"{sleeper.pid} {socket.gethostname()} {time.time():.0f}\n")
    assert is_stale(lock) is False


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_lock_that_cannot_be_created_is_one_clear_error(tmp_path, monkeypatch, code):
    hd = hd_at(tmp_path)
    real_open = os.open

    def failing_open(path, flags, *args):
        if str(path).endswith(store.LOCK_NAME):
            raise OSError(code, os.strerror(code))
        return real_open(path, flags, *args)

    monkeypatch.setattr(store.os, "open", failing_open)
    with pytest.raises(LpseError) as exc:
        with hd.locked(wait=0.2):
            pass
    assert "cannot take the helpdesk lock" in str(exc.value) and os.strerror(code) in str(exc.value)
