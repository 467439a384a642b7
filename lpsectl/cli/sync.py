"""Commands: sync, and merge-file (the git merge driver, hidden)."""

from __future__ import annotations

from typing import Optional

import click

from lpsectl.cli import App, pass_app
from lpsectl.i18n import _


@click.command("sync")
@click.option("--remote", "remote", metavar="NAME",
              help="The git remote (default: the branch's upstream, else origin, else the only one).")
@pass_app
def sync_cmd(app: App, remote: Optional[str]) -> None:
    """Exchange tickets with the other desks through the git remote.

    Fetches, merges and pushes; when another desk pushed in between, it
    merges again and retries. Two desks' changes to one ticket are merged
    by rule (every event of both is kept), never left as a conflict.
    Prints what came in and what went out.

    \b
    A second desk:
      git clone URL helpdesk && cd helpdesk
      lpsectl init
      lpsectl sync
    """
    from lpsectl.sync import require_git, sync

    hd = app.helpdesk()
    require_git(hd)  # before asking who acts: outside git there is nothing to do
    result = sync(hd, app.operator(), remote)
    if result.set_up:
        click.echo(_("committed  .gitattributes (ticket files now merge by rule)"))
    for tid in result.committed:
        click.echo(_("committed  {id} (it was left uncommitted)").format(id=tid))
    for tid in result.restored:
        click.echo(_("restored   {id} (its file was behind git: an interrupted command)").format(id=tid))
    for c in result.incoming:
        click.echo(_("in   {status:<8} {id}").format(status=c.status, id=c.id))
    for r in result.renamed:
        click.echo(_("kept both  {old_id}: {remote}'s ticket keeps the id, this desk's ticket is now {new_id}")
                   .format(old_id=r.old_id, remote=result.remote, new_id=r.new_id))
    for c in result.outgoing:
        click.echo(_("out  {status:<8} {id}").format(status=c.status, id=c.id))
    for tid in sorted(result.erased):
        click.echo(_("erased     {id} (its personal data left this clone's history)").format(id=tid))
    if result.erased:
        click.echo(_("Warning: git keeps the old versions until `git reflog expire --expire=now --all && "
                     "git gc --prune=now` is run in this clone"), err=True)
    if result.refused:
        line = _("Synced with {remote}: {incoming} in, nothing out (this desk's damage, listed below, must be "
                 "repaired first)").format(remote=result.remote, incoming=_count(result.incoming))
    else:
        line = _("Synced with {remote}: {incoming} in, {outgoing} out").format(
            remote=result.remote, incoming=_count(result.incoming), outgoing=_count(result.outgoing))
    if result.renamed:
        line += ", " + _("{n} id collision(s) resolved").format(n=len(result.renamed))
    if result.rounds > 1:
        line += " " + _("(after {n} tries: other desks pushed in between)").format(n=result.rounds)
    click.echo(line)
    for tid, n in result.conflicts.items():
        # Not a failure of sync: two desks acted apart, and an officer decides.
        click.echo(_("Warning: {id}: {n} conflict(s) for an officer to settle (`lpsectl show {id}`)")
                   .format(id=tid, n=n), err=True)
    problems = [_("{problem} (this desk's file: nothing was pushed; repair it, commit, and sync again)")
                .format(problem=d) for d in result.refused]
    problems += [_("{problem} (damaged on this desk before this sync; repair it and commit; "
                   "`lpsectl check` lists every problem)").format(problem=d) for d in result.damaged_here]
    problems += [_("{problem} (came in with sync; `lpsectl check` lists every problem)").format(problem=d)
                 for d in result.damaged]
    problems += [_("duplicate id {id}: {paths}; both are kept: give one of them a new id "
                   "(`lpsectl check` lists it)").format(id=tid, paths=", ".join(paths))
                 for tid, paths in result.duplicates.items()]
    for p in problems:
        click.echo(_("Error: {problem}").format(problem=p), err=True)
    if problems:
        click.get_current_context().exit(1)


def _count(changes: list) -> str:
    new = sum(1 for c in changes if c.status == "new")
    changed = len(changes) - new
    if not changes:
        return _("nothing")
    return _("{n} ticket(s) ({new} new, {changed} changed)").format(n=len(changes), new=new, changed=changed)


@click.command("merge-file", hidden=True)
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("path")
def merge_file_cmd(base: str, ours: str, theirs: str, path: str) -> None:
    """git merge driver: merge one ticket file by rule (see .gitattributes).

    Writes the result over OURS; exit 0 when merged, 1 when a conflict is
    left for a person (a version that is no readable ticket).
    """
    from pathlib import Path

    from lpsectl import merge
    from lpsectl.gitrepo import git_dir_of

    result = merge.merge_files(Path(base), Path(ours), Path(theirs), path)
    if result.renamed:
        merge.record_rename(git_dir_of(Path.cwd()), result.renamed)
    for m in result.messages:
        click.echo(m, err=True)
    if not result.clean:
        click.get_current_context().exit(1)


COMMANDS: list = [sync_cmd, merge_file_cmd]
