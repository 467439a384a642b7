"""Commands: import import-mail."""

from __future__ import annotations

import os
import sys
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional

import click

from lpsectl.cli import App, pass_app
from lpsectl.cli.common import commit, progress_bar, shows_progress, terminal_safe, warn
from lpsectl.errors import LpseError
from lpsectl.i18n import _, ngettext

if TYPE_CHECKING:
    from pathlib import Path


@contextmanager
def _term_as_interrupt() -> Iterator[None]:
    """A `kill` (SIGTERM) unwinds like Ctrl-C, so the import rolls back at once."""
    import signal

    def handler(signum, frame):  # noqa: ANN001
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError, AttributeError):  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


@contextmanager
def _staged(app: App) -> Iterator:
    """The helpdesk lock and a staging folder: all of it lands, or none."""
    from lpsectl.intake.staging import Staging

    hd = app.helpdesk()
    # Taking the lock also rolls back an import that was killed (store.py).
    with _term_as_interrupt(), hd.locked():
        stage = Staging.create(hd)
        try:
            yield stage
        except BaseException:
            stage.rollback()
            raise
        finally:
            stage.discard()


@contextmanager
def _reading(table: Any, rows: int, label: str) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when ``rows`` get one (:func:`shows_progress`), moved by how much of ``table`` is read.

    Yields what moves it to where the rows taken so far have read
    (``table.taken`` of ``table.size``): the rows are read as they are
    checked, so their number is known only at the end.
    """
    if not shows_progress(rows):
        yield lambda: None
        return
    with click.progressbar(length=max(table.size, 1), label=label, file=sys.stderr) as bar:
        def move() -> None:
            bar.update(table.taken - bar.pos)
        yield move


def _index_before_import(app: App):
    """The index, up to date before the import writes, so the import can add its rows; or None."""
    from lpsectl.cli.common import open_index

    hd = app.helpdesk()
    if hd.git is None:
        return None
    return open_index(app)


def _as_path(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A path argument as a Path, or a tuple of them (pathlib imported here: --help goes without it)."""
    from pathlib import Path

    return tuple(Path(v) for v in value) if isinstance(value, tuple) else Path(value)


