"""A commit of many paths (an import) records exactly those paths, as ``git commit --only`` would.

Real git repositories in tmp_path. Past :data:`MANY_PATHS` the commit is
built by plumbing; its tree must hold the paths' new content, drop the
paths removed, and leave whatever else was staged or changed out of it.
"""

from __future__ import annotations

from pathlib import Path

from lpsectl.gitrepo import MANY_PATHS, GitRepo
from tests.conftest import git


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "t").mkdir(parents=True)
    git(root, "init", "-q")
    for name in ("kept", "changed", "removed", "staged-elsewhere", "dirty-elsewhere"):
        (root / "t" / f"{name}.yaml").write_text(f"{name} before\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "before")
    return root


def test_many_paths_are_committed_alone_with_their_content_and_removals(tmp_path):
    root = _repo(tmp_path)
    new = [root / "t" / "new" / f"{i:04d}.yaml" for i in range(MANY_PATHS + 5)]
    new[0].parent.mkdir()
    for i, p in enumerate(new):
        p.write_text(f"ticket {i}\n")
    (root / "t" / "changed.yaml").write_text("changed after\n")
    (root / "t" / "removed.yaml").unlink()
    (root / "t" / "staged-elsewhere.yaml").write_text("staged, not part of the commit\n")
    git(root, "add", "t/staged-elsewhere.yaml")
    (root / "t" / "dirty-elsewhere.yaml").write_text("dirty, not part of the commit\n")
    paths = [*new, root / "t" / "changed.yaml", root / "t" / "removed.yaml"]

    assert GitRepo(root).commit(paths, "import", "Rina") is True

    files = set(git(root, "ls-tree", "-r", "--name-only", "HEAD").split())
    assert {f"t/new/{i:04d}.yaml" for i in range(len(new))} <= files
    assert "t/removed.yaml" not in files
    assert git(root, "show", "HEAD:t/new/0007.yaml") == "ticket 7\n"
    assert git(root, "show", "HEAD:t/changed.yaml") == "changed after\n"
    assert git(root, "show", "HEAD:t/staged-elsewhere.yaml") == "staged-elsewhere before\n"
    assert git(root, "show", "HEAD:t/dirty-elsewhere.yaml") == "dirty-elsewhere before\n"
    assert "100755" in git(root, "ls-tree", "HEAD", "run.sh")
    # What was staged apart stays staged; what was dirty stays dirty; the import's paths are clean.
    status = git(root, "status", "--porcelain").splitlines()
    assert sorted(status) == sorted(["M  t/staged-elsewhere.yaml", " M t/dirty-elsewhere.yaml"])
    assert git(root, "log", "--format=%an %s", "-1").strip() == "Rina import"


def test_an_executable_file_among_many_keeps_its_mode(tmp_path):
    root = _repo(tmp_path)
    new = [root / "t" / f"n{i:04d}.yaml" for i in range(MANY_PATHS + 1)]
    for p in new:
        p.write_text("x\n")
    new[3].chmod(0o755)

    assert GitRepo(root).commit(new, "import", "Rina") is True

    assert git(root, "ls-tree", "HEAD", "t/n0003.yaml").split()[0] == "100755"
    assert git(root, "ls-tree", "HEAD", "t/n0004.yaml").split()[0] == "100644"
