"""Every git call of lpsectl: argument lists, never a shell."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Optional, Sequence, Union

from lpsectl.errors import LpseError
from lpsectl.i18n import _

# subprocess is imported where git runs: a command that runs no git (show) spares it.
if TYPE_CHECKING:
    import subprocess

    from lpsectl.gitlook import Look
    from lpsectl.gitrecords import CommitInfo, MergedTree, PathState, TreeChange


# Above this many paths a commit is built without pathspecs (see _commit_many).
MANY_PATHS = 200
# An index.lock younger than this may belong to a git that has just started.
INDEX_LOCK_GRACE = 2.0
# Where no process table can be read: an index.lock this old is left by a dead git.
INDEX_LOCK_STALE_AFTER = 60.0
# How long to wait for an index.lock a live git holds before giving up and naming it.
INDEX_LOCK_WAIT = 10.0
# Network work (fetch, push) that has not finished in this many seconds is
# stopped; a remote that does not answer must not hang a desk.
NETWORK_TIMEOUT = 600.0
# git names its index.lock alike when another git holds it and when it cannot
# make one; waiting helps only the first.
_CANNOT_LOCK = ("No space left on device", "Read-only file system", "Permission denied",
                "Disk quota exceeded")


class GitError(LpseError):
    """git refused or failed."""


class Detached(GitError):
    """HEAD names a commit, not a branch: a commit there would be lost."""


class Diverged(GitError):
    """The work tree's file is not the one git last recorded."""


def blob_id(data: bytes, hex_len: int = 40) -> str:
    """The object id git gives ``data`` as a blob (SHA-1, or SHA-256 in such repositories)."""
    import hashlib

    algo = hashlib.sha256 if hex_len == 64 else hashlib.sha1
    return algo(b"blob %d\0" % len(data) + data).hexdigest()


def blob_record(data: bytes) -> bytes:
    """``data`` as a blob of a ``git fast-import`` stream (see :meth:`GitRepo.commit`'s ``packed``)."""
    return b"blob\ndata %d\n%s\n" % (len(data), data)


def _ident_part(text: str) -> str:
    """A name or address as fast-import takes it: git strips the same from a commit's author."""
    return " ".join(text.replace("<", "").replace(">", "").split())


def _run(args: Sequence[str], cwd: Path, env: Optional[dict] = None, check: bool = True,
         input: Optional[str] = None) -> subprocess.CompletedProcess:
    import subprocess
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
        raise GitError(_("git is not installed; install git or work outside a repository")) from None
    if check and proc.returncode != 0:
        msg = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise GitError(_("git {command} failed: {problem}").format(command=args[0], problem=msg[-1] if msg else proc.returncode))
    return proc


def _failed(args: Sequence[str], proc: subprocess.CompletedProcess) -> GitError:
    msg = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
    return GitError(_("git {command} failed: {problem}").format(command=args[0], problem=msg[-1] if msg else proc.returncode))


