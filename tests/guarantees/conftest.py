"""Helpers of the guarantee tests: real processes, killing them, reading what git holds.

The guarantees are promises about whole runs of the installed program, so
most tests here start ``lpsectl`` as a process against a real git
repository in ``tmp_path`` (the isolation of tests/conftest.py applies).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Optional

import pytest

from lpsectl import ticketfile
from lpsectl.errors import Damaged
from lpsectl.model import Ticket
from tests.conftest import git

TIMEOUT = 300  # a hang guard for a slow, shared machine; no test relies on it


@pytest.fixture
def lp(lpsectl_cmd):
    """lp(cwd, *args): run the installed lpsectl there; check=False returns failures too."""

    def run(cwd: Path, *args: str, check: bool = True, env: Optional[dict] = None,
            operator: Optional[str] = "Rina", input: Optional[str] = None) -> subprocess.CompletedProcess:
        pre = ["--operator", operator] if operator else []
        proc = subprocess.run([*lpsectl_cmd, *pre, *args], cwd=cwd, capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=TIMEOUT, env=env, input=input)
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
        if check:
            assert proc.returncode == 0, f"lpsectl {args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc

    return run


# -- what is on disk, what git holds ------------------------------------------------

def event_key(e) -> str:
    """One event as comparable text: everything the file records of it."""
    return json.dumps(ticketfile.event_data(e), sort_keys=True, ensure_ascii=False)


def tickets_on_disk(home: Path) -> dict[str, Ticket]:
    """Every ticket file under tickets/, each of which must read as a whole ticket."""
    out: dict[str, Ticket] = {}
    for path in sorted((home / "tickets").rglob("*.yaml")):
        if "attachments" in path.relative_to(home / "tickets").parts or path.name.startswith("."):
            continue
        text = path.read_bytes().decode("utf-8")
        try:
            t = ticketfile.loads(text, str(path))
        except Damaged as exc:  # pragma: no cover - the failure this helper exists to show
            raise AssertionError(f"a ticket file is not whole: {exc}\n{text[-400:]}") from None
        assert path.stem == t.id, path
        out[t.id] = t
    return out


def tickets_committed(home: Path, ref: str = "HEAD") -> dict[str, Ticket]:
    """Every ticket as the commit ``ref`` holds it (one git process for all of them)."""
    names = [n for n in git(home, "ls-tree", "-r", "--name-only", ref, "--", "tickets").splitlines()
             if n.endswith(".yaml") and "/attachments/" not in n]
    if not names:
        return {}
    listing = "".join(f"{ref}:{n}\n" for n in names)
    raw = subprocess.run(["git", "cat-file", "--batch"], cwd=home, input=listing.encode(),
                         capture_output=True, check=True).stdout
    out: dict[str, Ticket] = {}
    pos = 0
    for name in names:
        header_end = raw.index(b"\n", pos)
        size = int(raw[pos:header_end].split()[2])
        body = raw[header_end + 1:header_end + 1 + size]
        pos = header_end + 1 + size + 1
        t = ticketfile.loads(body.decode("utf-8"), name)
        out[t.id] = t
    return out


def assert_nothing_committed_is_lost(before: dict[str, Ticket], after: dict[str, Ticket]) -> None:
    """Every ticket and every event ``before`` held is still in ``after``."""
    missing = sorted(set(before) - set(after))
    assert not missing, f"tickets lost: {missing}"
    for tid, t in before.items():
        have = {event_key(e) for e in after[tid].history}
        lost = [event_key(e) for e in t.history if event_key(e) not in have]
        assert not lost, f"{tid} lost committed events: {lost}"


def head(home: Path) -> str:
    return git(home, "rev-parse", "HEAD").strip()


def is_ancestor(home: Path, a: str, b: str) -> bool:
    return subprocess.run(["git", "merge-base", "--is-ancestor", a, b], cwd=home).returncode == 0


def commit_count(home: Path) -> int:
    return int(git(home, "rev-list", "--count", "HEAD"))


def dirty(home: Path) -> str:
    return git(home, "status", "--porcelain", "--untracked-files=all")


# -- killing a command at a moment of its run -----------------------------------------

def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of the process group ``pgid`` (Linux /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(entry))
    return out


def run_and_kill(cmd: list[str], cwd: Path, delay: float, sig: int, whole_group: bool) -> Optional[int]:
    """Start ``cmd``, send ``sig`` after ``delay`` seconds, wait until every process of it is gone.

    ``whole_group``: the signal goes to every process of the command (as a
    closed terminal or a stopped service sends it), else to lpsectl alone
    (``kill -9 PID``), whose git children then run to their end. Returns
    the exit status when the command ended before the signal, else None.
    """
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        pass
    if whole_group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    proc.wait(timeout=TIMEOUT)
    # Children that outlive lpsectl (its git) finish on their own; wait for them.
    for _ in range(TIMEOUT * 20):
        if not group_members(proc.pid):
            break
        time.sleep(0.05)
    return None


def timed(cmd: list[str], cwd: Path) -> float:
    """How long one undisturbed run of ``cmd`` takes here (to spread the kills over it)."""
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    return time.monotonic() - start


KILLS = [signal.SIGKILL, signal.SIGTERM]
