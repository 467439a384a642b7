"""Exchanging tickets with the other desks through a git remote.

One sync, under the helpdesk lock: fetch; merge the remote branch (ticket
files by rule through the ``lpsectl`` merge driver, see :mod:`lpsectl.merge`);
push; when another desk pushed in between, fetch, merge and push again.
A merge that still conflicts is aborted, so the clone is as before.
"""

from __future__ import annotations

import os
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from lpsectl import merge
from lpsectl.errors import BadInput, Damaged, LpseError, NotFound, Refused
from lpsectl.gitrepo import GitError, GitRepo
from lpsectl.store import Helpdesk

MAX_ROUNDS = 8
# Push refusals that mean "someone else pushed first": fetch, merge, retry.
_RACE = ("non-fast-forward", "fetch first", "cannot lock ref", "failed to update ref",
         "failed to lock", "incorrect old value", "stale info")


class Unreachable(LpseError):
    """The remote cannot be reached; nothing was changed."""


@dataclass
class Change:
    id: str
    path: str
    status: str  # "new", "changed" or "removed"


@dataclass
class Renamed:
    old_id: str
    new_id: str
    path: str


@dataclass
class SyncResult:
    remote: str
    url: str
    incoming: list[Change] = field(default_factory=list)
    outgoing: list[Change] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    # Tickets that came in with events the rules did not allow where the merge put them.
    conflicts: dict[str, int] = field(default_factory=dict)
    rounds: int = 0
    pushed: bool = False
    set_up: bool = False


def choose_remote(git: GitRepo, branch: str, name: Optional[str]) -> str:
    remotes = git.remotes()
    if name is not None:
        if name not in remotes:
            known = f"; remotes here: {', '.join(remotes)}" if remotes else ""
            raise BadInput(f"no remote {name!r}{known} (git remote -v lists them)")
        return name
    if not remotes:
        raise NotFound("no remote: add one with git remote add origin URL, then sync again")
    upstream, _ = git.upstream(branch)
    if upstream in remotes:
        return upstream  # type: ignore[return-value]
    if "origin" in remotes:
        return "origin"
    if len(remotes) == 1:
        return remotes[0]
    raise BadInput(f"several remotes ({', '.join(remotes)}): choose one with --remote NAME")


def _fetch(git: GitRepo, remote: str, url: str) -> None:
    proc = git.fetch(remote)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr.strip() or proc.stdout.strip()).splitlines() if ln.strip()]
        # git's first fatal line says what is wrong; the lines after it are advice.
        fatal = [ln for ln in lines if ln.startswith(("fatal: ", "error: "))]
        why = (fatal or lines or [f"git fetch exited {proc.returncode}"])[0]
        why = why.removeprefix("fatal: ").removeprefix("error: ")
        raise Unreachable(
            f"cannot reach remote {remote!r} ({url}): {why}; check the address "
            "(git remote -v) and the network or shared drive, then sync again; nothing was changed"
        )


def _is_ticket(hd: Helpdesk, git: GitRepo, rel: str) -> bool:
    p = Path(rel)
    if p.suffix != ".yaml" or p.name.startswith("."):
        return False
    tickets = Path(os.path.relpath(hd.tickets_dir, git.root))
    try:
        inside = p.relative_to(tickets)
    except ValueError:
        return False
    return "attachments" not in inside.parts[:-1]


def _commit_loose(hd: Helpdesk, git: GitRepo, operator: str) -> list[str]:
    """Commit ticket files left uncommitted (a crash between save and commit).

    Only files that read as healthy tickets; damaged ones and deletions are
    left for `check` and the person, never pushed blindly.
    """
    paths, ids = [], []
    for status, rel in git.dirty(hd.tickets_dir):
        if "D" in status or not _is_ticket(hd, git, rel):
            continue
        path = git.root / rel
        try:
            t = hd.read(path)
        except Damaged:
            continue
        paths.append(path)
        ids.append(t.id)
    if paths:
        git.commit(paths, f"record {', '.join(ids)} (left uncommitted) before sync", operator)
    return ids


def _merge(git: GitRepo, ref: str, remote: str, branch: str, operator: str) -> list[Renamed]:
    """Merge ``ref``; on a conflict put everything back and say which file."""
    gd = git.git_dir()
    merge.clear_renames(gd)
    proc = git.merge(ref, f"sync with {remote}: merge {remote}/{branch}", operator)
    renames = [Renamed(*r) for r in merge.read_renames(gd)]
    if proc.returncode != 0:
        conflicts = git.conflicted()
        git.merge_abort()
        for r in renames:  # the driver's new files are no part of the old state
            try:
                os.unlink(git.root / r.path)
            except OSError:
                pass
        merge.clear_renames(gd)
        if conflicts:
            raise Refused(
                f"sync stopped: {', '.join(conflicts)} could not be merged by rule (a damaged file, "
                "or not a ticket); nothing was changed; run `lpsectl check`, repair it, commit, and "
                "sync again"
            )
        text = proc.stderr.strip() or proc.stdout.strip()
        if "unrelated histories" in text:
            raise Refused(
                f"{remote}/{branch} shares no history with this helpdesk: set up a desk by cloning "
                "the remote, then `lpsectl init` inside the clone; nothing was changed"
            )
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if "would be overwritten" in text:
            files = [ln.strip() for ln in lines if ln.startswith(("\t", " "))]
            raise Refused(
                f"sync stopped: uncommitted changes to {', '.join(files) or 'some files'} would be "
                "overwritten; commit or move them, then sync again; nothing was changed"
            )
        raise GitError(f"git merge failed: {lines[-1] if lines else proc.returncode}; nothing was changed")
    if renames:
        desc = ", ".join(f"{r.old_id} -> {r.new_id}" for r in renames)
        git.commit([git.root / r.path for r in renames],
                   f"keep both tickets of an id collision: this desk's {desc}", operator)
    merge.clear_renames(gd)
    return renames