@click.command("import")
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False), callback=_as_path)
@click.option("--encoding", metavar="ENC", help="Text encoding of a CSV file (default UTF-8, with or without BOM; e.g. cp1252).")
@click.option("--sheet", metavar="NAME", help="The sheet of an .xlsx workbook (default: the first).")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@pass_app
def import_cmd(app: App, file: Path, encoding: Optional[str], sheet: Optional[str], dry_run: bool) -> None:
    """Bulk-load past records from a CSV or .xlsx file: all rows or none, one commit.

    The header row names the columns: channel and created_at, subject or
    message, and any of kind, name, address, phone, email, account, role,
    category, difficulty, ref, tier, status, answer, answered_at, closed_at,
    resolution. Dates are ISO 8601 or day first (13/08/2026 09:15). A
    semicolon-separated CSV, as a spreadsheet under an Indonesian locale
    saves it, is read as well. Reading .xlsx needs `pip install 'lpsectl[xlsx]'`.

    Every row is checked first; one bad row rejects the whole file, and
    each bad row is listed with its number and what is wrong.

    \b
    Examples:
      lpsectl import rekap-2024.csv
      lpsectl import --dry-run pengaduan-2023.xlsx
    """
    from itertools import chain, islice

    from lpsectl import clock, index
    from lpsectl.index import RowSpool
    from lpsectl.intake import IdMaker
    from lpsectl.intake.table import BadRows, Task, check_in_worker, check_task, checked, holidays_of, read

    hd = app.helpdesk()
    operator = app.operator()
    table = read(file, encoding, sheet)
    now = clock.now(hd.tz)
    with _staged(app) as stage:
        ix = None if dry_run else _index_before_import(app)
        tickets = str(hd.tickets_dir)
        stage_to = None if dry_run else stage.staged_folder(tickets)
        rows = RowSpool(stage.dir / "rows") if ix is not None else None  # removed with the stage
        # Each task's files as git packs them, so its commit reads no ticket file again.
        packed: list[str] = []
        # The rows are read as they are checked: the first ones say whether the file is worth several processes.
        head = list(islice(table.rows, index.PARALLEL_FROM))
        parallel = ix is not None and ix.parallel(len(head))

        def tasks(jobs: Iterable) -> Iterator[Task]:
            for job in jobs:
                task = Task(job, operator, now, stage_to)
                if rows is not None:
                    task.spool = rows.part()
                    task.packed = os.path.join(str(stage.dir), "packed", f"{len(packed):06d}")
                    packed.append(task.packed)
                if parallel:  # computed once here, not in every worker
                    task.holidays = holidays_of(job, hd.calendar)
                moved()
                yield task

        if ix is not None and parallel:
            # Several processes check the rows, write each good row's file and make its index row.
            def each(jobs: Iterable) -> Iterable:
                return ix.in_workers(check_in_worker, tasks(jobs))
        else:
            ctx, sha256 = ix.context() if ix is not None else (None, False)

            def each(jobs: Iterable) -> Iterable:
                return (c for task in tasks(jobs) for c in check_task(task, hd.tz, ctx, sha256))

        n = 0
        try:
            with _reading(table, len(head), _("Checking rows")) as moved:
                made = checked(table, chain(head, table.rows), IdMaker(hd), hd.tz, each)
                del head  # each row is held only until it is checked
                with closing(made):  # no process writes on once this ends (a failure discards the stage)
                    for ticket in made:
                        n += 1
                        if ticket is None:
                            continue  # --dry-run: checked, nothing made
                        rel, data = ticket
                        dest = os.path.join(tickets, *rel.split("/"))
                        if data is None:
                            stage.note(dest, fresh=True)
                        else:
                            stage.add(dest, data, fresh=True)
        except BadRows as exc:
            for p in exc.problems:
                click.echo(str(p), err=True)
            raise
        if dry_run:
            click.echo(_("{source}: all {rows} rows are good; nothing was written (--dry-run)")
                       .format(source=table.source, rows=n))
            return
        message = f"import {n} ticket{'s' if n != 1 else ''} from {file.name}"
        paths = stage.install(message, operator)
        parent = hd.git.head() if hd.git is not None else None
        before = ix.state_key() if ix is not None and rows is not None else None
        if shows_progress(n):
            click.echo(_("Recording the commit ..."), err=True)

        def record() -> Optional[str]:
            commit(app, paths, message, operator, packed)
            return hd.git.head() if hd.git is not None else None

        if ix is not None and rows is not None and before is not None and parent:
            # The index learns the new tickets from the rows made while writing
            # them, put in while git records the commit (they count once it has).
            ix.add_committed(rows.read(), before, parent, record, count=n)
        else:
            record()
        if ix is not None:
            ix.close()
    click.echo(ngettext("Imported {n} ticket from {source}", "Imported {n} tickets from {source}", n)
               .format(n=n, source=table.source))


@click.command("import-mail")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(), callback=_as_path)
@click.option("-v", "--verbose", is_flag=True,
              help="Also list mail imported before, and problems earlier runs reported.")
