"""The file a killed first build wrote is removed by the next index open, and only once its builder is gone.

A first build writes ``index.sqlite3.new-<host>-<pid>-<token>`` and holds a
lock on it until its name is gone. Every open of the index lists
``.lpsectl`` (once) and removes each such file whose lock is free: a build
killed with SIGKILL loses its lock with its life, whatever later took its
pid; one still at work keeps its file. A file another host's process made
on a shared folder is removed only when no write touched it for
``lifetime.FOREIGN_STALE`` seconds, as that host's lock may not be seen
from here. The workers a killed parallel build forked exit too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lpsectl import index, lifetime
from lpsectl.index import INDEX_NAME
from tests.conftest import drop_index

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")

# A first build in a process of its own: killed (SIGKILL) or paused after its fourth file.
BUILDER = textwrap.dedent("""
    import multiprocessing, os, signal, sys, time
    from pathlib import Path
    from lpsectl import index
    from lpsectl.index import Index
    from lpsectl.store import Helpdesk

    home, mode, marks = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    if "parallel" in sys.argv[4:]:
        index.PARALLEL_FROM = 2  # the workers of a large build, for a few files

    def track(paths):
        for i, p in enumerate(paths):
            if i == 3:
                (marks / "children").write_text(" ".join(str(c.pid) for c in multiprocessing.active_children()))
                if mode == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                (marks / "ready").touch()
                for _ in range(3000):  # paused until the test says go (at most a minute)
                    if (marks / "go").exists():
                        break
                    time.sleep(0.02)
                else:
                    sys.exit(3)
            yield p

    ix = Index(Helpdesk(home))
    ix.refresh(track)
    ix.close()
""")


def build_files(home: Path) -> list[str]:
    return sorted(p.name for p in (home / ".lpsectl").iterdir() if ".new-" in p.name)


def listed(home: Path, lpsectl_cmd: list[str], **env: str) -> list[str]:
    proc = subprocess.run([*lpsectl_cmd, "--home", str(home), "list", "--all", "--json"],
                          capture_output=True, text=True, env=dict(os.environ, **env))
    assert proc.returncode == 0, proc.stderr
    return [row["id"] for row in json.loads(proc.stdout)]


def builder(home: Path, marks: Path, mode: str, *extra: str) -> subprocess.Popen:
    script = marks / "builder.py"
    script.write_text(BUILDER)
    # Its output into a file, not a pipe: a worker it forked would hold a pipe open after its death.
    with open(marks / "stderr", "wb") as err:
        return subprocess.Popen([sys.executable, str(script), str(home), mode, str(marks), *extra],
                                stdout=subprocess.DEVNULL, stderr=err)


def finished(proc: subprocess.Popen, marks: Path) -> tuple[int, str]:
    proc.wait(timeout=120)
    return proc.returncode, (marks / "stderr").read_text()


def wait_for(path: Path, proc: subprocess.Popen) -> None:
    for _ in range(3000):  # at most a minute
        if path.exists() or proc.poll() is not None:
            break
        time.sleep(0.02)
    assert path.exists(), (path.parent / "stderr").read_text()


def gone(pid: int) -> bool:
    """Whether process ``pid`` has exited (a zombie counts as gone: it holds no file)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def killed_build(home: Path, tmp_path: Path, *extra: str) -> str:
    """A first build killed with SIGKILL in the middle: the name of the file it left."""
    marks = tmp_path / "marks"
    marks.mkdir()
    code, err = finished(builder(home, marks, "kill", *extra), marks)
    assert code == -9, err
    left = build_files(home)
    assert len(left) == 1, left
    return left[0]


def helpdesk_with_tickets(run, n: int = 6) -> list[str]:
    for i in range(n):
        run.new(*PHONE, "-s", f"Tiket {i}", "--at", f"2026-08-1{i}T09:00")
    return sorted(run.home.glob("tickets/*/*/*.yaml"))


def paused_build(run, tmp_path: Path, lpsectl_cmd: list[str]) -> tuple[list[str], Path, subprocess.Popen]:
    """A helpdesk with no index and a first build started on it that pauses once ready (``marks``/ready, then go).

    Returns what the listing says read from the files, the marks folder and the builder.
    """
    helpdesk_with_tickets(run)
    expected = listed(run.home, lpsectl_cmd, LPSECTL_NO_INDEX="1")
    drop_index(run.home)
    marks = tmp_path / "marks"
    marks.mkdir()
    return expected, marks, builder(run.home, marks, "pause")