def _changes(hd: Helpdesk, git: GitRepo, a: str, b: str) -> list[Change]:
    words = {"A": "new", "M": "changed", "T": "changed", "D": "removed"}
    out = []
    for letter, rel in git.changed_files(a, b, hd.tickets_dir):
        if _is_ticket(hd, git, rel):
            out.append(Change(Path(rel).stem.upper(), rel, words.get(letter, "changed")))
    return out


def _validate(hd: Helpdesk, git: GitRepo, result: SyncResult) -> None:
    """Read every ticket that came in; find ids now held by two files.

    What went out was written here (by lpsectl, which checks what it
    writes): its ids are checked, its content is left to `check`.
    """
    incoming = {c.path for c in result.incoming if c.status != "removed"}
    touched = incoming | {c.path for c in result.outgoing if c.status != "removed"}
    for rel in sorted(incoming):
        try:
            t = hd.read(git.root / rel)
        except Damaged as exc:
            result.damaged.append(exc)
            continue
        conflicts = t.conflicts()
        if conflicts:
            result.conflicts[t.id] = len(conflicts)
    ids = {Path(p).stem.upper() for p in touched}
    if not ids:
        return
    where: dict[str, list[str]] = defaultdict(list)
    for path in hd.ticket_files():
        stem = path.stem.upper()
        if stem in ids:
            where[stem].append(hd.rel(path))
    result.duplicates = {tid: paths for tid, paths in sorted(where.items()) if len(paths) > 1}


def sync(hd: Helpdesk, operator: str, remote_name: Optional[str] = None) -> SyncResult:
    git = hd.git
    if git is None:
        raise Refused(f"{hd.root} is not in a git repository: there is nothing to sync; "
                      "run `git init` there, then `lpsectl init`")
    with hd.locked():
        if git.merge_in_progress():
            raise Refused("a git merge is in progress in this clone: finish it (git commit) or "
                          "undo it (git merge --abort), then sync again")
        busy = git.operation_in_progress()
        if busy:
            raise Refused(f"git is in the middle of {busy} in this clone: finish it or abort it "
                          "(git status says how), then sync again; nothing was changed")
        branch = git.current_branch()
        if branch is None:
            raise Refused("this clone is not on a branch (detached HEAD): switch to the helpdesk's "
                          "branch (`git branch` lists them, `git switch NAME`), then sync again")
        if git.head() is None:
            raise Refused("this helpdesk has no commit yet: run `lpsectl init` first")
        remote = choose_remote(git, branch, remote_name)
        url = git.remote_url(remote) or remote
        up_remote, up_branch = git.upstream(branch)
        rbranch = up_branch if up_remote == remote and up_branch else branch
        result = SyncResult(remote, url)
        _fetch(git, remote, url)  # the remote is reachable: from here on we may change things

        changed = merge.setup(hd)
        if changed:
            git.commit(changed, "set up merging of tickets between desks", operator)
            result.set_up = True
        result.committed = _commit_loose(hd, git, operator)

        start = git.head()
        assert start is not None
        remote_ref = f"refs/remotes/{remote}/{rbranch}"
        their: Optional[str] = None
        for rounds in range(1, MAX_ROUNDS + 1):
            result.rounds = rounds
            if rounds > 1:
                _fetch(git, remote, url)
            their = git.rev_parse(remote_ref)
            head = git.head()
            assert head is not None
            if their and not git.is_ancestor(their, head):
                result.renamed += _merge(git, remote_ref, remote, rbranch, operator)
                head = git.head()
                assert head is not None
            if their == head:
                break  # nothing of ours the remote lacks
            proc = git.push(remote, branch, rbranch, set_upstream=up_remote is None)
            if proc.returncode == 0:
                result.pushed = True
                break
            text = proc.stderr + proc.stdout
            if not any(word in text for word in _RACE):
                lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
                why = (lines[-1] if lines else str(proc.returncode)).removeprefix("fatal: ")
                raise GitError(f"cannot push to {remote!r} ({url}): {why}; the tickets are merged "
                               "here, sync again when the remote accepts pushes")
            time.sleep(random.uniform(0.05, 0.25) * rounds)  # let the other desk finish
        else:
            raise LpseError(f"other desks kept pushing to {remote!r} during {MAX_ROUNDS} tries; "
                            "the tickets are merged here, run `lpsectl sync` again")

        final = git.head()
        assert final is not None
        renamed_paths = {r.path for r in result.renamed}
        renamed_old = {r.old_id for r in result.renamed}
        if final != start:
            result.incoming = [c for c in _changes(hd, git, start, final)
                               if c.path not in renamed_paths and c.id not in renamed_old]
        if result.pushed:
            result.outgoing = _changes(hd, git, their or git.empty_tree(), final)
        _validate(hd, git, result)
    return result
