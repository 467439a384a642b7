"""An index that must be built (or derived) again stops git's early look before it starts.

The console script starts git's look at the tracked files before anything
heavy is imported (:mod:`lpsectl.gitlook`). When the index then turns out
to be missing or made by other code, the build looks again for itself,
untracked files included, and the early look's answer is never read:
left running, it took cores from the build's workers at 100,000 tickets.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import drop_index, git_stand_in

pytestmark = pytest.mark.skipif(os.name == "nt", reason="a shell stand-in for git")

# The first look at the tracked files alone (the early one) keeps running; the build's
# own look (untracked files too) says whether it still does, then git answers. An early
# look stopped before its shell wrote its pid leaves none: the build's look waits a second.
STAND_IN = """if [ "$sub" = status ]; then
  case " $* " in
    *" --untracked-files=no "*)
      if [ ! -e "$EARLY_PID" ]; then echo $$ > "$EARLY_PID"; exec sleep 60; fi;;
    *" --untracked-files=all "*)
      i=0; while [ ! -s "$EARLY_PID" ] && [ $i -lt 100 ]; do sleep 0.01; i=$((i+1)); done
      if [ -s "$EARLY_PID" ] && kill -0 "$(cat "$EARLY_PID")" 2>/dev/null; then echo running; else echo stopped; fi \\
        >> "$SEEN";;
  esac
fi
"""


def console(cmd: list[str], home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``lpsectl args`` run by the console script ``cmd`` (the early look included), in ``home``."""
    return subprocess.run([*cmd, *args], cwd=home, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def watched(run, tmp_path: Path) -> tuple[dict[str, str], Path]:
    env = git_stand_in(tmp_path / "bin", STAND_IN)
    seen = tmp_path / "seen"
    env.update(EARLY_PID=str(tmp_path / "early.pid"), SEEN=str(seen), LPSECTL_LANG="en")
    env.pop("LPSECTL_HOME", None)
    return env, seen


@pytest.mark.parametrize("why", ["no index", "an index of other code"])
def test_the_build_finds_the_early_look_stopped(run, watched, lpsectl_cmd, why):
    env, seen = watched
    tid = run.new("-c", "kotak-saran", "-s", "Saran", "--at", "2026-08-03T09:00")
    run.ok("list")  # the index is there
    if why == "no index":
        drop_index(run.home)
    else:
        import sqlite3

        from lpsectl.index import INDEX_NAME

        db = sqlite3.connect(str(run.home / INDEX_NAME))
        db.execute("UPDATE meta SET value = 'other' WHERE key = 'code'")
        db.commit()
        db.close()
    proc = console(lpsectl_cmd, run.home, env, "list", "--json")
    assert proc.returncode == 0, proc.stderr
    assert tid in proc.stdout
    assert seen.read_text().split() == ["stopped"]
