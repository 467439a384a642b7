"""A git that has exited but is not reaped yet (a zombie) is no git at work in the repository.

Its folder cannot be read any more, and a process whose folder cannot be
read was counted as a git perhaps working here: any program on the machine
slow to reap a git child made a dead index.lock look held.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from lpsectl import gitrepo


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="the process table is read on Linux only")
def test_a_zombie_git_is_not_counted_as_working_here(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    child = subprocess.Popen(["git", "--version"], cwd=tmp_path, stdout=subprocess.DEVNULL)
    try:
        stat = Path(f"/proc/{child.pid}/stat")
        for _ in range(500):  # at most 5 s for it to exit (unreaped: a zombie)
            if stat.read_text().rpartition(")")[2].split()[0] == "Z":
                break
            time.sleep(0.01)
        else:
            pytest.fail("git did not exit")
        found = gitrepo._git_processes_in(repo, repo / ".git")
        assert found is not None and child.pid not in [pid for pid, _ in found]
    finally:
        child.wait()