def git_available() -> bool:
    import subprocess
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
            proc = self.run("config", "--get-regexp", r"^(user\.(name|email)|commit\.gpgsign)$", check=False)
            ident = {}
            for line in proc.stdout.splitlines():
                key, _, value = line.partition(" ")
                ident[key] = value
            self._identity = ident
        return self._identity

    def user_name(self) -> Optional[str]:
        return self.identity().get("user.name")

    def _relative(self, paths: Sequence[Union[Path, str]]) -> list[str]:
        """``os.path.relpath(p, self.root)`` of each path; a plain path below the root by string work.

        relpath makes both paths absolute and compares them part by part:
        seconds of an import's 100,000 paths. A path that is the root, a
        separator, then names with no ``.`` or ``..`` among them (nor an
        empty one) is that remainder; any other goes to relpath.
        """
        root = os.path.abspath(self.root)
        head = root.rstrip(os.sep) + os.sep
        out = []
        for p in paths:
            full = os.fspath(p)
            rest = full[len(head):]
            if (full.startswith(head) and rest and not rest.startswith(os.sep) and not rest.endswith(os.sep)
                    and os.sep * 2 not in rest
                    and os.sep + "." not in rest and not rest.startswith(".")
                    and (os.altsep is None or os.altsep not in rest)):
                out.append(rest)
            else:
                out.append(os.path.relpath(full, root))
        return out

    def commit(self, paths: Sequence[Union[Path, str]], message: str, operator: str,
               packed: Sequence[str] = ()) -> bool:
        """Commit exactly ``paths`` (added, changed or removed) as ``operator``.

        Other staged or dirty files stay as they are: the commit names its
        paths (git's ``--only``). False when nothing changed.
        ``packed``: files of :func:`blob_record` s of the paths' contents, made
        by whoever wrote the files, which a commit of many paths packs instead
        of reading every file again (git still hashes every file itself, so a
        file that differs from its record is committed as it is).
        """
        rel = self._relative(paths)
        ident = self.identity()
        email = ident.get("user.email", "")
        env = {"GIT_AUTHOR_NAME": operator, "GIT_AUTHOR_EMAIL": email}
        if "user.name" not in ident:
            env["GIT_COMMITTER_NAME"] = operator
        if "user.email" not in ident:
            env["GIT_COMMITTER_EMAIL"] = email
        if len(rel) > MANY_PATHS:
            return self._commit_many(rel, message, env, packed)
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

    # -- one ticket, committed before its file is written -----------------
    def branch_ref(self) -> Optional[str]:
        """The branch HEAD points at (``refs/heads/...``), None on a detached HEAD.

        Read from the HEAD file: a symbolic ref is one line, and this is
        asked before every action.
        """
        try:
            text = (self.git_dir() / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            text = ""
        if text.startswith("ref: "):
            return text[5:].strip()
        if not text:  # an unusual ref store: ask git
            proc = self.run("symbolic-ref", "-q", "HEAD", check=False)
            return proc.stdout.strip() or None
        return None

    def require_branch(self) -> str:
        """The branch HEAD points at; :class:`Detached` on a detached HEAD.

        A commit made on a detached HEAD is on no branch: `git switch`
        leaves it behind, and the ticket is gone but for the reflog.
        """
        branch = self.branch_ref()
        if branch is None:
            raise Detached(
                _("{root} is on a detached HEAD (no branch is checked out), so nothing can be recorded here; "
                  "get back to the helpdesk's branch with `git switch NAME` (`git branch` lists them; `git "
                  "switch -` returns to the last one), then run this again; nothing was written").format(root=self.root))
        return branch

    def path_state(self, path: Path) -> PathState:
        """The branch, its commit and ``path``'s blob there, in one git call."""
        from lpsectl.gitrecords import PathState

        branch = self.require_branch()
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        # rev-parse prints each argument it resolves and echoes one it cannot.
        proc = self.run("rev-parse", "HEAD", f"HEAD:{rel}", check=False)
        lines = proc.stdout.split()
        head = lines[0] if lines and _is_oid(lines[0]) else None
        blob = lines[1] if len(lines) > 1 and _is_oid(lines[1]) else None
        return PathState(branch, head, blob)

    def commit_file(self, path: Path, data: bytes, message: str, operator: str, state: PathState) -> str:
        """Commit ``data`` as the content of ``path`` on top of ``state``; the new commit.

        The work tree and the index are not touched: the caller writes the
        file only once git holds the commit, so a commit that fails leaves
        no trace. git's fast-import builds blob, trees and commit and moves
        the branch in one process, and only if the branch is still at
        ``state.head`` (it refuses to move a branch that moved meanwhile).
        """
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        ident = self.identity()
        if ident.get("commit.gpgsign", "").lower() in ("true", "yes", "on", "1"):
            return self._commit_file_signed(rel, data, message, operator, state)
        email = _ident_part(ident.get("user.email", ""))
        name = _ident_part(operator) or "lpsectl"
        committer = _ident_part(ident.get("user.name", "")) or name
        now = datetime.now().astimezone()
        stamp = committed = f"{int(now.timestamp())} {now.strftime('%z')}"
        # Dates set for git (GIT_AUTHOR_DATE, GIT_COMMITTER_DATE), read as git reads them.
        if os.environ.get("GIT_AUTHOR_DATE"):
            stamp = " ".join(self.run("var", "GIT_AUTHOR_IDENT").stdout.split()[-2:])
        if os.environ.get("GIT_COMMITTER_DATE"):
            committed = " ".join(self.run("var", "GIT_COMMITTER_IDENT").stdout.split()[-2:])
        msg = message.encode("utf-8")
        stream = b"".join([
            b"commit %s\nmark :1\n" % state.branch.encode("utf-8"),
            b"author %s <%s> %s\n" % (name.encode("utf-8"), email.encode("utf-8"), stamp.encode()),
            b"committer %s <%s> %s\n" % (committer.encode("utf-8"), email.encode("utf-8"), committed.encode()),
            b"data %d\n%s\n" % (len(msg), msg),
            (b"from %s\n" % state.head.encode()) if state.head else b"",
            b"M 100644 inline %s\ndata %d\n%s\n" % (_quote_path(rel), len(data), data),
            b"get-mark :1\ndone\n",
        ])
        proc = self._fast_import(stream)
        out = proc.stdout.decode("ascii", "replace").split()
        if proc.returncode != 0 or not out or not _is_oid(out[0]):
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            why = next((ln for ln in err if "Not updating" in ln), err[-1] if err else str(proc.returncode))
            why = why.removeprefix("fatal: ").removeprefix("warning: ")
            raise GitError(_("git could not record the commit ({why}); nothing was written: put right what git says, "
                             "then run this again").format(why=why))
        return out[0]

    def _commit_file_signed(self, rel: str, data: bytes, message: str, operator: str,
                            state: PathState) -> str:
        """:meth:`commit_file` where the office signs its commits: fast-import cannot sign.

        The same order, in plumbing steps: blob, a tree from a temporary
        index, a signed commit, then the branch moved only if still at
        ``state.head``.
        """
        import tempfile

        ident = self.identity()
        env = {"GIT_AUTHOR_NAME": operator, "GIT_AUTHOR_EMAIL": ident.get("user.email", "")}
        if "user.name" not in ident:
            env["GIT_COMMITTER_NAME"] = operator
        if "user.email" not in ident:
            env["GIT_COMMITTER_EMAIL"] = env["GIT_AUTHOR_EMAIL"]
        try:
            blob = self._run_bytes(["hash-object", "-w", "--stdin"], data).strip()
            with tempfile.TemporaryDirectory(prefix="lpsectl-index-") as tmp:
                tmp_env = dict(env, GIT_INDEX_FILE=os.path.join(tmp, "index"))
                self.run("read-tree", *([state.head] if state.head else ["--empty"]), env=tmp_env)
                self.run("update-index", "--add", "--cacheinfo", f"100644,{blob},{rel}", env=tmp_env)
                tree = self.run("write-tree", env=tmp_env).stdout.strip()
            sha = self.run("commit-tree", "-S", tree, *(["-p", state.head] if state.head else []),
                           "-m", message, env=env).stdout.strip()
            self.run("update-ref", "-m", f"commit: {message.splitlines()[0]}", state.branch, sha,
                     state.head or "0" * len(blob))
        except GitError as exc:
            why = str(exc).partition(": ")[2].removeprefix("error: ").removeprefix("fatal: ")
            raise GitError(_("git could not record the commit ({why}); nothing was written: put right what git says, "
                             "then run this again").format(why=why)) from None
        return sha

    def _run_bytes(self, args: list[str], data: bytes) -> str:
        import subprocess
        proc = subprocess.run(["git", *args], cwd=str(self.root), input=data,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(_("git {command} failed: {problem}").format(command=args[0], problem=err[-1] if err else proc.returncode))
        return proc.stdout.decode("ascii", "replace")

    def _fast_import(self, stream: bytes) -> subprocess.CompletedProcess:
        import subprocess
        env = dict(os.environ)
        env.setdefault("LC_ALL", "C")
        try:
            return subprocess.run(
                ["git", "fast-import", "--quiet", "--done"], cwd=str(self.root), env=env, input=stream,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
        except FileNotFoundError:
            raise GitError(_("git is not installed; install git or work outside a repository")) from None

    def previous_blob(self, path: Path) -> tuple[bool, Optional[str]]:
        """``path``'s blob just before the last commit that changed it: (found, blob or None if absent).

        found is False when no commit changed it. Asked only when the file
        and HEAD disagree, to tell a file one commit behind git (an action
        killed after its commit, before its write) from an edit by hand.
        """
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        last = self.run("log", "-1", "--format=%H", "HEAD", "--", rel, check=False).stdout.strip()
        if not _is_oid(last):
            return False, None
        proc = self.run("rev-parse", "-q", "--verify", f"{last}^:{rel}", check=False)
        blob = proc.stdout.strip()
        return True, (blob if _is_oid(blob) else None)

    def blob_at(self, rev: str, path: Path) -> Optional[str]:
        """``path``'s blob in commit ``rev``, None when it has none."""
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        out = self.run("rev-parse", "-q", "--verify", f"{rev}:{rel}", check=False).stdout.strip()
        return out if _is_oid(out) else None

    def restore(self, path: Path) -> None:
        """Bring ``path`` (file and index) to what HEAD holds."""
        self._retry(["checkout", "HEAD", "--", os.path.relpath(path, self.root)])

    def check_out(self, commit: str, paths: Sequence[Path]) -> None:
        """Bring ``paths`` (files and index) to what ``commit`` holds."""
        self._retry(["checkout", commit, "--", *[os.path.relpath(p, self.root) for p in paths]])

    def index_from(self, commit: str, paths: Sequence[Path]) -> None:
        """Set git's index entries of ``paths`` to what ``commit`` holds; the files stay as they are."""
        self._retry(["reset", "-q", commit, "--", *[os.path.relpath(p, self.root) for p in paths]])

    def forget(self, paths: Sequence[Path]) -> None:
        """Drop ``paths`` from git's index, whatever is on disk (a submodule the merge removed)."""
        self._retry(["update-index", "--force-remove", "--", *[os.path.relpath(p, self.root) for p in paths]])

    def undo_commit(self, branch: str, new: str, old: Optional[str]) -> bool:
        """Move ``branch`` back from ``new`` to ``old`` (only if it is still at ``new``); True if done."""
        if old is None:
            proc = self.run("update-ref", "-d", branch, new, check=False)
        else:
            proc = self.run("update-ref", "-m", "lpsectl: take back a commit whose file could not be written",
                            branch, old, new, check=False)
        return proc.returncode == 0

    def stage(self, paths: Sequence[Path]) -> None:
        """Make the index agree with the files (after :meth:`commit_file` and the write).

        Until it does, the index holds the old blob, and a person's next
        `git commit` would take the ticket back: so this waits out another
        git's index.lock (and clears a dead one) like every index write.
        """
        self._retry(["update-index", "--add", "--remove", "--",
                     *[os.path.relpath(p, self.root) for p in paths]])

    def restage(self, paths: Sequence[Path]) -> None:
        """Stage ``paths`` as they now are: after a failed commit put back, the index is as before.

        ``update-index`` on stdin, not ``add``: it takes any number of paths, and a path
        that is neither on disk nor in the index (a file a rollback removed) is no error.
        """
        listing = "".join(os.path.relpath(p, self.root).replace(os.sep, "/") + "\0" for p in paths)
        self._retry(["update-index", "--add", "--remove", "-z", "--stdin"], input=listing)

    def _commit_many(self, rel: list[str], message: str, env: dict, packed: Sequence[str] = ()) -> bool:
        """``commit --only`` for a bulk import: the blobs in one pack, then the commit by plumbing.

        git matches every path against every pathspec, which takes minutes
        for 100,000 paths (and the list would not fit on a command line), and
        ``update-index`` alone would write one loose object per file. So one
        ``git fast-import`` stream packs every blob, and the commit is built
        as ``commit --only`` builds it (:meth:`_commit_many_plumbing`), the
        branch moved last: a kill before that leaves no commit behind. The
        stream is read from ``packed`` when given (a few large files, not
        100,000 small ones opened again).
        """
        rel = [p.replace(os.sep, "/") for p in rel]
        signed = self.identity().get("commit.gpgsign", "").lower() in ("true", "yes", "on", "1")

        def blobs() -> Iterator[bytes]:
            if packed:
                for part in packed:
                    yield _read_all(part)
            else:
                for p in rel:
                    try:
                        data = _read_all(os.path.join(self.root, *p.split("/")))
                    except FileNotFoundError:
                        continue
                    yield blob_record(data)
            yield b"done\n"

        # Every blob into one pack first; the commit is then made as before
        # (index, tree, commit, branch last), and git finds each blob there.
        self._fast_import_stream(blobs(), marked=False)
        return self._commit_many_plumbing(rel, message, env, signed)

    def _fast_import_stream(self, chunks: Iterable[bytes], marked: bool = True) -> str:
        """Feed ``chunks`` to ``git fast-import`` as they come (no 100 MB stream in memory); the mark :1."""
        import subprocess
        import tempfile

        env = dict(os.environ)
        env.setdefault("LC_ALL", "C")
        with tempfile.TemporaryFile() as err:
            try:
                proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=str(self.root),
                                        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
            except FileNotFoundError:
                raise GitError(_("git is not installed; install git or work outside a repository")) from None
            assert proc.stdin is not None and proc.stdout is not None
            try:
                for chunk in chunks:
                    proc.stdin.write(chunk)
                proc.stdin.close()
            except BrokenPipeError:
                pass  # git stopped: its error is read below
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            out = proc.stdout.read().decode("ascii", "replace").split()
            proc.wait()
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
        if proc.returncode != 0 or (marked and (not out or not _is_oid(out[0]))):
            why = next((ln for ln in lines if "Not updating" in ln), lines[-1] if lines else str(proc.returncode))
            raise GitError(_("git fast-import failed: {value}").format(value=why.removeprefix('fatal: ')))
        return out[0] if marked else ""

    def _commit_many_plumbing(self, rel: list[str], message: str, env: dict, signed: bool) -> bool:
        """The paths staged in the real index and in a temporary one read from HEAD, whose tree is committed."""
        import tempfile

        listing = "".join(p + "\0" for p in rel)
        self._retry(["update-index", "--add", "--remove", "-z", "--stdin"], input=listing)
        head = self.run("rev-parse", "--verify", "-q", "HEAD", check=False).stdout.strip()
        # The temporary index takes the entries git just made in the real one
        # (its own hashing, filters and modes), without reading every file again:
        # each as `ls-files -s` writes it ("mode object 0<TAB>path"), which `--index-info`
        # reads as it is. Picked from the output one at a time: a list and a dict of every
        # entry of the index took tens of MB at 100,000 paths, at the import's peak.
        wanted = set(rel)
        entries: list[str] = []
        out = self.run("ls-files", "-s", "-z").stdout
        start, end = 0, len(out)
        while start < end:
            stop = out.find("\0", start)
            stop = end if stop < 0 else stop
            tab = out.find("\t", start, stop)
            if tab > 1 and out[tab - 2:tab] == " 0":
                path = out[tab + 1:stop]
                if path in wanted:
                    wanted.remove(path)
                    entries.append(out[start:stop + 1])
            start = stop + 1
        del out
        gone = "0 " + "0" * (len(head) or 40)
        # A path git did not stage and that is there (a name git spells otherwise): read the files after all.
        odd = any(os.path.lexists(os.path.join(self.root, p)) for p in wanted)
        with tempfile.TemporaryDirectory(prefix="lpsectl-index-") as tmp:
            tmp_env = dict(env, GIT_INDEX_FILE=os.path.join(tmp, "index"))
            self.run("read-tree", *([head] if head else ["--empty"]), env=tmp_env)
            if odd:
                self.run("update-index", "--add", "--remove", "-z", "--stdin", env=tmp_env, input=listing)
            else:
                entries.extend(f"{gone}\t{p}\0" for p in wanted)  # removed
                self.run("update-index", "-z", "--index-info", env=tmp_env, input="".join(entries))
            del entries
            tree = self.run("write-tree", env=tmp_env).stdout.strip()
        if head and tree == self.run("rev-parse", f"{head}^{{tree}}").stdout.strip():
            return False
        # commit-tree signs only when told: the office's commit.gpgsign is not enough.
        sha = self.run("commit-tree", *(["-S"] if signed else []), tree, *(["-p", head] if head else []),
                       "-m", message, env=env).stdout.strip()
        self.run("update-ref", "-m", f"commit: {message.splitlines()[0]}", "HEAD", sha, *([head] if head else []))
        return True

    def _retry(self, args: list[str], env: Optional[dict] = None, input: Optional[str] = None) -> None:
        """Run git, waiting out an ``index.lock`` held by another git process."""
        proc = self._try(args, env=env, input=input)
        if proc.returncode != 0:
            raise _failed(args, proc)

    def _try(self, args: list[str], env: Optional[dict] = None,
             input: Optional[str] = None) -> subprocess.CompletedProcess:
        """:meth:`_retry` that hands back the failed process instead of raising.

        git refuses to work while ``index.lock`` exists. One left by a git
        that died is removed (:meth:`clear_stale_index_lock`); one a live
        git holds is waited for, then named.
        """
        deadline = time.monotonic() + INDEX_LOCK_WAIT
        attempt = 0
        while True:
            proc = self.run(*args, check=False, env=env, input=input)
            if (proc.returncode == 0 or "index.lock" not in proc.stderr
                    or any(why in proc.stderr for why in _CANNOT_LOCK)):
                return proc
            if self.clear_stale_index_lock():
                continue
            if time.monotonic() > deadline:
                raise GitError(self.index_lock_message())
            time.sleep(min(0.05 * (attempt + 1), 0.5))
            attempt += 1

    # -- git's own index.lock -------------------------------------------------
    # Set by the helpdesk while it holds its lock: every git process lpsectl
    # starts here runs under that lock, one at a time, so an index.lock met
    # then is either a person's git running now or left by a git that died.
    lock_held = False

    def index_lock(self) -> Path:
        return self.git_dir() / "index.lock"

    def clear_stale_index_lock(self) -> bool:
        """Remove an ``index.lock`` no live git holds; True if one was removed.

        The rule: lpsectl holds its own lock (so none of its git processes
        runs), the file is older than a moment, and no git process works in
        this repository (Linux: the process table; elsewhere the file must
        be a minute old). Anything else is left alone.
        """
        path = self.index_lock()
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            return False
        if not self.lock_held or age < INDEX_LOCK_GRACE:
            return False
        live = _git_processes_in(self.root, self.git_dir())
        if live is None:
            if age < INDEX_LOCK_STALE_AFTER:
                return False
        elif live:
            return False
        try:
            os.unlink(path)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return True

    def index_lock_message(self) -> str:
        path = self.index_lock()
        live = _git_processes_in(self.root, self.git_dir()) or []
        who = (f"git process {', '.join(str(p) for p, _ in live[:3])} ({live[0][1]}) is working in this "
               "repository" if live else "a git command is working in this repository")
        return (f"git's index is locked by {path}: {who}; let it finish and run this again "
                f"(if no git is running at all, delete {path})")

    def log(self, path: Path) -> list[CommitInfo]:
        """Every commit that changed ``path``, newest first, merges that changed it included.

        ``--full-history``: git's default simplification follows only the
        parent of a merge the file equals, and so hides a commit from
        another desk (a hand edit, say) whose change came in through a
        sync's merge. A merge is listed when it changed the file on the
        branch it was made on (its first parent): where another desk's
        change reached this line.
        """
        from lpsectl.gitrecords import CommitInfo

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

    def unset_config(self, key: str) -> None:
        self._retry(["config", "--unset-all", key])

    def refresh_index(self) -> None:
        """Have git refresh its index and write it (with a new fsmonitor token, when a hook is set)."""
        self._try(["update-index", "-q", "--refresh"])

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
        return self._network(["fetch", "--quiet", "--no-tags", remote])

    def _network(self, args: list[str]) -> subprocess.CompletedProcess:
        """Run a git command that talks to a remote, bounded in time.

        ssh gives up on a host that does not answer (ConnectTimeout, and
        ServerAlive for one that stops answering), http on a transfer that
        stalls; whatever still hangs is stopped after :data:`NETWORK_TIMEOUT`
        (``LPSECTL_NETWORK_TIMEOUT`` seconds) with its whole process group.
        The office's own settings (GIT_SSH_COMMAND, core.sshCommand,
        http.lowSpeed*) win.
        """
        import subprocess
        env = dict(os.environ)
        env.setdefault("LC_ALL", "C")
        env["GIT_TERMINAL_PROMPT"] = "0"
        pre: list[str] = []
        if not (env.get("GIT_SSH_COMMAND") or env.get("GIT_SSH") or self.config("core.sshCommand")):
            env["GIT_SSH_COMMAND"] = ("ssh -o ConnectTimeout=20 -o ServerAliveInterval=15 "
                                      "-o ServerAliveCountMax=4")
        if self.config("http.lowSpeedLimit") is None:
            pre += ["-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=60"]
        try:
            timeout = float(env.get("LPSECTL_NETWORK_TIMEOUT") or NETWORK_TIMEOUT)
        except ValueError:
            timeout = NETWORK_TIMEOUT
        try:
            proc = subprocess.Popen(
                ["git", *pre, *args], cwd=str(self.root), env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                errors="replace", start_new_session=(os.name != "nt"),
            )
        except FileNotFoundError:
            raise GitError(_("git is not installed; install git or work outside a repository")) from None
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            out, err = proc.communicate()
            return subprocess.CompletedProcess(
                proc.args, 124, out, f"fatal: no answer within {timeout:g} s (stopped)\n")
        except BaseException:  # Ctrl-C, SIGTERM: take ssh and friends down too
            _kill_group(proc)
            proc.wait()
            raise
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def is_ancestor(self, a: str, b: str) -> bool:
        return self.run("merge-base", "--is-ancestor", a, b, check=False).returncode == 0

    def merge_base(self, a: str, b: str) -> Optional[str]:
        proc = self.run("merge-base", a, b, check=False)
        return proc.stdout.strip() or None

    def _author_env(self, operator: str) -> dict[str, str]:
        """The operator as author; the committer as git knows it, else the operator too."""
        ident = self.identity()
        env = {"GIT_AUTHOR_NAME": operator, "GIT_AUTHOR_EMAIL": ident.get("user.email", "")}
        if "user.name" not in ident:
            env["GIT_COMMITTER_NAME"] = operator
        if "user.email" not in ident:
            env["GIT_COMMITTER_EMAIL"] = env["GIT_AUTHOR_EMAIL"]
        return env

    def merge_tree(self, ours: str, theirs: str, env: Optional[dict] = None) -> MergedTree:
        """Merge two commits into a tree, as ``git merge`` would, writing nothing but objects.

        ``git merge-tree --write-tree`` (git 2.38 and later) runs the merge
        drivers of ``.gitattributes`` and leaves the work tree, the index
        and every ref alone. :class:`GitError` where git is older.
        """
        from lpsectl.gitrecords import MergedTree

        proc = self.run("merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", ours, theirs,
                        check=False, env=env)
        if proc.returncode in (0, 1):
            parts = proc.stdout.split("\0")
            if _is_oid(parts[0]):
                return MergedTree(parts[0], [p for p in parts[1:] if p] if proc.returncode else [], proc)
        if proc.returncode == 129 or "--write-tree" in proc.stderr:
            version = self.run("--version", check=False).stdout.strip() or "an older git"
            raise GitError(_("sync needs git 2.38 or later, which merges without touching the files (this is "
                             "{version}); install a newer git, then sync again; nothing was changed").format(version=version))
        return MergedTree(None, [], proc)

    def commit_tree(self, tree: str, parents: Sequence[str], message: str, operator: str) -> str:
        """A commit of ``tree`` on ``parents`` by ``operator`` (signed where the office signs); no ref moves."""
        sign = ["-S"] if self.identity().get("commit.gpgsign", "").lower() in ("true", "yes", "on", "1") else []
        args = ["commit-tree", *sign, tree]
        for p in parents:
            args += ["-p", p]
        return self.run(*args, "-m", message, env=self._author_env(operator)).stdout.strip()

    def tree_with(self, commit: str, blobs: Sequence[tuple[str, str]]) -> str:
        """The tree of ``commit`` with the files ``(path from the top, blob)`` added; a temporary index."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="lpsectl-index-") as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            self.run("read-tree", commit, env=env)
            listing = "".join(f"100644 {blob}\t{path}\0" for path, blob in blobs)
            self.run("update-index", "-z", "--add", "--index-info", env=env, input=listing)
            return self.run("write-tree", env=env).stdout.strip()

    def move_head(self, new: str, old: str, message: str) -> bool:
        """Move the branch HEAD names from ``old`` to ``new`` in one step; False if it was no longer at ``old``."""
        return self.run("update-ref", "-m", message, "HEAD", new, old, check=False).returncode == 0

    def tree_changes(self, a: str, b: str) -> list[TreeChange]:
        """Every file that differs between commits ``a`` and ``b``, in the whole repository."""
        from lpsectl.gitrecords import TreeChange

        proc = self.run("diff-tree", "-r", "-z", "--no-renames", "--no-abbrev", a, b)
        parts = proc.stdout.split("\0")
        out = []
        for i in range(0, len(parts) - 1, 2):
            meta = parts[i].lstrip(":").split()
            if len(meta) >= 5:
                out.append(TreeChange(parts[i + 1], meta[0], meta[1], _oid_or_none(meta[2]), _oid_or_none(meta[3])))
        return out

    def staged_paths(self, commit: str) -> set[str]:
        """Paths where git's index differs from ``commit`` (staged, by a person or a killed git)."""
        proc = self.run("diff-index", "--cached", "--no-renames", "--name-only", "-z", commit)
        return {p for p in proc.stdout.split("\0") if p}

    def blobs(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The bytes of the blobs ``ids``, in one git process."""
        import subprocess
        if not ids:
            return {}
        proc = subprocess.run(["git", "cat-file", "--batch"], cwd=str(self.root),
                              input="".join(f"{i}\n" for i in ids).encode("ascii"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))
        if proc.returncode != 0:
            raise GitError(_("git cat-file failed: {value}").format(value=proc.stderr.decode('utf-8', 'replace').strip()))
        out: dict[str, bytes] = {}
        raw, pos = proc.stdout, 0
        for i in ids:
            end = raw.index(b"\n", pos)
            header = raw[pos:end].split()
            if len(header) != 3:
                raise GitError(_("git has no object {i}").format(i=i))
            size = int(header[2])
            out[i] = raw[end + 1:end + 1 + size]
            pos = end + 1 + size + 1
        return out

    def wait_for_index(self) -> None:
        """Return once no ``index.lock`` is in the way: one a dead git left is removed, a live one waited for.

        Raises :class:`GitError` naming the lock when a live git keeps it
        past the wait. One stat when there is none.
        """
        deadline = time.monotonic() + INDEX_LOCK_WAIT
        attempt = 0
        while self.index_lock().exists():
            if self.clear_stale_index_lock():
                return
            if time.monotonic() > deadline:
                raise GitError(self.index_lock_message())
            time.sleep(min(0.05 * (attempt + 1), 0.5))
            attempt += 1

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

    def merge_abort(self) -> bool:
        """Undo a merge under way, index and files; True when none is left."""
        if not self.merge_in_progress():
            return True
        for args in (["merge", "--abort"], ["reset", "--merge"]):
            try:
                self._try(args)
            except GitError:
                continue
            if not self.merge_in_progress():
                return True
        return not self.merge_in_progress()

    def push(self, remote: str, commit: str, remote_branch: str,
             replacing: Optional[str] = None) -> subprocess.CompletedProcess:
        """Push ``commit`` to ``remote_branch``: the commit, not the branch, which may move meanwhile.

        ``replacing``: the remote's commit that ``commit`` replaces without
        descending from it (history rewritten by an erasure); pushed only if
        the remote still has exactly that, so no other desk's push is lost.
        """
        lease = [f"--force-with-lease=refs/heads/{remote_branch}:{replacing}"] if replacing else []
        return self._network(["push", "--quiet", "--porcelain", *lease, remote,
                              f"{commit}:refs/heads/{remote_branch}"])

    # -- the rewrite that erasure needs (lpsectl.privacy) -------------------
    def rewritable_refs(self) -> dict[str, str]:
        """Branches and remote-tracking branches (not symbolic ones) -> the commit each names."""
        proc = self.run("for-each-ref", "--format=%(refname) %(objectname) %(symref)",
                        "refs/heads", "refs/remotes")
        out = {}
        for line in proc.stdout.splitlines():
            parts = line.split(" ")
            if len(parts) >= 2 and not (len(parts) > 2 and parts[2]):
                out[parts[0]] = parts[1]
        return out

    def refs_under(self, prefix: str) -> list[str]:
        return [r for r in self.run("for-each-ref", "--format=%(refname)", prefix).stdout.splitlines() if r]

    def update_refs(self, moves: Sequence[tuple[str, Optional[str], Optional[str]]], delete: bool = False) -> None:
        """Move refs in one transaction: (ref, new, expected old or None); all or none."""
        if not moves:
            return
        if delete:
            lines = "".join(f"delete {ref}\n" for ref, _, _ in moves)
        else:
            lines = "".join(f"update {ref} {new} {old or ''}\n".replace(" \n", "\n") for ref, new, old in moves)
        proc = self.run("update-ref", "--stdin", input=lines, check=False)
        if proc.returncode != 0:
            raise _failed(["update-ref"], proc)

    def touching(self, revs: Sequence[str], pathspecs: Sequence[str], limit: Optional[int] = None) -> list[str]:
        """Commits reachable from ``revs`` that change any of ``pathspecs``, oldest first (up to ``limit``)."""
        proc = self.run("rev-list", "--full-history", "--topo-order", "--reverse", *revs, "--", *pathspecs)
        found = proc.stdout.split()
        return found[:limit] if limit is not None else found

    def parents(self, commit: str) -> list[str]:
        return self.run("rev-list", "--parents", "-n", "1", commit).stdout.split()[1:]

    def fast_export(self, refs: Sequence[str]) -> bytes:
        """The history of ``refs`` as a fast-import stream, file contents by blob id."""
        import subprocess
        proc = subprocess.run(
            ["git", "fast-export", "--no-data", "--reencode=no", "--signed-tags=strip",
             "--tag-of-filtered-object=drop", "--reference-excluded-parents", *refs],
            cwd=str(self.root), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(_("git fast-export failed: {value}").format(value=err[-1] if err else proc.returncode))
        return proc.stdout

    def fast_import_forced(self, stream: bytes) -> None:
        """Import a rewritten stream; its refs may move to commits that do not descend from theirs."""
        import subprocess
        env = dict(os.environ)
        env.setdefault("LC_ALL", "C")
        proc = subprocess.run(["git", "fast-import", "--quiet", "--force"], cwd=str(self.root), env=env,
                              input=stream, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(_("git fast-import failed: {value}").format(value=err[-1] if err else proc.returncode))

    def move_work_tree(self, old: str, new: str) -> None:
        """Bring git's index and the files from commit ``old``'s tree to ``new``'s (a two-tree read-tree)."""
        proc = self.run("read-tree", "-m", "-u", old, new, check=False)
        if proc.returncode != 0:
            raise _failed(["read-tree"], proc)

    def forget_orig_head(self) -> None:
        """ORIG_HEAD keeps a commit from before a rewrite alive; nothing of lpsectl needs it."""
        self.run("update-ref", "-d", "ORIG_HEAD", check=False)

    def update_ref(self, ref: str, sha: str) -> None:
        self.run("update-ref", ref, sha, check=False)

    def empty_tree(self) -> str:
        return self.run("hash-object", "-t", "tree", "--stdin", input="").stdout.strip()

    def changed_files(self, a: str, b: str, under: Path) -> list[tuple[str, str]]:
        """(status letter, path from the top) of files under ``under`` that differ from a to b."""
        rel = os.path.relpath(under, self.root)
        proc = self.run("diff", "--name-status", "--no-renames", "-z", a, b, "--", rel)
        parts = proc.stdout.split("\0")
        return [(parts[i][:1], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]

    def changed_entries(self, a: str, b: str, under: Path) -> list[tuple[str, str, str]]:
        """(status letter, mode in ``b``, path from the top) of files under ``under`` that differ from a to b.

        The mode tells a regular file (100644, 100755) from a symlink
        (120000) or a submodule (160000).
        """
        rel = os.path.relpath(under, self.root)
        proc = self.run("diff", "--raw", "-z", "--no-renames", "--no-abbrev", a, b, "--", rel)
        parts = proc.stdout.split("\0")
        out = []
        for i in range(0, len(parts) - 1, 2):
            meta = parts[i].lstrip(":").split()
            if len(meta) >= 5:
                out.append((meta[4][:1], meta[1], parts[i + 1]))
        return out

    def blob_size(self, commit: str, rel: str) -> Optional[int]:
        """The size of ``rel`` in ``commit``, None when it has no such file."""
        proc = self.run("cat-file", "-s", f"{commit}:{rel.replace(os.sep, '/')}", check=False)
        out = proc.stdout.strip()
        return int(out) if proc.returncode == 0 and out.isdigit() else None

    def blob(self, commit: str, rel: str) -> bytes:
        """The bytes of ``rel`` in ``commit`` (ask :meth:`blob_size` first: it may be large)."""
        import subprocess
        proc = subprocess.run(["git", "cat-file", "blob", f"{commit}:{rel.replace(os.sep, '/')}"],
                              cwd=str(self.root), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))
        if proc.returncode != 0:
            raise GitError(_("git cat-file failed: {value}").format(value=proc.stderr.decode('utf-8', 'replace').strip()))
        return proc.stdout

    def merge_conflicts(self, a: str, b: str, resolved_by_driver: Optional[str] = None) -> Optional[list[str]]:
        """The paths a merge of ``a`` and ``b`` would leave conflicted; None if git cannot say (before 2.38).

        Nothing is written but objects: ``merge-tree`` works on trees, not
        on the work tree or the index. ``resolved_by_driver``: a merge
        driver taken as always succeeding (files it merges by rule).
        """
        pre = ["-c", f"merge.{resolved_by_driver}.driver=true"] if resolved_by_driver else []
        proc = self.run(*pre, "merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", a, b,
                        check=False)
        if proc.returncode not in (0, 1):
            return None
        return [p for p in proc.stdout.split("\0")[1:] if p] if proc.returncode == 1 else []

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

    def status_snapshot(self, under: Path, untracked: bool = True) -> tuple[str, list[str]]:
        """HEAD ("" before the first commit) and the files under ``under`` that differ from it.

        One ``git status``: staged, modified, deleted, untracked and ignored
        files alike, paths from the top; without ``untracked``, tracked files
        only (no walk of the folders). It takes no lock and writes nothing
        (``GIT_OPTIONAL_LOCKS=0``), so readers never disturb a writer.
        """
        return self.snapshot_of(self.start_status(under, untracked))

    def start_status(self, under: Path, untracked: bool = True) -> "Look":
        """:meth:`status_snapshot`'s git started in a child process; :meth:`snapshot_of` reads it."""
        from lpsectl.gitlook import Look

        return Look(str(self.root), os.path.relpath(under, self.root), untracked)

    def snapshot_of(self, look: "Look") -> tuple[str, list[str]]:
        """What the ``git status`` of ``look`` says, as :meth:`status_snapshot`; waits for it to finish."""
        from lpsectl.gitlook import parse_status

        code, out, err = look.output()
        if code is None:
            raise GitError(_("git is not installed; install git or work outside a repository"))
        if code != 0:
            msg = (err.strip() or out.strip()).splitlines()
            raise GitError(_("git {command} failed: {problem}").format(command="status", problem=msg[-1] if msg else code))
        return parse_status(out)

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


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        if os.name != "nt":
            os.killpg(proc.pid, 9)
        else:  # pragma: no cover - Windows
            proc.kill()
    except OSError:
        pass


def _git_processes_in(root: Path, git_dir: Path) -> Optional[list[tuple[int, str]]]:
    """(pid, command line) of git processes working in this repository; None where unknowable.

    Linux only (/proc): a process counts when it is git and its working
    folder is in the work tree or the git folder. Processes of other users
    whose folder cannot be read count too, to be safe.
    """
    proc_dir = Path("/proc")
    if not (proc_dir / "self" / "cwd").exists():
        return None
    places = [str(root.resolve()), str(git_dir.resolve())]
    me = os.getpid()
    found = []
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if not comm.startswith("git") or _is_zombie(entry):
            continue  # a git that exited (its parent has not reaped it yet) holds no lock
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            cwd = None  # another user's process: cannot tell where it works
        if cwd is None or any(cwd == p or cwd.startswith(p + os.sep) for p in places):
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
            except OSError:
                cmd = comm
            found.append((int(entry.name), cmd or comm))
    return found


def _is_zombie(entry: Path) -> bool:
    """Whether the process of ``/proc/PID`` has exited and waits to be reaped (its folder cannot be read then)."""
    try:
        stat = (entry / "stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def _read_all(path: str) -> bytes:
    """A file's bytes by os.open and os.read: a file object would ask for its stat,
    tty state and position first, three system calls more for each of 100,000 files."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        parts = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            parts.append(chunk)
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _is_oid(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _oid_or_none(text: str) -> Optional[str]:
    """An object id, None for git's all-zero "no object"."""
    return None if set(text) <= {"0"} else text


def _quote_path(rel: str) -> bytes:
    """A path as fast-import reads it: C-style quoted when it has to be."""
    raw = rel.encode("utf-8")
    if not any(c in raw for c in b'"\\\n ') and not raw.startswith(b'"'):
        return raw
    out = raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n")
    return b'"' + out + b'"'


def merge_file(ours: Path, base: Path, theirs: Path, label: str) -> int:
    """git's line merge of three files into ``ours``; the number of conflicts."""
    proc = _run(["merge-file", "-L", f"{label} (this desk)", "-L", f"{label} (base)",
                 "-L", f"{label} (other desk)", str(ours), str(base), str(theirs)],
                Path.cwd(), check=False)
    return proc.returncode if proc.returncode >= 0 else 1


def hash_object(data: bytes) -> str:
    """Store ``data`` as a blob in the repository of the current folder; its id."""
    import subprocess
    proc = subprocess.run(["git", "hash-object", "-w", "--stdin"], input=data,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise GitError(_("git hash-object failed: {value}").format(value=proc.stderr.decode('utf-8', 'replace').strip()))
    return proc.stdout.decode("ascii").strip()


def git_dir_of(path: Path) -> Path:
    out = _run(["rev-parse", "--git-dir"], path).stdout.strip()
    return (path / out).resolve()
