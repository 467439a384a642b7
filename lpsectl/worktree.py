"""Bringing the files from one commit to the next, each one whole at every moment.

``sync`` records its merge in git before it touches a file: ``git
merge-tree`` makes the merged tree (objects only), ``commit-tree`` the
merge commit, and ``update-ref`` moves the branch to it in one
compare-and-swap. Only then are the files the merge changed written, by
:func:`bring`. A kill at any moment leaves one of two states:

- the branch did not move: nothing changed but unreachable objects;
- the branch holds the merge: every file is either as the commit before
  had it or as the merge has it (:func:`~lpsectl.store.atomic_write`:
  temporary file, rename), and running :func:`bring` again finishes the
  job. The mark ``.git/lpsectl-merging`` (the commit before) tells the
  next holder of the helpdesk lock to do so.

``git merge`` itself writes the files first and its index and MERGE_HEAD
after; killed in between (or dying of SIGPIPE when the lpsectl reading its
output is gone) it left files changed that nothing could tell from an edit
by hand.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional

from lpsectl.gitrecords import TreeChange
from lpsectl.gitrepo import GitRepo, blob_id
from lpsectl.regularfile import NotRegular, TooLarge, read_regular

_NOT_A_FILE = "not a regular file"
SUBMODULE = "160000"
# Blobs read from git at a time, so a merge of many tickets needs little memory.
_BATCH = 500


def _on_disk(path: Path, hex_len: int) -> Optional[str]:
    """The blob id of what is at ``path`` (a symlink: of its target, as git stores it), None when nothing is.

    :data:`_NOT_A_FILE` for anything else (a folder, a FIFO): no version of a file.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return _NOT_A_FILE
    if stat.S_ISLNK(st.st_mode):
        return blob_id(os.fsencode(os.readlink(path)), hex_len)
    try:
        # Read up to the size seen (and a little): the limit is what read() allocates.
        data, _ = read_regular(path, st.st_size + 4096)
    except (NotRegular, TooLarge, OSError):
        return _NOT_A_FILE
    return blob_id(data, hex_len)


def _regular(mode: str) -> bool:
    return mode in ("100644", "100755")


def _submodule(c: TreeChange) -> bool:
    # A submodule's files are its own repository's: a merge moves only the commit git's index names.
    return SUBMODULE in (c.old_mode, c.new_mode)


def in_the_way(git: GitRepo, before: str, changes: list[TreeChange]) -> list[str]:
    """The paths the merge would change that are not as ``before`` has them: on disk or staged.

    Asked before the branch moves: a merge never writes over work that is
    not committed (what ``git merge`` calls "would be overwritten").
    """
    staged = git.staged_paths(before) if changes else set()
    hex_len = len(before)
    out = []
    for c in changes:
        if c.path in staged:
            out.append(c.path)
        elif not _submodule(c) and _on_disk(git.root / c.path, hex_len) not in (c.old_blob, c.new_blob):
            out.append(c.path)
    return out


def bring(git: GitRepo, new: str, changes: list[TreeChange]) -> list[str]:
    """Write every changed file that is still as before; stage them; the paths left (edited since).

    A file already as the merge has it is only staged; one that is
    neither version (an edit by hand after a kill) is never overwritten:
    it shows as changed against the merge, which `check` names.
    A symlink or a submodule (taken in only outside the helpdesk folder) is
    checked out by git from ``new``, the merge, or dropped from git's index.
    """
    hex_len = len(new)
    done: list[str] = []
    left: list[str] = []
    odd: list[str] = []
    gone: list[str] = []
    for start in range(0, len(changes), _BATCH):
        batch = changes[start:start + _BATCH]
        todo = []
        for c in batch:
            if _submodule(c):
                (odd if c.new_blob else gone).append(c.path)
                continue
            disk = _on_disk(git.root / c.path, hex_len)
            if disk == c.new_blob:
                done.append(c.path)
            elif disk != c.old_blob:
                left.append(c.path)
            elif c.new_blob is not None and not _regular(c.new_mode):
                odd.append(c.path)
            else:
                todo.append(c)
        contents = git.blobs([c.new_blob for c in todo if c.new_blob is not None])
        for c in todo:
            path = git.root / c.path
            if c.new_blob is None:
                os.unlink(path)
                _prune_empty_folders(path.parent, git.root)
            else:
                _write(path, contents[c.new_blob], executable=c.new_mode == "100755")
            done.append(c.path)
    if odd:
        git.check_out(new, [git.root / p for p in odd])
    if gone:
        git.forget([git.root / p for p in gone])
    if done:
        git.restage([git.root / p for p in done])
    if left:  # git's index takes the merge's version: a `git commit` by hand must not undo the merge
        git.index_from(new, [git.root / p for p in left])
    return left


def _write(path: Path, data: bytes, executable: bool) -> None:
    from lpsectl.store import atomic_write  # store imports this module

    atomic_write(path, data)
    if executable and os.name != "nt":
        os.chmod(path, os.stat(path).st_mode | 0o111)


def _prune_empty_folders(folder: Path, top: Path) -> None:
    """Remove folders a deletion left empty, up to the top of the work tree (as git does)."""
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
