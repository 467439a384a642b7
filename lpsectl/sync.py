"""Exchanging tickets with the other desks through a git remote.

One sync: fetch; merge the remote branch (ticket files by rule through the
``lpsectl`` merge driver, see :mod:`lpsectl.merge`); push; when another desk
pushed in between, fetch, merge and push again. The merge is made in git
before any file is written (:func:`_merge`): one that fails changes
nothing, one killed half-way is finished by the next command.

Only the local steps (committing, merging) hold the helpdesk lock; fetch
and push talk to the network without it, bounded in time, so a remote that
does not answer never blocks the other commands of this desk.
"""

from __future__ import annotations

import os
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from lpsectl import merge, mergedriver, privacy, worktree
from lpsectl.errors import BadInput, Damaged, LpseError, NotFound, Refused
from lpsectl.gitrepo import GitError, GitRepo
from lpsectl.regularfile import kind_of
from lpsectl.store import (
    MERGING_MARK, Helpdesk, atomic_write, end_merge, finish_interrupted_merge, not_regular_problem,
    remove_merge_leftovers,
)
from lpsectl.i18n import _

MAX_ROUNDS = 8
# Push refusals that mean "someone else pushed first": fetch, merge, retry.
_RACE = ("non-fast-forward", "fetch first", "cannot lock ref", "failed to update ref",
         "failed to lock", "incorrect old value", "stale info")

# Fetch failures that mean "another sync of this desk moved the remote's ref
# meanwhile" (fetch runs without the helpdesk lock): fetch again.
_FETCH_RACE = ("cannot lock ref", ".lock': File exists", "incorrect old value")


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
    restored: list[str] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)  # damage that came in
    damaged_here: list[Damaged] = field(default_factory=list)  # damage this desk made, found among what came in
    refused: list[Damaged] = field(default_factory=list)  # damage this desk would have pushed: nothing was
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    # Tickets that came in with events the rules did not allow where the merge put them.
    conflicts: dict[str, int] = field(default_factory=dict)
    rounds: int = 0
    erased: set[str] = field(default_factory=set)  # erasures this sync applied to this clone's history
    pushed: bool = False
    set_up: bool = False


def choose_remote(git: GitRepo, branch: str, name: Optional[str]) -> str:
    remotes = git.remotes()
    if name is not None:
        if name not in remotes:
            if remotes:
                raise BadInput(_("no remote {name!r}; remotes here: {remotes} (git remote -v lists them)")
                               .format(name=name, remotes=", ".join(remotes)))
            raise BadInput(_("no remote {name!r} (git remote -v lists them)").format(name=name))
        return name
    if not remotes:
        raise NotFound(_("no remote: add one with git remote add origin URL, then sync again"))
    upstream, _merge_ref = git.upstream(branch)
    if upstream in remotes:
        return upstream  # type: ignore[return-value]
    if "origin" in remotes:
        return "origin"
    if len(remotes) == 1:
        return remotes[0]
    raise BadInput(_("several remotes ({items}): choose one with --remote NAME").format(items=', '.join(remotes)))


