"""Commands on the helpdesk folder: init check log demo."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

import click

from lpsectl.cli import App, pass_app
from lpsectl.cli.common import echo_table, warn
from lpsectl.i18n import _

if TYPE_CHECKING:
    from pathlib import Path

GITIGNORE = """\
# Derived by lpsectl (indexes, caches, locks): disposable, rebuilt when stale.
.lpsectl/
"""


@click.command("init")
@click.argument("directory", metavar="[DIR]", required=False)
@pass_app
def init_cmd(app: App, directory: Optional[str]) -> None:
    """Make DIR (default: --home, LPSECTL_HOME, else here) a helpdesk folder, or set up a clone of one.

    Writes lpsectl.yaml, tickets/, .gitignore and .gitattributes, makes the
    folder the top of its own git repository if it is in none or inside
    another one, and commits them.
    """
    from lpsectl import config as configmod
    from lpsectl import gitrepo
    from lpsectl.errors import BadInput
    from lpsectl.store import atomic_write

    root = _init_target(app, directory)
    if root.exists() and not root.is_dir():
        raise BadInput(_("{path} is a file, not a folder").format(path=root))
    _refuse_inside_a_helpdesk(root)
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    created: list[Path] = []
    cfg = root / configmod.CONFIG_NAME
    existing = cfg.exists()
    if not existing:
        atomic_write(cfg, configmod.DEFAULT_TEXT.encode("utf-8"))
        created.append(cfg)
    configmod.load(cfg)  # a clone's configuration must be valid
    keep = root / "tickets" / ".gitkeep"
    if not keep.exists():
        atomic_write(keep, b"")
        created.append(keep)
    ignore = root / ".gitignore"
    text = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
    if ".lpsectl/" not in text.split():
        atomic_write(ignore, (text + ("\n" if text and not text.endswith("\n") else "") + GITIGNORE).encode("utf-8"))
        created.append(ignore)
    note = ""
    outer = gitrepo.find_root(root)
    # A new helpdesk is the top of its own repository: inside another one its
    # commits would land in that project's history (as DIR/tickets/...) and
    # `sync` would push that project. A helpdesk already kept in a folder of a
    # repository (set up so by hand) stays where it is.
    if outer is None or (outer != root and not existing):
        if not gitrepo.git_available():
            warn(_("git is not installed: nothing is being recorded in an audit trail"))
        else:
            gitrepo.init(root)
            if outer is not None:
                note = " " + _("(its own git repository, inside the repository at {path})").format(path=outer)
    elif outer != root:
        note = " " + _("(recorded in the git repository at {path}, of which it is a folder)").format(path=outer)
    hd = _helpdesk_at(app, root)
    from lpsectl import merge

    changed = merge.setup(hd)
    created.extend(changed)
    if hd.git is not None and created:
        hd.commit(created, "init helpdesk", _operator_or_default(app))
    # Run again in a clone: nothing to write, but the merge driver is now
    # installed (opening the helpdesk above already repaired it if missing).
    click.echo(_("Helpdesk ready in {path}").format(path=root) + note
               + ("" if created else " " + _("(existing helpdesk: configuration kept, merge driver in place)")))
    from pathlib import Path

    env_home = os.environ.get("LPSECTL_HOME")
    if directory is not None and env_home and not app.home_opt and Path(env_home).expanduser().resolve() != root:
        warn(_("LPSECTL_HOME is {env_home}: other commands work there, not in {path}, "
               "until you unset it or give --home").format(env_home=env_home, path=root))


def _refuse_inside_a_helpdesk(root: Path) -> None:
    """A helpdesk in a folder of another would write its files into that one's tickets or history."""
    from lpsectl import config as configmod
    from lpsectl.errors import Refused

    target = root.resolve()
    if (target / configmod.CONFIG_NAME).is_file():
        return  # this very folder is a helpdesk: init sets it up again
    for parent in target.parents:
        if (parent / configmod.CONFIG_NAME).is_file():
            raise Refused(_("{path} is inside the helpdesk {parent}; make a new helpdesk outside it")
                          .format(path=target, parent=parent))


