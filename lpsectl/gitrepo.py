"""Every git call of lpsectl: argument lists, never a shell."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from lpsectl.errors import LpseError


# Above this many paths a commit is built without pathspecs (see _commit_many).
MANY_PATHS = 200


class GitError(LpseError):
    """git refused or failed."""


@dataclass
class CommitInfo:
    sha: str
    author: str
    email: str
    at: str
    subject: str


def _run(args: Sequence[str], cwd: Path, env: Optional[dict] = None, check: bool = True,
         input: Optional[str] = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.setdefault("LC_ALL", "C")
    full_env["GIT_TERMINAL_PROMPT"] = "0"
    if env:
        full_env.update(env)
    try:
        proc = subprocess.run(
            ["git", *args], cwd=str(cwd), env=full_env, input=input,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", errors="replace",
        )
    except FileNotFoundError:
        raise GitError("git is not installed; install git or work outside a repository") from None
    if check and proc.returncode != 0:
        msg = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise GitError(f"git {args[0]} failed: {msg[-1] if msg else proc.returncode}")
    return proc


def _failed(args: Sequence[str], proc: subprocess.CompletedProcess) -> GitError:
    msg = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
    return GitError(f"git {args[0]} failed: {msg[-1] if msg else proc.returncode}")


def git_available() -> bool:
    try:
        subprocess.run(["git", "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return True
    except OSError:
        return False


def find_root(path: Path) -> Optional[Path]:
    """The top of the git work tree holding ``path``, or None."""
    for p in (path, *path.parents):
        if (p / ".git").exists():
            return p
    return None


def init(path: Path) -> None:
    _run(["init", "-q"], path)


class GitRepo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._identity: Optional[dict[str, str]] = None

    def run(self, *args: str, check: bool = True, env: Optional[dict] = None,
            input: Optional[str] = None) -> subprocess.CompletedProcess:
        return _run(args, self.root, env=env, check=check, input=input)

    def config(self, key: str) -> Optional[str]:
        proc = self.run("config", "--get", key, check=False)
        value = proc.stdout.strip()
        return value or None

    def identity(self) -> dict[str, str]:
        if self._identity is None:
            proc = self.run("config", "--get-regexp", r"^user\.(name|email)$", check=False)
            ident = {}
            for line in proc.stdout.splitlines():
                key, _, value = line.partition(" ")
                ident[key] = value
            self._identity = ident
        return self._identity

    def user_name(self) -> Optional[str]:
        return self.identity().get("user.name")

    def commit(self, paths: Sequence[Path], message: str, operator: str) -> bool:
        """Commit exactly ``paths`` (added, changed or removed) as ``operator``.

        Other staged or dirty files stay as they are: the commit names its
        paths (git's ``--only``). False when nothing changed.
        """
        rel = [os.path.relpath(p, self.root) for p in paths]
        ident = self.identity()
        email = ident.get("user.email", "")
        env = {"GIT_AUTHOR_NAME": operator, "GIT_AUTHOR_EMAIL": email}
        if "user.name" not in ident:
            env["GIT_COMMITTER_NAME"] = operator
        if "user.email" not in ident:
            env["GIT_COMMITTER_EMAIL"] = email
        if len(rel) > MANY_PATHS:
            return self._commit_many(rel, message, env)
        # Each git process reads (and add writes) an index of every ticket,
        # so an action runs as few as it can: `commit --only` stages the
        # paths git knows itself; only a new file needs `add` first.
        known = set(self.run("ls-files", "-z", "--", *rel).stdout.split("\0"))
        if any(p.replace(os.sep, "/") not in known for p in rel):
            self._retry(["add", "-A", "--", *rel])
        proc = self._try(["commit", "-q", "--no-verify", "-m", message, "--only", "--", *rel], env=env)
        if proc.returncode == 0:
            return True
        # git refuses a commit that changes nothing: asked only now, as that
        # is rare, with the paths staged as they are (as `--only` stages them).
        self._retry(["add", "-A", "--", *rel])
        if not self.run("status", "--porcelain", "--", *rel).stdout.strip():
            return False
        raise _failed(["commit"], proc)

    def restage(self, paths: Sequence[Path]) -> None:
        """Stage ``paths`` as they now are: after a failed commit put back, the index is as before."""
        self._retry(["add", "-A", "--", *[os.path.relpath(p, self.root) for p in paths]])

    def _commit_many(self, rel: list[str], message: str, env: dict) -> bool:
        """``commit --only`` for a bulk import: paths on stdin, no pathspec matching.

        git matches every path against every pathspec, which takes minutes
        for 100,000 paths (and the list would not fit on a command line), so
        the commit is built as ``commit --only`` builds it: the paths staged
        in the real index and in a temporary index read from HEAD, whose
        tree becomes the commit.
        """
        import tempfile

        listing = "".join(p.replace(os.sep, "/") + "\0" for p in rel)
        update = ["update-index", "--add", "--remove", "-z", "--stdin"]
        self._retry(update, input=listing)
        head = self.run("rev-parse", "--verify", "-q", "HEAD", check=False).stdout.strip()
        with tempfile.TemporaryDirectory(prefix="lpsectl-index-") as tmp:
            tmp_env = dict(env, GIT_INDEX_FILE=os.path.join(tmp, "index"))
            self.run("read-tree", *([head] if head else ["--empty"]), env=tmp_env)
            self.run(*update, env=tmp_env, input=listing)
            tree = self.run("write-tree", env=tmp_env).stdout.strip()
        if head and tree == self.run("rev-parse", f"{head}^{{tree}}").stdout.strip():
            return False
        sha = self.run("commit-tree", tree, *(["-p", head] if head else []), "-m", message, env=env).stdout.strip()
        self.run("update-ref", "-m", f"commit: {message.splitlines()[0]}", "HEAD", sha, *([head] if head else []))
        return True

    def _retry(self, args: list[str], env: Optional[dict] = None, input: Optional[str] = None) -> None:
        """Run git, waiting out an ``index.lock`` held by another git process."""
        proc = self._try(args, env=env, input=input)
        if proc.returncode != 0:
            raise _failed(args, proc)

    def _try(self, args: list[str], env: Optional[dict] = None,
             input: Optional[str] = None) -> subprocess.CompletedProcess:
        """:meth:`_retry` that hands back the failed process instead of raising."""
        for attempt in range(50):
            proc = self.run(*args, check=False, env=env, input=input)
            if proc.returncode == 0 or "index.lock" not in proc.stderr:
                break
            if attempt < 49:
                time.sleep(0.1 + 0.02 * attempt)
        return proc

    def log(self, path: Path) -> list[CommitInfo]:
        """Every commit that changed ``path``, newest first, merges that changed it included.

        ``--full-history``: git's default simplification follows only the
        parent of a merge the file equals, and so hides a commit from
        another desk (a hand edit, say) whose change came in through a
        sync's merge. A merge is listed when it changed the file on the
        branch it was made on (its first parent): where another desk's
        change reached this line.
        """
        rel = os.path.relpath(path, self.root)
        proc = self.run("log", "--full-history", "--diff-merges=first-parent", "--name-only",
                        "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s", "--", rel)
        out = []
        for chunk in proc.stdout.split("\x1e")[1:]:
            head, _, names = chunk.partition("\n")
            parts = head.split("\x1f")
            # A merge whose first parent already had this file's content lists no name.
            if len(parts) == 5 and names.strip():
                out.append(CommitInfo(*parts))
        return out

    # -- sharing through a remote (sync) ----------------------------------
    def git_dir(self) -> Path:
        dot = self.root / ".git"
        if dot.is_dir():
            return dot
        out = self.run("rev-parse", "--git-dir").stdout.strip()
        return (self.root / out).resolve()

    def set_config(self, key: str, value: str) -> None:
        self._retry(["config", key, value])

    def head(self) -> Optional[str]:
        return self.rev_parse("HEAD")

    def rev_parse(self, ref: str) -> Optional[str]:
        proc = self.run("rev-parse", "--verify", "-q", ref + "^{commit}", check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.strip() or None

    def current_branch(self) -> Optional[str]:
        proc = self.run("symbolic-ref", "-q", "--short", "HEAD", check=False)
        return proc.stdout.strip() or None

    def remotes(self) -> list[str]:
        return self.run("remote").stdout.split()

    def remote_url(self, name: str) -> Optional[str]:
        return self.config(f"remote.{name}.url")

    def upstream(self, branch: str) -> tuple[Optional[str], Optional[str]]:
        """The remote and remote branch name ``branch`` tracks, if any."""
        remote = self.config(f"branch.{branch}.remote")
        merge = self.config(f"branch.{branch}.merge")
        if merge and merge.startswith("refs/heads/"):
            merge = merge[len("refs/heads/"):]
        return remote, merge

    def fetch(self, remote: str) -> subprocess.CompletedProcess:
        """Fetch ``remote`` (no tags: tickets travel on the branch); caller checks."""
        return self.run("fetch", "--quiet", "--no-tags", remote, check=False)

    def is_ancestor(self, a: str, b: str) -> bool:
        return self.run("merge-base", "--is-ancestor", a, b, check=False).returncode == 0

    def merge_base(self, a: str, b: str) -> Optional[str]:
        proc = self.run("merge-base", a, b, check=False)
        return proc.stdout.strip() or None

    def merge(self, ref: str, message: str, operator: str) -> subprocess.CompletedProcess:
        """``git merge`` with no editor, authored by ``operator``; caller checks."""
        ident = self.identity()
        env = {"GIT_AUTHOR_NAME": operator, "GIT_AUTHOR_EMAIL": ident.get("user.email", ""),
               "GIT_MERGE_AUTOEDIT": "no"}
        if "user.name" not in ident:
            env["GIT_COMMITTER_NAME"] = operator
        if "user.email" not in ident:
            env["GIT_COMMITTER_EMAIL"] = env["GIT_AUTHOR_EMAIL"]
        return self.run("merge", "--no-edit", "--no-stat", "-q", "-m", message, ref,
                        check=False, env=env)

    def conflicted(self) -> list[str]:
        return self.run("diff", "--name-only", "--diff-filter=U", check=False).stdout.splitlines()

    def merge_in_progress(self) -> bool:
        return (self.git_dir() / "MERGE_HEAD").exists()

    def operation_in_progress(self) -> Optional[str]:
        """The git operation this clone is in the middle of ("a rebase", ...), or None."""
        gd = self.git_dir()
        for name, what in (("rebase-merge", "a rebase"), ("rebase-apply", "a rebase"),
                           ("MERGE_HEAD", "a merge"), ("CHERRY_PICK_HEAD", "a cherry-pick"),
                           ("REVERT_HEAD", "a revert")):
            if (gd / name).exists():
                return what
        return None

    def merge_abort(self) -> None:
        if self.merge_in_progress():
            self.run("merge", "--abort", check=False)

    def push(self, remote: str, branch: str, remote_branch: str, set_upstream: bool
             ) -> subprocess.CompletedProcess:
        args = ["push", "--quiet", "--porcelain"] + (["-u"] if set_upstream else [])
        return self.run(*args, remote, f"refs/heads/{branch}:refs/heads/{remote_branch}", check=False)

    def empty_tree(self) -> str:
        return self.run("hash-object", "-t", "tree", "--stdin", input="").stdout.strip()

    def changed_files(self, a: str, b: str, under: Path) -> list[tuple[str, str]]:
        """(status letter, path from the top) of files under ``under`` that differ from a to b."""
        rel = os.path.relpath(under, self.root)
        proc = self.run("diff", "--name-status", "--no-renames", "-z", a, b, "--", rel)
        parts = proc.stdout.split("\0")
        return [(parts[i][:1], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]

    def dirty(self, under: Path) -> list[tuple[str, str]]:
        """(porcelain status, path from the top) of uncommitted files under ``under``."""
        rel = os.path.relpath(under, self.root)
        proc = self.run("status", "--porcelain", "-z", "--no-renames", "--untracked-files=all",
                        "--", rel)
        out = []
        for entry in proc.stdout.split("\0"):
            if len(entry) > 3:
                out.append((entry[:2], entry[3:]))
        return out

    def status_snapshot(self, under: Path) -> tuple[str, list[str]]:
        """HEAD ("" before the first commit) and the files under ``under`` that differ from it.

        One ``git status``: staged, modified, deleted, untracked and ignored
        files alike, paths from the top. It takes no lock and writes nothing
        (``GIT_OPTIONAL_LOCKS=0``), so readers never disturb a writer.
        """
        rel = os.path.relpath(under, self.root)
        proc = self.run("status", "--porcelain=v2", "-z", "--branch", "--no-renames",
                        "--untracked-files=all", "--ignored=matching", "--", rel,
                        env={"GIT_OPTIONAL_LOCKS": "0"})
        head = ""
        paths = []
        for entry in proc.stdout.split("\0"):
            if entry.startswith("# branch.oid "):
                oid = entry[len("# branch.oid "):]
                head = "" if oid == "(initial)" else oid
            elif entry[:2] in ("1 ", "u "):
                paths.append(entry.split(" ", 8 if entry[0] == "1" else 10)[-1])
            elif entry[:2] in ("? ", "! "):
                paths.append(entry[2:])
        return head, paths

    def staged_blobs(self, under: Path) -> list[tuple[str, str]]:
        """(path from the top, blob id) of every file git's index holds under ``under``."""
        rel = os.path.relpath(under, self.root)
        proc = self.run("ls-files", "-s", "-z", "--", rel)
        out = []
        for entry in proc.stdout.split("\0"):
            info, tab, path = entry.partition("\t")
            if tab:
                out.append((path, info.split(" ")[1]))
        return out


def merge_file(ours: Path, base: Path, theirs: Path, label: str) -> int:
    """git's line merge of three files into ``ours``; the number of conflicts."""
    proc = _run(["merge-file", "-L", f"{label} (this desk)", "-L", f"{label} (base)",
                 "-L", f"{label} (other desk)", str(ours), str(base), str(theirs)],
                Path.cwd(), check=False)
    return proc.returncode if proc.returncode >= 0 else 1


def git_dir_of(path: Path) -> Path:
    out = _run(["rev-parse", "--git-dir"], path).stdout.strip()
    return (path / out).resolve()
