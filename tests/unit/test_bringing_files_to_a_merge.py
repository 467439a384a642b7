"""lpsectl.worktree: the files of a commit the branch already holds, written one whole file at a time.

Real git repositories in tmp_path; the branch is moved with update-ref
as sync moves it, leaving git's index and the files at the commit before.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from lpsectl import worktree
from lpsectl.gitrepo import GitRepo
from tests.conftest import git


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def moved(tmp_path) -> tuple[GitRepo, str, str]:
    """A repository whose branch was moved from ``before`` to ``after``; files and index still at ``before``."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    for name in "abcd":
        (root / f"{name}.txt").write_text(f"{name} before\n")
    before = commit_all(root, "before")
    for name in "abc":
        (root / f"{name}.txt").write_text(f"{name} after\n")
    (root / "d.txt").unlink()
    (root / "new" / "deep").mkdir(parents=True)
    (root / "new" / "deep" / "e.txt").write_text("e added\n")
    after = commit_all(root, "after")
    git(root, "read-tree", "-u", "--reset", before)
    git(root, "update-ref", "HEAD", after)
    return GitRepo(root), before, after


def test_each_file_still_as_before_is_written_one_already_written_is_staged_an_edited_one_is_left(moved):
    repo, before, after = moved
    root = repo.root
    (root / "b.txt").write_text("b after\n")  # written before a kill
    (root / "c.txt").write_text("c edited by hand\n")

    left = worktree.bring(repo, after, repo.tree_changes(before, after))

    assert left == ["c.txt"]
    assert [(root / f"{n}.txt").read_text() for n in "abc"] == ["a after\n", "b after\n", "c edited by hand\n"]
    assert not (root / "d.txt").exists() and (root / "new" / "deep" / "e.txt").read_text() == "e added\n"
    assert git(root, "status", "--porcelain", "--untracked-files=all") == " M c.txt\n"


def test_a_folder_a_deletion_empties_is_removed(moved):
    repo, before, after = moved
    back = repo.commit_tree(git(repo.root, "rev-parse", f"{before}^{{tree}}").strip(), [after], "back", "Rina")
    worktree.bring(repo, after, repo.tree_changes(before, after))
    git(repo.root, "update-ref", "HEAD", back)
    worktree.bring(repo, back, repo.tree_changes(after, back))
    assert not (repo.root / "new").exists()
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""


def test_what_is_edited_or_staged_is_in_the_way_of_a_merge(moved):
    repo, before, after = moved
    root = repo.root
    (root / "a.txt").write_text("a edited\n")
    (root / "b.txt").write_text("b staged\n")
    git(root, "add", "b.txt")
    (root / "new").mkdir()
    (root / "new" / "deep").mkdir()
    (root / "new" / "deep" / "e.txt").write_text("e added\n")  # untracked, but as the merge has it
    in_the_way = worktree.in_the_way(repo, before, repo.tree_changes(before, after))
    assert in_the_way == ["a.txt", "b.txt"]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_the_merge_adds_is_checked_out_by_git(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "a.txt").write_text("a\n")
    before = commit_all(root, "before")
    os.symlink("a.txt", root / "link")
    after = commit_all(root, "after")
    git(root, "read-tree", "-u", "--reset", before)
    git(root, "update-ref", "HEAD", after)
    repo = GitRepo(root)
    assert worktree.bring(repo, after, repo.tree_changes(before, after)) == []
    assert os.readlink(root / "link") == "a.txt"
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
