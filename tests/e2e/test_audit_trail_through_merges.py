"""`log ID` lists every commit that changed the ticket's file, those that came through a sync's merge too.

Two real clones of a bare remote, driven by the installed `lpsectl`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import git, ticket_file

TIMEOUT = 300


def lp(lpsectl_cmd: list[str], cwd: Path, operator: str, *args: str) -> str:
    proc = subprocess.run([*lpsectl_cmd, "--operator", operator, *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=TIMEOUT)
    assert proc.returncode == 0, f"lpsectl {args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_log_shows_a_hand_edit_and_the_merge_that_brought_the_other_desks_change(tmp_path, lpsectl_cmd):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    a = tmp_path / "a"
    lp(lpsectl_cmd, tmp_path, "Rina", "init", str(a))
    git(a, "remote", "add", "origin", str(remote))
    tid = lp(lpsectl_cmd, a, "Rina", "new", "-q", "-c", "kotak-saran", "-s", "AC rusak").strip()
    lp(lpsectl_cmd, a, "Rina", "sync")
    b = tmp_path / "b"
    git(tmp_path, "clone", "-q", str(remote), str(b))
    lp(lpsectl_cmd, b, "Budi", "init", str(b))
    # Desk B edits the ticket by hand (the same subject, quoted) and commits it with git.
    path = ticket_file(b, tid)
    text = path.read_text(encoding="utf-8")
    assert "subject: AC rusak\n" in text
    path.write_text(text.replace("subject: AC rusak\n", "subject: 'AC rusak'\n"), encoding="utf-8")
    git(b, "commit", "-q", "-am", "hand edit of the subject")
    hand = git(b, "rev-parse", "HEAD").strip()
    # Desk A answers meanwhile; B's sync merges the answer with the hand edit.
    lp(lpsectl_cmd, a, "Rina", "answer", tid, "-m", "Sudah diperbaiki")
    lp(lpsectl_cmd, a, "Rina", "sync")
    lp(lpsectl_cmd, b, "Budi", "sync")
    merge = git(b, "rev-parse", "HEAD").strip()
    assert len(git(b, "rev-list", "--parents", "-n1", "HEAD").split()) == 3, "B's sync made a merge"
    rel = path.relative_to(b).as_posix()
    changed_at_merge = git(b, "diff", "--name-only", "HEAD^1", "HEAD", "--", rel).split()
    assert changed_at_merge == [rel], "the merge changed the ticket on desk B"

    trail = lp(lpsectl_cmd, b, "Budi", "log", tid)
    rows = trail.splitlines()[2:]
    shown = [row.split()[0] for row in rows]
    assert hand[:10] in shown, trail
    assert merge[:10] in shown, trail
    assert any("hand edit of the subject" in r for r in rows)
    assert any(f"answer {tid}" in r for r in rows)
    # Oldest first: the opening, and the merge after the commits it joins.
    assert f"open {tid}" in rows[0]
    assert shown.index(merge[:10]) > shown.index(hand[:10])
    # Desk A, once synced, shows the same trail.
    lp(lpsectl_cmd, a, "Rina", "sync")
    assert [r.split()[0] for r in lp(lpsectl_cmd, a, "Rina", "log", tid).splitlines()[2:]] == shown
    # Commits and merges that did not change the ticket are not in its trail.
    lp(lpsectl_cmd, b, "Budi", "new", "-q", "-c", "kotak-saran", "-s", "lain")
    lp(lpsectl_cmd, b, "Budi", "sync")
    lp(lpsectl_cmd, a, "Rina", "new", "-q", "-c", "kotak-saran", "-s", "lagi")
    lp(lpsectl_cmd, a, "Rina", "sync")
    assert len(git(a, "rev-list", "--parents", "-n1", "HEAD").split()) == 3, "A's sync made a merge"
    after = [r.split()[0] for r in lp(lpsectl_cmd, a, "Rina", "log", tid).splitlines()[2:]]
    assert after == shown
