"""Shared pieces of the commands: recording an action, printing results."""

from __future__ import annotations

import functools
import gc
import json
import re
import sys
from contextlib import contextmanager
from operator import itemgetter
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

import click

from lpsectl.cli import App

at_option = click.option(
    "--at", "at", metavar="TIME",
    help="When it happened: 2026-08-13T09:15 (ISO 8601) or 13/08/2026 09.15 (day first), "
         "in the office's time zone unless an offset is given. Default: now.",
)
message_option = click.option("-m", "--message", "message", metavar="TEXT", help="The text.")


# Control characters a reporter's text may carry (a mail subject with
# terminal escape codes): shown as \xNN so they cannot drive the terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character but newline and tab made visible."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def warn(text: str) -> None:
    click.echo(f"Warning: {text}", err=True)


def commit(app: App, paths: Sequence[Path], message: str, operator: str) -> None:
    hd = app.helpdesk()
    if hd.git is None:
        if not app.warned_no_git:
            warn(f"{hd.root} is not in a git repository: nothing is being recorded in an audit trail "
                 "(run `git init` there, then `lpsectl init`)")
            app.warned_no_git = True
        return
    hd.commit(list(paths), message, operator)


def save(app: App, t: Any, message: str, operator: str) -> Path:
    """Write ``t`` as one commit (:meth:`Helpdesk.record`): an action that fails leaves no trace."""
    hd = app.helpdesk()
    if hd.git is None and not app.warned_no_git:
        warn(f"{hd.root} is not in a git repository: nothing is being recorded in an audit trail "
             "(run `git init` there, then `lpsectl init`)")
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


def local(t: Optional[datetime], tz: tzinfo, seconds: bool = False) -> str:
    if t is None:
        return "-"
    lt = t.astimezone(tz)
    name = lt.tzname() or ""
    if name.startswith(("+", "-")):
        name = "UTC" + name
    if lt.year >= 1000:  # isoformat is strftime's text here, at half the cost (a listing has 66,000)
        text = lt.isoformat(" ", "seconds")[:19] if seconds else lt.isoformat(" ", "minutes")[:16]
    else:
        text = lt.strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))
    return text + (f" {name}" if name else "")


class LocalTimes:
    """:func:`local` for many times, each distinct moment formatted once (a listing's due dates repeat)."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        # Keyed by the moment: equal aware datetimes are one instant, one local text.
        self._done: dict[datetime, str] = {}

    def __call__(self, t: datetime) -> str:
        text = self._done.get(t)
        if text is None:
            text = self._done[t] = local(t, self.tz)
        return text


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def echo_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    """CSV with the cells of :mod:`lpsectl.csvcells`: lowercase true/false, no runnable formula."""
    from lpsectl.csvcells import table

    click.echo(table(columns, ([row.get(c) for c in columns] for row in rows)), nl=False)


def echo_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    text = _simple_table(rows, headers)
    if text is None:
        from tabulate import tabulate

        text = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    click.echo(terminal_safe(text))


# Text whose width is its length for tabulate, with or without wcwidth: ASCII
# printables and the Latin letters and punctuation of Indonesian text (no
# spaces other than ' ', no combining marks, controls or wide characters);
# the tab separates the cells of a row, the newline the rows.
_NARROW_TABLE = re.compile("[\t\n\x20-\x7e\u00a1-\u00ac\u00ae-\u024f\u2010-\u2027\u2030-\u205e]*")


def _simple_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> Optional[str]:
    """tabulate's "simple" table, the same text, for rows of narrow strings; None otherwise.

    tabulate spends seconds on a listing of 60,000 tickets finding out what
    each cell is; these cells are known to be plain text. Left-aligned
    columns, at least two wider than their header, rows without trailing
    blanks, as tabulate lays them out (tests/cli/test_table.py compares).
    """
    if not rows:
        return None
    n = len(headers)
    if any(len(row) != n for row in (headers, *rows)):
        return None
    # One match for the whole table: cells joined by tabs, rows by newlines;
    # counting both shows no cell holds either.
    try:
        lines = list(map("\t".join, (headers, *rows)))
    except TypeError:
        return None  # not all text
    joined = "\n".join(lines)
    if (joined.count("\t") != (n - 1) * len(lines) or joined.count("\n") != len(lines) - 1
            or not _NARROW_TABLE.fullmatch(joined)):
        return None
    if (joined[:1] == " " or joined[-1:] == " " or " \t" in joined or "\t " in joined
            or " \n" in joined or "\n " in joined):
        return None  # tabulate would strip those blanks
    widths = [max(len(h) + 2, max(map(len, map(itemgetter(i), rows)))) for i, h in enumerate(headers)]
    # Every cell is text: %-Ns pads it as {:<N} would, a little faster.
    fmt = "  ".join(f"%-{w}s" for w in widths)
    lines = [(fmt % tuple(headers)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += [(fmt % tuple(row)).rstrip() for row in rows]
    return "\n".join(lines)


@contextmanager
def progress_bar(items: list, label: str) -> Iterator[Iterable]:
    """A progress bar on stderr when it is a terminal and the work is long."""
    if len(items) < 500 or not sys.stderr.isatty():
        yield items
        return
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield bar


def load_all(app: App):
    """Every ticket, with a progress bar on a terminal; damage is reported by the caller.

    Tickets come from the cache when their file is unchanged: the bar shows
    only the files that must be parsed (the first run after a clone or an
    upgrade, or after many changes).
    """
    def track(paths: list) -> Iterator:
        with progress_bar(paths, "Reading tickets") as bar:
            yield from bar

    # Its callers run under without_collector: the collector does not walk
    # 100,000 tickets again and again while they are assessed.
    return app.helpdesk().load_all(track=track)


def without_collector(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``command`` with the cyclic garbage collector paused, then as it was.

    A listing makes an assessment and a row for each of 100,000 tickets,
    none of them in a cycle; collections triggered by them only walk the
    growing heap again and again, which cost a third of the listing.
    """
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        collecting = gc.isenabled()
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()
    return run


def report_damage(damaged: list, what: str = "passed over") -> None:
    for d in damaged:
        click.echo(f"Error: {d} ({what}; `lpsectl check` lists every problem)", err=True)


def interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