def _fetch(git: GitRepo, remote: str, url: str) -> None:
    for attempt in range(1, MAX_ROUNDS + 1):
        proc = git.fetch(remote)
        if proc.returncode == 0:
            return
        text = proc.stderr + proc.stdout
        if proc.returncode == 124 or attempt == MAX_ROUNDS or not any(word in text for word in _FETCH_RACE):
            break
        time.sleep(random.uniform(0.05, 0.25) * attempt)  # let the other sync of this desk finish
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr.strip() or proc.stdout.strip()).splitlines() if ln.strip()]
        # git's first fatal line says what is wrong; the lines after it are advice.
        fatal = [ln for ln in lines if ln.startswith(("fatal: ", "error: "))]
        why = (fatal or lines or [f"git fetch exited {proc.returncode}"])[0]
        why = why.removeprefix("fatal: ").removeprefix("error: ")
        raise Unreachable(
            _("cannot reach remote {remote!r} ({url}): {why}; check the address (git remote -v) and the "
              "network or shared drive, then sync again; nothing was changed").format(remote=remote, url=url, why=why)
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


def _commit_loose(hd: Helpdesk, git: GitRepo, operator: str) -> tuple[list[str], list[str]]:
    """Put right ticket files that differ from git: (ids committed, ids brought up to date).

    A file one commit behind git (an action killed after its commit, before
    its write) is restored from git: committing it would drop the recorded
    event. A healthy ticket file git does not have, or that was changed by
    hand, is committed. Damaged files and deletions are left for `check`
    and the person, never pushed blindly.
    """
    paths, ids, restored = [], [], []
    for status, rel in git.dirty(hd.tickets_dir):
        if not _is_ticket(hd, git, rel):
            continue
        path = git.root / rel
        if "?" not in status and hd.bring_up_to_date(path):
            restored.append(path.stem.upper())
            continue
        if "D" in status:
            continue
        try:
            t = hd.read(path)
        except Damaged:
            continue
        paths.append(path)
        ids.append(t.id)
    if paths:
        git.commit(paths, f"record {', '.join(ids)} (left uncommitted) before sync", operator)
    return ids, restored


def _merge(hd: Helpdesk, git: GitRepo, head: str, their: str, remote: str, branch: str,
           operator: str) -> list[Renamed]:
    """Merge ``their`` into ``head``: git records the merge first, the files are written after.

    No file is touched until the branch holds the merge (see
    :mod:`lpsectl.worktree`): ``merge-tree`` merges into objects (ticket
    files by the driver), ``commit-tree`` makes the merge commit (and one
    keeping both tickets of an id collision), ``update-ref`` moves the
    branch only if it is still at ``head``. A mark in the git folder holds
    ``head`` meanwhile: a sync killed before the branch moved left nothing
    to undo; one killed after it, files to write, which the next command
    under the lock writes (:func:`lpsectl.store.finish_interrupted_merge`).
    """
    gd = git.git_dir()
    merge.clear_renames(gd)
    mark = gd / MERGING_MARK
    atomic_write(mark, (head + "\n").encode("ascii"))
    try:
        renames: list[Renamed] = []
        fast_forward = git.is_ancestor(head, their)  # nothing here the remote lacks: take its commit
        if fast_forward:
            commit = their
        else:
            merged = git.merge_tree(head, their, env={merge.OUT_OF_TREE: "1"})
            if merged.tree is None or merged.conflicts:
                raise _merge_failure(merged.proc, merged.conflicts, remote, branch)
            commit = git.commit_tree(merged.tree, [head, their], f"sync with {remote}: merge {remote}/{branch}",
                                     operator)
            moved = merge.read_renames(gd)
            if moved:
                renames = [Renamed(old, new, path) for old, new, path, _ in moved]
                desc = ", ".join(f"{r.old_id} -> {r.new_id}" for r in renames)
                tree = git.tree_with(commit, [(path, blob) for _, _, path, blob in moved])
                commit = git.commit_tree(tree, [commit], f"keep both tickets of an id collision: this desk's "
                                         f"{desc}", operator)
        changes = git.tree_changes(head, commit)
        blocked = worktree.in_the_way(git, head, changes)
        if blocked:
            raise Refused(_("sync stopped: uncommitted changes to {items} would be overwritten; commit or move them, "
                            "then sync again; nothing was changed").format(items=', '.join(blocked)))
        git.wait_for_index()  # the files are staged once written: no live git may hold the index then
        how = "fast-forward to" if fast_forward else "merge"
        if not git.move_head(commit, head, f"sync: {how} {remote}/{branch}"):
            raise Refused(_("the branch moved during sync (a git command run meanwhile); sync again; nothing was changed"))
    except BaseException:
        finish_interrupted_merge(hd)  # the branch did not move: drops the mark and git's temporaries
        raise
    # From here the merge is recorded: a failure leaves the mark, and the next command finishes.
    try:
        worktree.bring(git, commit, changes)
    except (OSError, LpseError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise LpseError(_("the merge with {remote}/{branch} is recorded in git, but its files could not all be "
                          "written ({why}); the next lpsectl command writes them").format(remote=remote, branch=branch, why=why)) from None
    end_merge(git)
    return renames


def _merge_failure(proc, conflicts: list[str], remote: str, branch: str) -> LpseError:
    if conflicts:
        return Refused(_unmergeable(conflicts, remote, branch))
    text = proc.stderr.strip() or proc.stdout.strip()
    if "unrelated histories" in text:
        return Refused(
            _("{remote}/{branch} shares no history with this helpdesk: set up a desk by cloning the "
              "remote, then `lpsectl init` inside the clone; nothing was changed").format(remote=remote, branch=branch)
        )
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return GitError(_("git merge failed: {value}; nothing was changed").format(value=lines[-1] if lines else proc.returncode))


def _is_ticket_path(rel: str) -> bool:
    """A path the merge driver merges by rule (``tickets/**/*.yaml``, attachments aside)."""
    slashed = f"/{rel}"
    return rel.endswith(".yaml") and "/tickets/" in slashed and "/attachments/" not in slashed


def _by_hand(rel: str) -> str:
    """The steps, between `git merge` and `git commit`, for one file git cannot merge."""
    if rel.rsplit("/", 1)[-1] == "lpsectl.yaml":
        return (f"keep both desks' settings in {rel} and remove the <<<<<<< ======= >>>>>>> lines "
                f"(`lpsectl check` shows where), `git add {rel}`")
    if "/attachments/" in f"/{rel}":
        return (f"keep both files: `git show :3:{rel} > OTHER-NAME` saves the other desk's beside it, "
                f"`git checkout --ours {rel}` keeps this desk's, `git add` both")
    return f"resolve {rel} (`git status` says how; one desk deleted or moved it), `git add {rel}`"


def _unmergeable(conflicts: list[str], remote: str, branch: str) -> str:
    """What to do about files git could not merge: tickets, lpsectl.yaml, attachments."""
    if any(_is_ticket_path(c) for c in conflicts):
        return (f"sync stopped: {', '.join(conflicts)} could not be merged by rule (a damaged file, "
                "or not a ticket); nothing was changed; run `lpsectl check`, repair it, commit, and "
                "sync again")
    return (f"sync stopped: {', '.join(conflicts)} changed on this desk and on {remote} in ways git "
            f"cannot merge; nothing was changed; merge by hand: `git merge {remote}/{branch}`, "
            + "; ".join(_by_hand(c) for c in conflicts) + "; then `git commit` and `lpsectl sync`")


def _irregular(entries: list[tuple[str, str, str]]) -> list[str]:
    """Paths that a tree has as a symlink (mode 120000) or a submodule (160000): no file lpsectl reads."""
    return [rel for letter, mode, rel in entries if letter != "D" and mode in ("120000", "160000")]


def _mode_kind(mode: str) -> str:
    return "a submodule" if mode == "160000" else kind_of(0o120000)


def _refuse_irregular_incoming(hd: Helpdesk, git: GitRepo, head: str, their: str, remote: str,
                               branch: str) -> None:
    """A symlink (to /dev/zero, say) must not reach this desk: it would be read by every command."""
    base = git.merge_base(head, their) or git.empty_tree()
    entries = git.changed_entries(base, their, hd.root)
    bad = _irregular(entries)
    if bad:
        modes = {rel: mode for _, mode, rel in entries}
        what = ", ".join(f"{rel} ({_mode_kind(modes[rel])})" for rel in bad)
        raise Refused(_("sync stopped: {remote}/{branch} has {what}: not a regular file, which no desk may take "
                        "in; nothing came in from it; on the desk that committed it, `git rm` it, commit and sync, "
                        "then sync here again").format(remote=remote, branch=branch, what=what))


def _check_outgoing(hd: Helpdesk, git: GitRepo, their: Optional[str], head: str) -> list[Damaged]:
    """The damage this desk would push: a ticket that does not read, a symlink.

    Nothing of it may leave: the other desks would each get the error (or
    a symlink to /dev/zero). Files as committed are checked: the work tree
    where it matches HEAD (through the cache), else the committed blob.
    """
    entries = git.changed_entries(their or git.empty_tree(), head, hd.root)
    irregular = set(_irregular(entries))
    damaged = [Damaged(hd.rel(git.root / rel), None, not_regular_problem(_mode_kind(mode)))
               for _, mode, rel in entries if rel in irregular]
    tickets = [rel for letter, _, rel in entries
               if letter != "D" and rel not in irregular and _is_ticket(hd, git, rel)]
    if not tickets:
        return damaged
    dirty = {rel for _, rel in git.dirty(hd.tickets_dir)}
    damaged += hd.load_files([git.root / rel for rel in tickets if rel not in dirty]).damaged
    for rel in (r for r in tickets if r in dirty):
        path = git.root / rel
        try:
            t = hd.parse_committed(head, rel)
            if t is not None and path.parent != hd.path_for(t.id).parent:
                raise Damaged(hd.rel(path), 2, _("ticket {id} belongs in {value}").format(id=t.id, value=hd.rel(hd.path_for(t.id))))
        except Damaged as exc:
            damaged.append(exc)
    return damaged


def _was_damaged(hd: Helpdesk, commit: str, rel: str) -> bool:
    """Whether this desk's own version of ``rel`` (in ``commit``) was already damaged."""
    try:
        hd.parse_committed(commit, rel)
    except Damaged:
        return True
    return False


def _changes(hd: Helpdesk, git: GitRepo, a: str, b: str) -> list[Change]:
    words = {"A": "new", "M": "changed", "T": "changed", "D": "removed"}
    out = []
    for letter, rel in git.changed_files(a, b, hd.tickets_dir):
        if _is_ticket(hd, git, rel):
            out.append(Change(Path(rel).stem.upper(), rel, words.get(letter, "changed")))
    return out


def _validate(hd: Helpdesk, git: GitRepo, result: SyncResult, start: Optional[str] = None) -> None:
    """Read every ticket that came in; find ids now held by two files.

    What went out was written here (by lpsectl, which checks what it
    writes): its ids are checked, its content is left to `check`.
    """
    incoming = {c.path for c in result.incoming if c.status != "removed"}
    touched = incoming | {c.path for c in result.outgoing if c.status != "removed"}
    refused = {d.path for d in result.refused}
    for rel in sorted(incoming):
        try:
            t = hd.read(git.root / rel)
        except Damaged as exc:
            if exc.path in refused:
                continue  # reported as this desk's, not pushed
            if start is not None and _was_damaged(hd, start, rel):
                result.damaged_here.append(exc)  # broken here before the sync: it did not "come in"
            else:
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


@dataclass
class Unmergeable:
    """A file `sync` would stop on, with the remote branch as last fetched (for `check`)."""

    path: str  # from the git top
    line: Optional[int]
    problem: str


def unmergeable(hd: Helpdesk) -> list[Unmergeable]:
    """What a merge with the remote branch (as last fetched; no network) cannot do by rule.

    Files git cannot merge (lpsectl.yaml changed on both sides, two
    different files under one attachment name, a ticket deleted on one side
    and changed on the other), and tickets changed on both sides whose
    remote version does not read (the merge driver cannot merge those).
    """
    git = hd.git
    if git is None:
        return []
    branch = git.current_branch()
    head = git.head()
    if branch is None or head is None or git.operation_in_progress():
        return []
    try:
        remote = choose_remote(git, branch, None)
    except LpseError:
        return []  # no remote: nothing to merge with
    up_remote, up_branch = git.upstream(branch)
    rbranch = up_branch if up_remote == remote and up_branch else branch
    their = git.rev_parse(f"refs/remotes/{remote}/{rbranch}")
    if their is None or git.is_ancestor(their, head):
        return []
    where = f"{remote}/{rbranch}"
    out: list[Unmergeable] = []
    # Ticket files merge by rule through the driver: taken as merged here, checked below.
    inside = os.path.relpath(hd.root, git.root).replace(os.sep, "/")
    for rel in git.merge_conflicts(head, their, resolved_by_driver=mergedriver.DRIVER_NAME) or []:
        if inside != "." and not rel.startswith(inside + "/"):
            continue  # the helpdesk is one folder of a larger repository: not ours to judge
        if "/attachments/" in f"/{rel}":
            what = f"this desk and {where} each have a different file under this attachment name"
        else:
            what = f"changed on this desk and on {where} in ways git cannot merge"
        out.append(Unmergeable(rel, None, f"{what}: `lpsectl sync` stops on it; merge it by hand: "
                                          f"`git merge {where}`, {_by_hand(rel)}, `git commit`, then "
                                          "`lpsectl sync`"))
    base = git.merge_base(head, their)
    if base is None:
        return out
    ours = {rel for letter, rel in git.changed_files(base, head, hd.tickets_dir)}
    for letter, rel in git.changed_files(base, their, hd.tickets_dir):
        if letter == "D" or rel not in ours or not _is_ticket(hd, git, rel):
            continue
        try:
            hd.parse_committed(their, rel)
        except Damaged as exc:
            out.append(Unmergeable(rel, exc.line, f"{exc.problem} in {where}'s version, which this desk "
                                   "changed too: `lpsectl sync` cannot merge it by rule; the desk that "
                                   "broke it must repair it, commit and sync, then sync here"))
    return out


def require_git(hd: Helpdesk) -> GitRepo:
    if hd.git is None:
        raise Refused(_("{root} is not in a git repository: there is nothing to sync; run `git init` there, then "
                        "`lpsectl init`").format(root=hd.root))
    return hd.git


def _ready(git: GitRepo) -> str:
    """The branch to sync; refused where git is in the middle of something. Under the lock."""
    if git.merge_in_progress():
        raise Refused(_("a git merge is in progress in this clone: finish it (git commit) or undo it (git merge "
                        "--abort), then sync again"))
    busy = git.operation_in_progress()
    if busy:
        raise Refused(_("git is in the middle of {busy} in this clone: finish it or abort it (git status says "
                        "how), then sync again; nothing was changed").format(busy=busy))
    branch = git.current_branch()
    if branch is None:
        raise Refused(_("this clone is not on a branch (detached HEAD): switch to the helpdesk's branch (`git branch` "
                        "lists them, `git switch NAME`), then sync again"))
    if git.head() is None:
        raise Refused(_("this helpdesk has no commit yet: run `lpsectl init` first"))
    return branch


def _push_refused(proc, remote: str, url: str) -> GitError:
    """The push's failure with the remote's own words (a server hook's reason)."""
    lines = [ln.strip() for ln in (proc.stderr + "\n" + proc.stdout).splitlines() if ln.strip()]
    said = [ln[len("remote:"):].strip() for ln in lines if ln.startswith("remote:")]
    said = [ln for ln in said if ln]
    errors = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    why = (errors[-1] if errors else str(proc.returncode)).removeprefix("fatal: ").removeprefix("error: ")
    if said:
        why = f"the remote said: {' / '.join(said[:10])}"
    return GitError(_("cannot push to {remote!r} ({url}): {why}; the tickets are merged here, sync again when "
                      "the remote accepts pushes").format(remote=remote, url=url, why=why))


def sync(hd: Helpdesk, operator: str, remote_name: Optional[str] = None) -> SyncResult:
    git = require_git(hd)
    with hd.locked(recording=False):
        branch = _ready(git)
        remote = choose_remote(git, branch, remote_name)
        url = git.remote_url(remote) or remote
        up_remote, up_branch = git.upstream(branch)
        remove_merge_leftovers(git.root)
    rbranch = up_branch if up_remote == remote and up_branch else branch
    result = SyncResult(remote, url)
    remote_ref = f"refs/remotes/{remote}/{rbranch}"
    their: Optional[str] = None
    head: Optional[str] = None
    start: Optional[str] = None
    for rounds in range(1, MAX_ROUNDS + 1):
        result.rounds = rounds
        _fetch(git, remote, url)  # no lock: fetch moves only the remote's refs
        with hd.locked(recording=False):
            if _ready(git) != branch:
                raise Refused(_("the branch changed to {value} during sync; sync again").format(value=git.current_branch()))
            if rounds == 1:  # the remote is reachable: from here on we may change things
                changed = merge.setup(hd)
                if changed:
                    git.commit(changed, "set up merging of tickets between desks", operator)
                    result.set_up = True
                result.committed, result.restored = _commit_loose(hd, git, operator)
                start = git.head()
            their = git.rev_parse(remote_ref)
            replacing: Optional[str] = None
            # Erasures either side knows are applied to both histories before they meet.
            result.erased |= privacy.catch_up(git, hd, git.head(), their)
            rewritten = git.rev_parse(remote_ref)
            if rewritten != their:
                replacing, their = their, rewritten
            head = git.head()
            assert head is not None
            if their and not git.is_ancestor(their, head):
                _refuse_irregular_incoming(hd, git, head, their, remote, rbranch)
                result.renamed += _merge(hd, git, head, their, remote, rbranch, operator)
                after = git.head()
                assert after is not None
                result.incoming += _changes(hd, git, head, after)
                head = after
            if their != head:
                result.refused = _check_outgoing(hd, git, their, head)
        if their == head and replacing is None:
            break  # nothing of ours the remote lacks
        if result.refused:
            break  # push nothing: no other desk may receive this desk's damage
        proc = git.push(remote, head, rbranch, replacing)  # no lock: the commit is pushed, not the branch
        if proc.returncode == 0:
            result.pushed = True
            break
        text = proc.stderr + proc.stdout
        if proc.returncode == 124 or not any(word in text for word in _RACE):
            raise _push_refused(proc, remote, url)
        time.sleep(random.uniform(0.05, 0.25) * rounds)  # let the other desk finish
    else:
        raise LpseError(_("other desks kept pushing to {remote!r} during {MAX_ROUNDS} tries; the tickets are merged "
                          "here, run `lpsectl sync` again").format(remote=remote, MAX_ROUNDS=MAX_ROUNDS))

    if result.pushed:
        with hd.locked(recording=False):
            git.update_ref(remote_ref, head)
            if up_remote is None:
                git.set_config(f"branch.{branch}.remote", remote)
                git.set_config(f"branch.{branch}.merge", f"refs/heads/{rbranch}")
        result.outgoing = _changes(hd, git, their or git.empty_tree(), head)
    renamed_paths = {r.path for r in result.renamed}
    renamed_old = {r.old_id for r in result.renamed}
    seen: dict[str, Change] = {}
    for c in result.incoming:
        if c.path not in renamed_paths and c.id not in renamed_old:
            seen.setdefault(c.path, c)  # as it first came in: "new" stays new
    result.incoming = list(seen.values())
    _validate(hd, git, result, start)
    return result
