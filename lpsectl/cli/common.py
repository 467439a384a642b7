"""Shared pieces of the commands: recording an action, printing results."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Sequence, TypeVar, Union

import click

from lpsectl.app import App, open_calendar_index, terminal_safe  # noqa: F401  (the commands' too)
from lpsectl.app import index_here as _index
from lpsectl.i18n import _

if TYPE_CHECKING:
    from pathlib import Path  # imported where used: --help goes without it

T = TypeVar("T")
at_option = click.option(
    "--at", "at", metavar="TIME",
    help="When it happened: 2026-08-13T09:15 (ISO 8601) or 13/08/2026 09.15 (day first), "
         "in the office's time zone unless an offset is given. Default: now.",
)
message_option = click.option("-m", "--message", "message", metavar="TEXT", help="The text.")


def warn(text: str) -> None:
    click.echo(_("Warning: {problem}").format(problem=text), err=True)


def commit(app: App, paths: Sequence[Union[Path, str]], message: str, operator: str,
           packed: Sequence[str] = ()) -> None:
    hd = app.helpdesk()
    if hd.git is None:
        if not app.warned_no_git:
            warn(_no_git(hd.root))
            app.warned_no_git = True
        return
    hd.commit(list(paths), message, operator, packed)


def _no_git(root: Path) -> str:
    return _("{path} is not in a git repository: nothing is being recorded in an audit trail "
             "(run `git init` there, then `lpsectl init`)").format(path=root)


def save(app: App, t: Any, message: str, operator: str) -> Path:
    """Write ``t`` as one commit (:meth:`Helpdesk.record`): an action that fails leaves no trace."""
    hd = app.helpdesk()
    if hd.git is None and not app.warned_no_git:
        warn(_no_git(hd.root))
        app.warned_no_git = True
    try:
        return hd.record(t, message, operator)
    finally:
        while hd.warnings:
            warn(hd.warnings.pop(0))


def record(app: App, id_text: str, at: Optional[str], action: str,
           change: Callable[..., Any], detail: Callable[[Any], str] = lambda t: "") -> Any:
    """Load, change and save one ticket under the lock; one commit.

    ``change(ticket, act)`` raises to refuse; nothing is written then.
    """
    from lpsectl.workflow import make_act

    hd = app.helpdesk()
    operator = app.operator()
    with hd.locked():
        t = hd.load_for_change(id_text)
        act = make_act(operator, at, hd.tz)
        change(t, act)
        save(app, t, f"{action} {t.id}{detail(t)}", operator)
    return t


def local(t: Any, tz: Any, seconds: bool = False) -> str:
    """:func:`lpsectl.views.local`, imported when first needed (``--help`` stays light)."""
    from lpsectl.views import local as view

    return view(t, tz, seconds)


def write_output(text: str, output: str) -> None:
    """Write ``text`` to the file ``-o`` names (its path said on stderr).

    A regular file is replaced atomically. A device or a named pipe
    (``/dev/null``, ``/dev/stdout``, a FIFO a script reads) is written into,
    never replaced: renaming a file over it would put a plain file where the
    device was, for the whole machine when run as root.
    """
    import stat
    from pathlib import Path

    from lpsectl.errors import BadInput
    from lpsectl.store import atomic_write

    if not output.strip():
        raise BadInput(_("-o needs a file name; leave -o out to print the result"))
    path = Path(output)
    if not path.parent.is_dir():  # a typo in the folder should not make folders
        raise BadInput(_("cannot write {output}: no such folder {parent}; make it first").format(output=output, parent=path.parent))
    data = text.encode("utf-8")
    try:
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            mode = stat.S_IFREG
        if stat.S_ISDIR(mode):
            raise BadInput(_("cannot write {output}: it is a folder; give a file name").format(output=output))
        if stat.S_ISREG(mode):
            atomic_write(path, data)
        else:
            with open(path, "wb") as f:
                f.write(data)
    except OSError as exc:
        raise BadInput(_("cannot write {output}: {problem}").format(output=output, problem=exc.strerror or exc)) from None
    click.echo(_("Wrote {output}").format(output=output), err=True)


def echo_json(data: Any) -> None:
    from lpsectl.textout import json_text

    click.echo(json_text(data))


def echo_chunks(chunks: Iterable[bytes]) -> None:
    """UTF-8 text written as it comes, and a newline: no 30 MB string decoded, joined or encoded again.

    A stdout that takes only text (the demo's steps write into a StringIO)
    gets each chunk decoded: each is whole characters.
    """
    text_only = not _takes_bytes(sys.stdout)
    for chunk in chunks:
        click.echo(chunk.decode("utf-8") if text_only else chunk, nl=False)
    click.echo("" if text_only else b"")


def _takes_bytes(stream: Any) -> bool:
    """Whether click can write bytes to ``stream``: a binary stream, or a text stream over one."""
    import io

    return isinstance(stream, (io.RawIOBase, io.BufferedIOBase)) or hasattr(stream, "buffer")


def echo_csv_rows(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> None:
    """CSV with the cells of :mod:`lpsectl.csvcells`: lowercase true/false, no runnable formula."""
    from lpsectl.csvcells import table

    click.echo(table(columns, rows), nl=False)


def echo_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    from lpsectl.textout import table_text

    click.echo(terminal_safe(table_text(rows, headers)))


def echo_table_text(table: Any) -> None:
    """A table made in SQL (:class:`lpsectl.listing.TableText`), as :func:`echo_table` prints one made from its cells.

    Written as the UTF-8 it is; escaped for the terminal, as every table
    is, only when a cell that is not printable ASCII needs it.
    """
    text = table.text
    if table.odd and terminal_safe(table.odd) != table.odd:
        text = terminal_safe(text.decode("utf-8")).encode("utf-8")
    echo_chunks([text])


# Work on fewer items than this is over before a progress bar would say anything.
PROGRESS_FROM = 500


def shows_progress(count: int) -> bool:
    """Whether work on ``count`` items gets a progress bar: long work, and stderr a terminal."""
    return count >= PROGRESS_FROM and sys.stderr.isatty()


@contextmanager
def progress_bar(items: list, label: str) -> Iterator[Iterable]:
    """A progress bar on stderr when it is a terminal and the work is long (:func:`shows_progress`)."""
    if not shows_progress(len(items)):
        yield items
        return
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield bar


def _tracked(label: str) -> Callable[[list], Iterator]:
    def track(items: list) -> Iterator:
        with progress_bar(items, label) as bar:
            yield from bar
    return track


def load_all(app: App):
    """Every ticket read from its file, with a progress bar on a terminal; damage is reported by the caller."""
    return app.helpdesk().load_all(track=_tracked(_("Reading tickets")))


def open_index(app: App):
    """The helpdesk's index, brought up to date; None to read the ticket files instead.

    ``LPSECTL_NO_INDEX=1`` bypasses it (the tests compare both ways), as
    does a helpdesk where it cannot be kept (a read-only folder).
    """
    from lpsectl.index import IndexUnavailable

    ix = _index(app)
    if ix is None:
        return None
    try:
        ix.refresh(track=_tracked(_("Indexing tickets")))
    except IndexUnavailable:
        return None
    return ix


def from_index(app: App, compute: Callable[[Any], T]) -> Optional[T]:
    """``compute(index)`` from an index git confirms is up to date; None to read the ticket files instead.

    As :func:`reading_index` gives it, for an answer that reads nothing
    more of the index once computed.
    """
    with reading_index(app, compute) as answer:
        return answer


@contextmanager
def reading_index(app: App, compute: Callable[[Any], T],
                  ahead: Optional[Callable[[T, Callable[[], bool]], None]] = None) -> Iterator[Optional[T]]:
    """``compute(index)`` from an index git confirms is up to date, used while the index's read is open; None without one.

    git's look at the files (:mod:`lpsectl.gitlook`, started by the console
    script before anything heavy was imported, else here) runs while
    ``compute`` works on the index as it stands. Its answer is kept only if
    git then finds nothing changed since the index's last update; otherwise
    the index is brought up to date, under its write lock as always, and
    ``compute`` runs again. ``compute`` only reads (it may run twice) and
    never returns None. The answer is given inside the index's read, so
    what it reads only as it is written (a long listing's texts,
    :class:`lpsectl.listing.Texts`) is read from the same state of the
    index; ``ahead(answer, busy)`` reads some of it while git is still
    looking (``busy()``), so that work is not left until git answers.
    ``LPSECTL_NO_INDEX=1`` and a helpdesk where the index cannot be kept
    give None, as :func:`open_index` does.
    """
    from lpsectl.index import IndexUnavailable

    ix = _index(app)
    if ix is None:
        yield None
        return
    look = None
    try:
        try:
            look = ix.start_look()
            meta = ix.begin_read()
            answer = None
            if meta is not None:
                answer = compute(ix)
                if ahead is not None and look is not None:
                    ahead(answer, look.running)
                if not ix.confirms(meta, look):
                    answer = None
                    ix.end_read()
            if answer is None:
                if look is not None:
                    look.discard()  # unread, when the index must be built or derived again: the update looks again
                ix.update(track=_tracked(_("Indexing tickets")))
                ix.begin_read()
                answer = compute(ix)
        except IndexUnavailable:
            answer = None
        yield answer
    finally:
        ix.end_read()
        if look is not None:
            look.discard()  # when not waited for: compute failed
        ix.keep_calendar()
        ix.close()


def load_ticket(app: App, id_text: str):
    """The ticket an id or an id prefix names (:meth:`Helpdesk.resolve`: the file names there now)."""
    return app.helpdesk().load(id_text)


def index_damage(app: App, ix) -> list:
    """The damage of the files the index passed over, read again so each says why."""
    from lpsectl.errors import Damaged

    hd = app.helpdesk()
    out = []
    for path in ix.damaged_paths():
        try:
            hd.read_checked(path)
        except Damaged as exc:
            out.append(exc)
        except OSError:
            pass  # gone since the index looked
    return out


def report_damage(damaged: list, what: str = "") -> None:
    """One error line per damaged file; ``what`` says what was done with it (default: passed over)."""
    for d in damaged:
        click.echo(_("Error: {problem} ({what}; `lpsectl check` lists every problem)")
                   .format(problem=d, what=what or _("passed over")), err=True)


def interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
