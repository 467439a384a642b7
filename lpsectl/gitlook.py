"""git's look at the ticket files, started first and read last.

Before a reading command (``list``, ``report``, ``today``)
answers from the index, git must confirm that the index still says what
the files say: one ``git status`` of tickets/ (:mod:`lpsectl.index`). At
100,000 files that takes about a third of a second, most of it the kernel's
stat of every file: an edit in place with its size and mtime put back shows
only in the file's ctime. With the watcher on (``lpsectl watch on``,
:mod:`lpsectl.watcher`), git stats only the files it names, and the look
takes a fifth of that. Either way it runs beside
the command instead of before it: a child process started at the very
beginning (:func:`start_early`, by the console script, before click and
the core are imported), while the command computes its answer from the
index as it stands; :func:`lpsectl.cli.common.reading_index` prints that
answer only if git then confirms nothing changed since the index's last
update, and otherwise brings the index up to date and computes it again.

Standard library only, and little of it: this module runs before click.
git is spawned and read with :mod:`os` alone (:class:`Child`), where the
system has ``posix_spawn``: ``subprocess`` with what it imports (signal,
selectors, locale) costs a reading command more CPU than the rest of its
start-up after click, and a look needs none of it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Mapping, Optional, Sequence, Union

from lpsectl.home import helpdesk_folder as home_folder

if TYPE_CHECKING:
    import subprocess

# The commands that answer from the index, so start with git's look.
READING_COMMANDS = ("list", "report", "today")
# The global options that come before the command name, and whether each takes a value.
GLOBAL_OPTIONS = {"--home": True, "--operator": True, "--lang": True}


def global_values(args: Sequence[str]) -> tuple[dict[str, str], int]:
    """The values of the global options in ``args`` and the position of the command name."""
    values: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, eq, value = args[i].partition("=")
        if GLOBAL_OPTIONS.get(name):
            if not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            values[name] = value
        i += 1
    return values, i


def status_args(pathspec: str, untracked: bool) -> list[str]:
    """git's arguments for the look at ``pathspec`` (benchmarks/run.py times the same command as a floor)."""
    files = ("--untracked-files=all", "--ignored=matching") if untracked else ("--untracked-files=no",)
    # --branch for HEAD's commit; not the counts ahead of and behind the upstream, which a desk that
    # syncs has and the look never reads (git walks the history between the two to count them).
    return ["status", "--porcelain=v2", "-z", "--branch", "--no-ahead-behind", "--no-renames", *files,
            "--", pathspec]


def git_env(base: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """The environment of a git that only reads: no prompt, no optional lock (a reader never disturbs a writer).

    ``base``: the environment it is made from (default this process's).
    """
    env = dict(os.environ if base is None else base)
    env.setdefault("LC_ALL", "C")
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_OPTIONAL_LOCKS"] = "0"
    return env


# How much lower than this process's the priority of a look beside the command is (as ``nice -n``).
BESIDE_NICENESS = 15


def lower_priority(pid: int) -> None:
    """Run the process ``pid`` at :data:`BESIDE_NICENESS` below this one's priority (where the system has priorities).

    git stats the files of a large work tree in up to 20 threads whatever
    the number of cores, and the kernel shares a core between threads, not
    processes: on 2 cores, the command working beside git (in one thread)
    got a tenth of the machine until git was done, so its own work came
    after git's instead of beside it. Lowered, git still gets every core
    the command leaves idle, and all of them once the command waits for it.
    Threads git starts later take the priority of its main thread, which is
    the one lowered here, right after it started and long before git has
    read its index and starts them. Best effort: the answer is the same.
    """
    if not hasattr(os, "setpriority"):  # Windows
        return
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + BESIDE_NICENESS))
    except OSError:  # gone already, or not allowed
        pass


class Child:
    """A child process whose stdout and stderr are read whole, spawned with ``os.posix_spawnp``.

    What ``subprocess.Popen(args, cwd=..., env=..., stdin=DEVNULL,
    stdout=PIPE, stderr=PIPE)`` and its ``communicate``, ``poll`` and
    ``kill`` do for a look, and no more. ``posix_spawn`` has no working
    folder, so git is told its folder with ``-C`` (``args`` start with
    ``git``). The child starts with SIGPIPE at its default, as
    ``subprocess`` starts it (Python ignores it in its own process).
    """

    def __init__(self, args: Sequence[str], cwd: str, env: Mapping[str, str]) -> None:
        import _signal  # the built-in module under `signal`, which makes an enum of every signal as it loads

        argv = [args[0], "-C", cwd, *args[1:]]
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            self.pid = os.posix_spawnp(argv[0], argv, env, file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, out_w, 1),
                (os.POSIX_SPAWN_DUP2, err_w, 2),
            ], setsigdef=(_signal.SIGPIPE,))
        except BaseException:
            os.close(out_r)
            os.close(err_r)
            raise
        finally:
            os.close(out_w)
            os.close(err_w)
        self._fds = [out_r, err_r]
        self.returncode: Optional[int] = None

    def poll(self) -> Optional[int]:
        """The exit status if the child has ended (it is reaped then), else None."""
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, 9)  # SIGKILL

    def communicate(self) -> tuple[bytes, bytes]:
        """All of stdout and stderr, read as they come (neither pipe fills while the other is read); reaps the child."""
        import select

        chunks: dict[int, list[bytes]] = {fd: [] for fd in self._fds}
        poller = select.poll()
        for fd in self._fds:
            poller.register(fd, select.POLLIN)
        left = len(self._fds)
        try:
            while left:
                for fd, _event in poller.poll():
                    data = os.read(fd, 65536)
                    if data:
                        chunks[fd].append(data)
                    else:  # the child closed it (or ended)
                        poller.unregister(fd)
                        left -= 1
        finally:
            for fd in self._fds:
                os.close(fd)
            self._fds = []
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        out, err = (b"".join(chunks[fd]) for fd in chunks)
        return out, err


