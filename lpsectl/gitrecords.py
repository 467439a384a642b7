"""What git answers, as records: a path's state before an action, a commit of its log, a merge, a change.

Apart from :mod:`lpsectl.gitrepo`, which makes them: each dataclass costs
a command about half a millisecond to make as it loads, and a reading
command asks git none of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import subprocess


@dataclass
class PathState:
    """What git holds for one path before an action changes it."""

    branch: str            # the full ref HEAD points at: refs/heads/...
    head: Optional[str]    # its commit, None on an unborn branch
    blob: Optional[str]    # the path's blob in that commit, None when it has none


@dataclass
class MergedTree:
    """What ``git merge-tree`` made: the tree (None when it failed) and the paths it could not merge."""

    tree: Optional[str]
    conflicts: list[str]
    proc: subprocess.CompletedProcess


@dataclass
class TreeChange:
    """One file that differs between two commits; mode "000000" and blob None where a side has none."""

    path: str  # from the git top, with /
    old_mode: str
    new_mode: str
    old_blob: Optional[str]
    new_blob: Optional[str]


@dataclass
class CommitInfo:
    sha: str
    author: str
    email: str
    at: str
    subject: str
