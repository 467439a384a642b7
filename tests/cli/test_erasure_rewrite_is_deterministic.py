"""The history rewrite of an erasure: the same commits on every clone, whatever the commit messages say."""

from __future__ import annotations

import subprocess

from lpsectl import privacy
from lpsectl.gitrepo import GitRepo
from tests.conftest import git, ticket_file


def test_two_clones_rewriting_the_same_history_get_the_same_commits(run, tmp_path):
    tid = run.new("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317", "-s", "Akun",
                  "--at", "2026-08-13T09:00")
    run.ok("note", tid, "-m", "dicek", "--at", "2026-08-13T10:00")
    other = run.new("-c", "telepon", "--name", "Dewi", "--phone", "0812", "-s", "Jadwal", "--at", "2026-08-14T09:00")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(run.home), str(clone))
    heads = []
    for root in (run.home, clone):
        privacy.rewrite(GitRepo(root), {tid})
        heads.append(git(root, "rev-parse", "HEAD").strip())
    assert heads[0] == heads[1]
    assert b"Budi" not in git(run.home, "log", "-p", "--all").encode()
    assert "Dewi" in git(run.home, "show", f"HEAD:{ticket_file(run.home, other).relative_to(run.home).as_posix()}")
    # Rewriting again changes nothing: the history already holds no erased value.
    assert privacy.rewrite(GitRepo(run.home), {tid}).moved == {}


def test_a_commit_message_that_looks_like_a_file_change_is_left_alone(run):
    tid = run.new("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317", "-s", "Akun",
                  "--at", "2026-08-13T09:00")
    rel = ticket_file(run.home, tid).relative_to(run.home).as_posix()
    message = f"pasted by hand\nM 100644 {'a' * 40} {rel}\n"
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message], cwd=run.home, check=True)
    run.ok("privacy", "erase", tid, "-m", "permintaan")
    assert message.strip() in git(run.home, "log", "--format=%B", "-n", "1", "HEAD~1")
    assert "Budi" not in git(run.home, "log", "-p")
