"""Command: watch on|off|status (the file watcher git asks instead of looking at every file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from lpsectl.cli import App, pass_app
from lpsectl.i18n import _

if TYPE_CHECKING:
    from lpsectl.gitrepo import GitRepo
    from lpsectl.watching import WatchStatus


@click.group("watch")
def watch_group() -> None:
    """A file watcher for this desk, so that git need not look at every ticket file on every command.

    Before answering from its index, every reading command has git confirm
    that no ticket file changed; at 100,000 tickets git's look at every file
    is most of a listing's time. With the watcher on, git asks a small
    lpsectl process that watches the folders (Linux's inotify) which files
    changed, and looks at those only. Off by default; one desk at a time.

    \b
    Examples:
      lpsectl watch on
      lpsectl watch status
      lpsectl watch off
    """


def _git(app: App) -> "GitRepo":
    from lpsectl.errors import Refused

    hd = app.helpdesk()
    if hd.git is None:
        raise Refused(_("{path} is not in a git repository: git looks at no files, there is nothing to watch")
                      .format(path=hd.root))
    return hd.git


def _say(st: "WatchStatus") -> None:
    if st.other_hook:
        click.echo(_("watch: off (git's core.fsmonitor is set to {hook}, not to lpsectl's watcher)")
                   .format(hook=st.other_hook))
    elif not st.on:
        click.echo(_("watch: off; git looks at every file"))
    elif not st.running:
        click.echo(_("watch: on; the watcher is not running (git starts it at its next look, which looks at every file)"))
    elif st.blind:
        click.echo(_("watch: on, but the watcher could not watch every folder, so git looks at every file; "
                     "run `lpsectl watch off` and `lpsectl watch on` to start it again"))
    else:
        click.echo(_("watch: on; the watcher is running and tells git which files changed"))


@watch_group.command("on")
@pass_app
def on_cmd(app: App) -> None:
    """Start the watcher and have git ask it (git config core.fsmonitor, in this repository only)."""
    from lpsectl import watching

    _say(watching.turn_on(_git(app)))


@watch_group.command("off")
@pass_app
def off_cmd(app: App) -> None:
    """Stop the watcher; git looks at every file again."""
    from lpsectl import watching

    git = _git(app)
    watching.turn_off(git)
    _say(watching.status(git))


@watch_group.command("status")
@pass_app
def status_cmd(app: App) -> None:
    """Whether git asks the watcher, and whether it runs."""
    from lpsectl import watching

    _say(watching.status(_git(app)))


COMMANDS = [watch_group]