@pass_app
def import_mail_cmd(app: App, paths: tuple[Path, ...], verbose: bool) -> None:
    """Tickets from .eml files, mbox files and Maildir folders; one commit per run.

    Each mail opens an email ticket: the reporter from From (else Reply-To,
    else Sender), the subject, the text (HTML mail turned into text), the
    time from Date, attachments saved under attachments/<id>/ beside the
    ticket up to attachment_max_bytes of lpsectl.yaml. A reply to a known
    ticket (its id in the subject, or In-Reply-To/References naming a mail
    already imported) becomes a followup on it. A mail imported before adds
    nothing and is only counted (--verbose lists it).

    A mail that cannot be read is skipped and reported in full the first
    time (exit 1); later runs only count it and exit 0 unless something new
    went wrong, so the command can run from cron over a mailbox that keeps
    its mail. What was reported is remembered in .lpsectl/ (disposable).

    \b
    Examples:
      lpsectl import-mail ~/Maildir/lpse
      lpsectl import-mail Inbox.mbox pengaduan-1.eml pengaduan-2.eml
    """
    from lpsectl import clock
    from lpsectl.intake.mail import Reported, import_mail

    hd = app.helpdesk()
    operator = app.operator()
    now = clock.now(hd.tz)
    with _staged(app) as stage:
        run = import_mail(hd, list(paths), operator, now, stage, progress_bar)
        opened, followups = run.count("opened"), run.count("followup")
        if run.changed:
            parts = []
            if opened:
                parts.append(f"{opened} ticket{'s' if opened != 1 else ''}")
            if followups:
                parts.append(f"{followups} follow-up{'s' if followups != 1 else ''}")
            message = "import-mail: " + ", ".join(parts)
            ids = sorted(run.changed)
            if len(ids) <= 3:
                message += " (" + ", ".join(ids) + ")"
            touched = stage.install(message, operator)
            commit(app, touched, message, operator)
        # Only now, with the tickets recorded: a run that failed tells it all again.
        reported = Reported.load(hd)
        told = [o for o in run.outcomes if o.action == "own"]
        new_problems = [p for p in run.problems if p.key not in reported]
        old_problems = [p for p in run.problems if p.key in reported]
        new_notes = [o for o in told if o.key not in reported]
        if reported.remember([p.key for p in run.problems] + [o.key for o in told], now):
            try:
                reported.save()
            except OSError as exc:
                warn(_("cannot write {path} ({problem}); the next run reports these mails in full again")
                     .format(path=reported.path, problem=exc.strerror or exc))
    for o in run.outcomes:
        if o.action in ("opened", "followup"):
            click.echo(terminal_safe(f"{o.ticket}  {o.action:<8}  {o.subject or ''}".rstrip()))
    mail = hd.config.mail
    if mail is not None and mail.acknowledge:  # recorded first: a receipt that cannot go waits in the outbox
        from lpsectl.cli.mail import send_receipts

        send_receipts(app, [run.changed[o.ticket] for o in run.outcomes
                            if o.action == "opened" and o.ticket not in run.automatic], app.mail_lang())
    for w in run.warnings:
        warn(w)
    for o in told:
        if o.note and (verbose or o in new_notes):
            warn(o.note)
    if verbose:
        for o in run.outcomes:
            if o.action == "duplicate":
                click.echo(_("{path}: message {number}: already imported as {id}")
                           .format(path=o.ref.path, number=o.ref.number, id=o.ticket), err=True)
        for p in old_problems:
            click.echo(_("{problem}; skipped (reported before)").format(problem=p), err=True)
    for p in new_problems:
        click.echo(_("{problem}; skipped").format(problem=p), err=True)
    dup = run.count("duplicate")
    counts = [ngettext("{n} new ticket", "{n} new tickets", opened).format(n=opened),
              ngettext("{n} follow-up", "{n} follow-ups", followups).format(n=followups)]
    if dup:
        counts.append(_("{n} already imported").format(n=dup))
    if old_problems:
        counts.append(_("{n} unreadable reported before").format(n=len(old_problems)))
    summary = ", ".join(counts)
    if new_problems:
        n = len(new_problems)
        raise LpseError(ngettext("{n} mail could not be read and was skipped ({summary}); see the lines above",
                                 "{n} mails could not be read and were skipped ({summary}); see the lines above", n)
                        .format(n=n, summary=summary))
    click.echo(summary, err=True)


COMMANDS: list = [import_cmd, import_mail_cmd]
