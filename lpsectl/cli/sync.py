"""Commands: sync, and merge-file (the git merge driver, hidden)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from lpsectl.cli import App, pass_app


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
        click.echo("committed  .gitattributes (ticket files now merge by rule)")
    for tid in result.committed:
        click.echo(f"committed  {tid} (it was left uncommitted)")
    for tid in result.restored:
        click.echo(f"restored   {tid} (its file was behind git: an interrupted command)")
    for c in result.incoming:
        click.echo(f"in   {c.status:<8} {c.id}")
    for r in result.renamed:
        click.echo(f"kept both  {r.old_id}: {result.remote}'s ticket keeps the id, "
                   f"this desk's ticket is now {r.new_id}")
    for c in result.outgoing:
        click.echo(f"out  {c.status:<8} {c.id}")
    for tid in sorted(result.erased):
        click.echo(f"erased     {tid} (its personal data left this clone's history)")
    if result.erased:
        click.echo("Warning: git keeps the old versions until `git reflog expire --expire=now --all && "
                   "git gc --prune=now` is run in this clone", err=True)
    out = (f"{_count(result.outgoing)} out" if not result.refused
           else "nothing out (this desk's damage, listed below, must be repaired first)")
    click.echo(f"Synced with {result.remote}: {_count(result.incoming)} in, {out}"
               + (f", {len(result.renamed)} id collision(s) resolved" if result.renamed else "")
               + (f" (after {result.rounds} tries: other desks pushed in between)" if result.rounds > 1 else ""))
    for tid, n in result.conflicts.items():
        # Not a failure of sync: two desks acted apart, and an officer decides.
        click.echo(f"Warning: {tid}: {n} conflict(s) for an officer to settle (`lpsectl show {tid}`)", err=True)
    problems = [f"{d} (this desk's file: nothing was pushed; repair it, commit, and sync again)"
                for d in result.refused]
    problems += [f"{d} (damaged on this desk before this sync; repair it and commit; "
                 "`lpsectl check` lists every problem)" for d in result.damaged_here]
    problems += [f"{d} (came in with sync; `lpsectl check` lists every problem)" for d in result.damaged]
    problems += [f"duplicate id {tid}: {', '.join(paths)}; both are kept: give one of them a new id "
                 "(`lpsectl check` lists it)" for tid, paths in result.duplicates.items()]
    for p in problems:
        click.echo(f"Error: {p}", err=True)
    if problems:
        click.get_current_context().exit(1)


def _count(changes: list) -> str:
    new = sum(1 for c in changes if c.status == "new")
    changed = len(changes) - new
    if not changes:
        return "nothing"
    return f"{len(changes)} ticket(s) ({new} new, {changed} changed)"


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