def renamed(home: Path, name: str, **parts: str) -> str:
    """The build file ``name`` renamed with another ``host`` or ``pid`` in its name."""
    prefix = str(INDEX_NAME.name) + index.BUILDING
    *host, pid, token = name[len(prefix):].split("-")
    host_part = parts.get("host", "-".join(host))
    new = f"{prefix}{host_part + '-' if host_part else ''}{parts.get('pid', pid)}-{token}"
    folder = home / ".lpsectl"
    (folder / name).rename(folder / new)
    return new


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_build_at_work_keeps_its_file_and_once_killed_the_next_command_removes_it(run, tmp_path, lpsectl_cmd):
    expected, marks, proc = paused_build(run, tmp_path, lpsectl_cmd)
    try:
        wait_for(marks / "ready", proc)
        (mine,) = build_files(run.home)
        # Another command meanwhile builds the index and puts it in place: the build at work keeps its file.
        assert listed(run.home, lpsectl_cmd) == expected
        assert (run.home / INDEX_NAME).exists()
        assert build_files(run.home) == [mine]
        assert listed(run.home, lpsectl_cmd) == expected  # an open that finds the index there too
        assert build_files(run.home) == [mine]
    finally:
        proc.kill()
        proc.wait()
    assert build_files(run.home) == [mine]  # killed: its file stays until an index is opened
    assert listed(run.home, lpsectl_cmd) == expected
    assert build_files(run.home) == []


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_build_that_finds_the_index_put_in_place_meanwhile_finishes_and_leaves_nothing(run, tmp_path, lpsectl_cmd):
    expected, marks, proc = paused_build(run, tmp_path, lpsectl_cmd)
    wait_for(marks / "ready", proc)
    assert listed(run.home, lpsectl_cmd) == expected
    inode = (run.home / INDEX_NAME).stat().st_ino
    (marks / "go").touch()
    code, err = finished(proc, marks)
    assert code == 0, err
    assert build_files(run.home) == []
    assert (run.home / INDEX_NAME).stat().st_ino == inode  # the index put in place first stays
    assert listed(run.home, lpsectl_cmd) == expected


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_the_file_of_a_killed_build_is_removed_by_the_next_open_of_an_index_in_place(run, tmp_path, lpsectl_cmd):
    helpdesk_with_tickets(run)
    expected = listed(run.home, lpsectl_cmd)  # the index is in place
    held = tmp_path / "held-index"
    (run.home / INDEX_NAME).rename(held)  # another process's index, put in place after the build began
    left = killed_build(run.home, tmp_path)
    held.rename(run.home / INDEX_NAME)
    assert build_files(run.home) == [left]
    assert listed(run.home, lpsectl_cmd) == expected
    assert build_files(run.home) == []


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_killed_build_whose_pid_another_process_took_is_still_removed(run, tmp_path, lpsectl_cmd):
    helpdesk_with_tickets(run)
    expected = listed(run.home, lpsectl_cmd)
    held = tmp_path / "held-index"
    (run.home / INDEX_NAME).rename(held)
    left = killed_build(run.home, tmp_path)
    held.rename(run.home / INDEX_NAME)
    reused = renamed(run.home, left, pid=str(os.getpid()))  # a live process has that pid now
    assert build_files(run.home) == [reused]
    assert listed(run.home, lpsectl_cmd) == expected
    assert build_files(run.home) == []


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
@pytest.mark.parametrize("host", ["desk-2.lpse.example", None])
def test_a_build_file_of_another_host_is_removed_only_once_no_write_touched_it_for_long(run, tmp_path, lpsectl_cmd,
                                                                                     host):
    """``None``: the name an lpsectl before hosts were named gave it (``new-<pid>-<token>``), whose lock is unknown."""
    helpdesk_with_tickets(run)
    expected = listed(run.home, lpsectl_cmd)
    held = tmp_path / "held-index"
    (run.home / INDEX_NAME).rename(held)
    left = killed_build(run.home, tmp_path)
    held.rename(run.home / INDEX_NAME)
    folder = run.home / ".lpsectl"
    if host is None:
        other = renamed(run.home, left, host="")
    else:
        other = renamed(run.home, left, host=host)
    assert listed(run.home, lpsectl_cmd) == expected
    assert build_files(run.home) == [other]  # it may be a build at work there, whose lock is not seen here
    old = time.time() - lifetime.FOREIGN_STALE - 60
    os.utime(folder / other, (old, old))
    assert listed(run.home, lpsectl_cmd) == expected
    assert build_files(run.home) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_parallel_build_leaves_no_file_once_an_index_is_opened_and_no_worker_behind(run, tmp_path,
                                                                                             lpsectl_cmd):
    helpdesk_with_tickets(run, 8)
    expected = listed(run.home, lpsectl_cmd)
    held = tmp_path / "held-index"
    (run.home / INDEX_NAME).rename(held)
    left = killed_build(run.home, tmp_path, "parallel")
    workers = [int(p) for p in (tmp_path / "marks" / "children").read_text().split()]
    try:
        held.rename(run.home / INDEX_NAME)
        assert workers  # the build was parallel
        assert build_files(run.home) == [left]
        # The workers were forked holding the build's lock: they let go of it.
        assert listed(run.home, lpsectl_cmd) == expected
        assert build_files(run.home) == []
        for _ in range(1500):  # they exit soon after their parent (a bound, not a speed: at most half a minute)
            if all(gone(p) for p in workers):
                break
            time.sleep(0.02)
        assert [p for p in workers if not gone(p)] == []
    finally:
        for p in workers:  # none is left running by a failure here
            if not gone(p):
                os.kill(p, signal.SIGKILL)
