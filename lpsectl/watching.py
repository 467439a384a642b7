"""Turning the watcher on and off for one desk (``lpsectl watch on|off|status``).

On: git's ``core.fsmonitor`` (protocol 2) names the hook of
:mod:`lpsectl.watcher` in the repository's own configuration, the watcher
is started, and git's index is written once with the watcher's first
token, so that the next look already stats only what changed. Off: both
settings go and the watcher is told to stop. Off by default; Linux only
(inotify).
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from dataclasses import dataclass
from typing import Optional

from lpsectl import watcher
from lpsectl.errors import Refused
from lpsectl.gitrepo import GitRepo
from lpsectl.i18n import _

HOOK_KEY = "core.fsmonitor"
VERSION_KEY = "core.fsmonitorHookVersion"


@dataclass
class WatchStatus:
    on: bool  # core.fsmonitor names this hook
    other_hook: Optional[str]  # core.fsmonitor names something else
    running: bool
    pid: Optional[int] = None
    folders: int = 0
    blind: bool = False  # the watcher could not watch a folder: it answers "/" (git looks at every file)


def hook_command() -> str:
    """The command git runs as the hook: this Python, isolated and without site (it starts in ~10 ms).

    The watcher module is imported, not run by its path, so its compiled
    copy in ``__pycache__`` is used (a script is compiled on every run);
    its folder goes last on the path, behind the standard library.
    """
    folder = os.path.dirname(os.path.abspath(watcher.__file__))
    code = f"import sys; sys.path.append({folder!r}); import watcher; sys.exit(watcher.main(['hook', *sys.argv[1:]]))"
    return " ".join(shlex.quote(a) for a in (sys.executable, "-I", "-S", "-c", code))


def _ours(hook: Optional[str]) -> bool:
    """Whether git's core.fsmonitor names this watcher's hook (from this installation or another)."""
    return hook is not None and "import watcher;" in hook and "'hook'" in hook


def supported() -> bool:
    return sys.platform.startswith("linux")


def _folder(git: GitRepo) -> str:
    return os.path.join(str(git.git_dir()), watcher.FOLDER)


def _ask(git: GitRepo, request: bytes) -> Optional[bytes]:
    """The running watcher's answer, or None (none runs; none can, where there is no inotify)."""
    if not supported():
        return None
    try:
        return watcher.ask(_folder(git), request, watcher.HOOK_TIMEOUT)
    except OSError:
        return None


def status(git: GitRepo) -> WatchStatus:
    import json

    hook = git.config(HOOK_KEY)
    ours = _ours(hook)
    reply = _ask(git, b"status")
    try:
        info = json.loads(reply) if reply else None
    except ValueError:
        info = None
    if not isinstance(info, dict):
        return WatchStatus(on=ours, other_hook=None if ours or not hook else hook, running=False)
    return WatchStatus(on=ours, other_hook=None if ours or not hook else hook, running=True, pid=info.get("pid"),
                       folders=int(info.get("folders", 0)), blind=bool(info.get("blind")))


def turn_on(git: GitRepo) -> WatchStatus:
    """Have git ask the watcher; start the watcher and give git's index its first token."""
    hook = git.config(HOOK_KEY)
    if hook and not _ours(hook):
        raise Refused(_("git's core.fsmonitor is already set to {hook}; remove it with `git config --unset "
                        "core.fsmonitor` first if lpsectl's watcher should take its place").format(hook=hook))
    if not supported():
        raise Refused(_("the watcher needs Linux (inotify); here git keeps looking at every file, as without it"))
    git.set_config(HOOK_KEY, hook_command())
    git.set_config(VERSION_KEY, "2")
    start(git)
    # git writes its index with the watcher's token only when it refreshes it: once now, so the
    # next look trusts every file git has just seen (the reading looks never write the index).
    git.refresh_index()
    return status(git)


def start(git: GitRepo) -> None:
    """Start the watcher unless it runs, and wait (a little) until it answers."""
    if _ask(git, b"status") is not None:
        return
    watcher.start(str(git.root))
    _wait_until(git, running=True)


def turn_off(git: GitRepo) -> None:
    """git looks at every file again; the watcher stops."""
    hook = git.config(HOOK_KEY)
    if _ours(hook):
        git.unset_config(HOOK_KEY)
        if git.config(VERSION_KEY) is not None:
            git.unset_config(VERSION_KEY)
    stop(git)


def stop(git: GitRepo) -> None:
    """Tell the watcher to stop and wait (a little) until it has."""
    if _ask(git, b"stop") is None:
        return
    _wait_until(git, running=False)


def _wait_until(git: GitRepo, running: bool) -> None:
    """Wait (a little: :data:`watcher.START_WAIT` at most) until the watcher answers, or no longer does."""
    deadline = time.monotonic() + watcher.START_WAIT
    while time.monotonic() < deadline and (_ask(git, b"status") is not None) != running:
        time.sleep(0.02)