def _spawn(args: Sequence[str], cwd: str, env: Mapping[str, str]) -> Union[Child, "subprocess.Popen"]:
    """``args`` running in ``cwd`` with stdout and stderr to be read: a :class:`Child`, or a Popen without posix_spawn."""
    if hasattr(os, "posix_spawnp"):
        return Child(args, cwd, env)
    import subprocess  # Windows

    return subprocess.Popen(list(args), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class Look:
    """One ``git status`` of a folder, running in a child process until :meth:`output` is asked for.

    ``untracked``: untracked and ignored files too (git walks every folder);
    without it the files git tracks only. ``cwd`` and ``pathspec`` as git
    takes them; the paths it prints are from the top of the work tree.
    ``beside``: the command works while git looks (the early look), so git
    runs at a lower priority (:func:`lower_priority`); a look the command
    only waits for keeps the command's priority.
    """

    def __init__(self, cwd: str, pathspec: str, untracked: bool, beside: bool = False) -> None:
        self.cwd = cwd
        self.pathspec = pathspec
        self.untracked = untracked
        self.args = status_args(pathspec, untracked)
        self._done: Optional[tuple[Optional[int], str, str]] = None
        self._proc: Optional[Union[Child, "subprocess.Popen"]]
        try:
            self._proc = _spawn(["git", *self.args], cwd, git_env())
        except OSError:  # no git installed, or the folder is gone
            self._proc = None
        if beside and self._proc is not None:
            lower_priority(self._proc.pid)

    def output(self) -> tuple[Optional[int], str, str]:
        """git's exit status (None: it could not run), stdout and stderr; waits for git to finish."""
        if self._done is None:
            if self._proc is None:
                self._done = (None, "", "")
            else:
                out, err = self._proc.communicate()
                self._done = (self._proc.returncode, out.decode("utf-8", "replace"),
                              err.decode("utf-8", "replace"))
        return self._done

    def running(self) -> bool:
        """Whether git is still looking (its answer not yet asked for, and not yet there)."""
        return self._done is None and self._proc is not None and self._proc.poll() is None

    def discard(self) -> None:
        """Stop git if its answer is no longer wanted (it only reads), and reap it."""
        if self._done is None and self._proc is not None:
            if self._proc.poll() is None:
                try:
                    self._proc.kill()
                except OSError:
                    pass
            self._proc.communicate()
            self._done = (None, "", "")


def parse_status(out: str) -> tuple[str, list[str]]:
    """HEAD ("" before the first commit) and the paths ``git status --porcelain=v2 -z --branch`` names."""
    head = ""
    paths = []
    for entry in out.split("\0"):
        if entry.startswith("# branch.oid "):
            oid = entry[len("# branch.oid "):]
            head = "" if oid == "(initial)" else oid
        elif entry[:2] in ("1 ", "u "):
            paths.append(entry.split(" ", 8 if entry[0] == "1" else 10)[-1])
        elif entry[:2] in ("? ", "! "):
            paths.append(entry[2:])
    return head, paths


# The look the console script started: (helpdesk folder, look).
_early: Optional[tuple[str, Look]] = None


def helpdesk_folder(home: Optional[str]) -> Optional[str]:
    """The helpdesk folder as :func:`lpsectl.store.find_home` finds it, or None (it will say why)."""
    try:
        return home_folder(os.getcwd(), home)
    except OSError:  # the working folder is gone
        return None


def start_early(args: Sequence[str]) -> None:
    """Start git's look at the tickets when ``args`` (the command line) names a reading command."""
    global _early
    values, at = global_values(args)
    if at >= len(args) or args[at] not in READING_COMMANDS or os.environ.get("LPSECTL_NO_INDEX") == "1":
        return
    if "-h" in args or "--help" in args:
        return
    folder = helpdesk_folder(values.get("--home") or os.environ.get("LPSECTL_HOME") or None)
    if folder is not None and os.path.isdir(os.path.join(folder, "tickets")):
        _early = (folder, Look(folder, "tickets", untracked=False, beside=True))


def take_early(folder: str) -> Optional[Look]:
    """The look started early at the tickets of the helpdesk ``folder``, once; None if there is none."""
    global _early
    if _early is None or _early[0] != folder:
        return None
    look = _early[1]
    _early = None
    return look