def _init_target(app: App, directory: Optional[str]) -> Path:
    """The folder ``init`` sets up: DIR, else --home, else LPSECTL_HOME, else here.

    --home and a different DIR contradict each other: refused. DIR is more
    specific than LPSECTL_HOME (often set once in a profile), so it wins.
    """
    from pathlib import Path

    from lpsectl.errors import BadInput

    home = app.home_opt
    if directory is not None and home is not None:
        if Path(directory).expanduser().resolve() != Path(home).expanduser().resolve():
            raise BadInput(_("--home {home} and DIR {directory} name different folders; give one of them")
                           .format(home=home, directory=directory))
    chosen = directory or home or os.environ.get("LPSECTL_HOME") or "."
    return Path(chosen).expanduser()


def _operator_or_default(app: App) -> str:
    from lpsectl.errors import BadInput

    try:
        return app.operator()
    except BadInput:
        return "lpsectl"


def _helpdesk_at(app: App, root: Path):
    from lpsectl.store import Helpdesk

    app._helpdesk = Helpdesk(root)
    return app._helpdesk


@click.command("check")
@pass_app
def check_cmd(app: App) -> None:
    """Validate every ticket; list problems as path:line: problem (exit 1)."""
    import os

    from lpsectl.checks import check
    from lpsectl.config import CONFIG_NAME, ConfigProblem
    from lpsectl.errors import LpseError

    try:
        hd = app.helpdesk()
    except ConfigProblem as exc:  # a merge of lpsectl.yaml left unfinished, say: name where
        try:
            where = os.path.relpath(exc.path)
        except ValueError:  # another drive on Windows
            where = str(exc.path)
        click.echo(f"{where}:{exc.line or 1}: {exc.problem}")
        raise LpseError(_("{config} cannot be used, so no ticket was checked; fix it as said above, "
                          "then run `lpsectl check` again").format(config=CONFIG_NAME)) from None
    count, problems = check(hd)
    # What check's own taking of the lock completed or rolled back: no damage
    # left, so no problem line and no exit 1; said so the officer knows.
    for note in hd.recovered:
        click.echo(_("Note: {note}").format(note=note), err=True)
    for p in problems:
        click.echo(str(p))
    if problems:
        click.echo(_("Error: {problems} problem(s) in {count} ticket file(s)")
                   .format(problems=len(problems), count=count), err=True)
        click.get_current_context().exit(1)
    click.echo(_("{count} ticket(s) checked, no problems").format(count=count), err=True)


@click.command("log")
@click.argument("ticket_id", metavar="ID")
@pass_app
def log_cmd(app: App, ticket_id: str) -> None:
    """The audit trail: every commit that changed the ticket, oldest first.

    Commits made on other desks are listed too, and so is each sync's merge
    that brought a change of the ticket into this desk's history.
    """
    from lpsectl.cli.common import local
    from lpsectl.clock import parse_time
    from lpsectl.errors import Refused

    hd = app.helpdesk()
    tid = hd.resolve(ticket_id)
    if hd.git is None:
        raise Refused(_("{path} is not in a git repository: there is no audit trail").format(path=hd.root))
    commits = hd.git.log(hd.path_for(tid))
    rows = [[c.sha[:10], local(parse_time(c.at, hd.tz), hd.tz, seconds=True), c.author, c.subject]
            for c in reversed(commits)]
    echo_table(rows, [_("commit"), _("time"), _("author"), _("action")])


@click.command("demo")
@click.argument("directory", metavar="[DIR]", required=False)
@pass_app
def demo_cmd(app: App, directory: Optional[str]) -> None:
    """Build a sample helpdesk in DIR (new or empty; default: a temporary folder) and walk it through.

    Realistic tickets come in through every channel and climb every tier;
    the commands and their output are printed as they run. The tickets are
    made up, so a folder that is not empty (a real helpdesk above all) is
    refused.
    """
    from lpsectl.demo import run

    run(directory)


COMMANDS = [init_cmd, check_cmd, log_cmd, demo_cmd]
