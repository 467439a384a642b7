"""Two real clones and a bare remote: what `sync` makes of desks that acted apart.

Every command is the installed `lpsectl` in its own process; git runs the
merge driver itself.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git

TIMEOUT = 300


@pytest.fixture
def lp(lpsectl_cmd):
    def run(cwd: Path, operator: str, *args: str, code: int = 0) -> subprocess.CompletedProcess:
        proc = subprocess.run([*lpsectl_cmd, "--operator", operator, *args], cwd=cwd, capture_output=True,
                              text=True, encoding="utf-8", timeout=TIMEOUT)
        assert proc.returncode == code, f"lpsectl {args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr
        return proc

    return run


@pytest.fixture
def two_desks(tmp_path, lp) -> tuple[Path, Path]:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    a = tmp_path / "desk-a"
    lp(tmp_path, "Andi", "init", str(a))
    git(a, "remote", "add", "origin", str(remote))
    lp(a, "Andi", "sync")
    b = tmp_path / "desk-b"
    git(tmp_path, "clone", "-q", str(remote), str(b))
    lp(b, "Budi", "init", str(b))
    return a, b


def show(lp, cwd: Path, tid: str) -> dict:
    return json.loads(lp(cwd, "Rina", "show", tid, "--json").stdout)


def test_two_escalations_on_one_desk_and_one_on_the_other_leave_the_ticket_at_lkpp_flagged(two_desks, lp):
    a, b = two_desks
    tid = lp(a, "Andi", "new", "-q", "-c", "kotak-saran", "-s", "Gagal unggah", "--at", "2026-08-13T09:00").stdout.strip()
    lp(a, "Andi", "sync")
    lp(b, "Budi", "sync")
    lp(a, "Andi", "escalate", tid, "--at", "2026-08-13T10:00")
    lp(a, "Andi", "escalate", tid, "--at", "2026-08-13T10:30")
    lp(b, "Budi", "escalate", tid, "--at", "2026-08-13T11:00")  # Budi never saw Andi's
    lp(a, "Andi", "sync")
    synced = lp(b, "Budi", "sync")  # merges, and says so
    assert f"Warning: {tid}: 1 conflict(s) for an officer to settle (`lpsectl show {tid}`)\n" in synced.stderr

    d = show(lp, b, tid)
    assert (d["status"], d["tier"]) == ("open", "lkpp")
    [c] = d["conflicts"]
    assert (c["action"], c["by"], c["at"]) == ("escalate", "Budi", "2026-08-13T11:00:00+07:00")
    assert d["history"][c["event"]]["by"] == "Budi"
    assert "already at lkpp" in c["why"]

    text = lp(b, "Rina", "show", tid).stdout
    assert "[open, lkpp]" in text
    assert "Conflict:    escalate by Budi at 2026-08-13 11:00 WIB: the ticket was already at lkpp" in text
    assert "  2026-08-13 11:00 WIB  escalate  admin-ppe  by Budi  (conflict)\n" in text
    assert "by Andi  (conflict)" not in text

    check = lp(b, "Rina", "check", code=1)
    path = next(b.glob(f"tickets/*/*/{tid}.yaml"))
    lines = path.read_text(encoding="utf-8").splitlines()
    [problem] = check.stdout.splitlines()
    where, _, what = problem.partition(": ")
    rel, line = where.rsplit(":", 1)
    assert rel == path.relative_to(b).as_posix()
    assert lines[int(line) - 1] == "- at: '2026-08-13T11:00:00+07:00'"
    assert lines[int(line) + 1] == "  by: Budi"
    assert what.startswith("conflict: escalate by Budi") and f"lpsectl note {tid} -m" in what

    # An officer acknowledges it; every desk then reads a settled ticket.
    lp(b, "Rina", "note", tid, "-m", "Sudah di LKPP sejak eskalasi Andi; eskalasi Budi rangkap")
    lp(b, "Rina", "check")
    lp(b, "Rina", "sync")
    lp(a, "Andi", "sync")
    d = show(lp, a, tid)
    assert (d["status"], d["tier"], d["conflicts"]) == ("open", "lkpp", [])
    assert d["history"][-1]["settles"] == ["2026-08-13T11:00:00+07:00 escalate Budi"]


def test_a_close_as_invalid_merged_with_later_escalations_stays_closed(two_desks, lp):
    a, b = two_desks
    tid = lp(a, "Andi", "new", "-q", "-c", "kotak-saran", "-s", "Iseng", "--at", "2026-08-13T09:00").stdout.strip()
    lp(a, "Andi", "sync")
    lp(b, "Budi", "sync")
    lp(a, "Andi", "close", tid, "--resolution", "invalid", "--at", "2026-08-13T09:30")
    lp(b, "Budi", "escalate", tid, "--at", "2026-08-13T10:00")
    lp(b, "Budi", "escalate", tid, "--at", "2026-08-13T10:30")
    lp(b, "Budi", "wait", tid, "--on", "lkpp", "--at", "2026-08-13T11:00")
    lp(b, "Budi", "sync")
    lp(a, "Andi", "sync")  # merges
    lp(b, "Budi", "sync")  # fetches the merge
    for desk in (a, b):
        d = show(lp, desk, tid)
        assert (d["status"], d["resolution"], d["waiting_on"]) == ("closed", "invalid", None)
        assert [c["action"] for c in d["conflicts"]] == ["escalate", "escalate", "wait"]
    assert len(lp(a, "Rina", "check", code=1).stdout.splitlines()) == 3
    # The next valid action settles them: reopening it at the tier it reached.
    lp(a, "Rina", "reopen", tid, "-m", "Ternyata perlu LKPP")
    d = show(lp, a, tid)
    assert (d["status"], d["tier"], d["conflicts"]) == ("open", "lkpp", [])
