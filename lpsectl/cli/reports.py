"""Commands: report, receipt."""

from __future__ import annotations

from typing import Iterator, Optional

import click

from lpsectl.cli import App, pass_app
from lpsectl.cli.common import (
    from_index, index_damage, load_all, load_ticket, open_calendar_index, progress_bar, report_damage,
    terminal_safe, write_output,
)
from lpsectl.errors import BadInput
from lpsectl.i18n import _

# -o FILE: the format its extension names.
_BY_EXTENSION = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
                 ".csv": "csv", ".json": "json", ".txt": "txt"}


def _format(command: str, given: Optional[str], output: Optional[str], allowed: tuple[str, ...],
            default: str) -> str:
    """The format to write: ``--format``, else what the ``-o`` file's extension names, else ``default``.

    A file whose extension names no format of this command is refused: a
    ``rekap.pdf`` holding Markdown would fool whoever opens it.
    """
    if output is not None and not output.strip():
        raise BadInput(_("-o needs a file name; leave -o out to print the result"))
    fmt = None
    if given is not None:
        fmt = given.strip().lower()
        if fmt not in allowed:
            raise BadInput(_("unknown format {given!r}; use {allowed}").format(given=given, allowed=", ".join(allowed)))
    from pathlib import Path

    suffix = Path(output).suffix.lower() if output else ""
    if not suffix:
        return fmt or default
    named = _BY_EXTENSION.get(suffix)
    if named not in allowed:
        endings = [f".{f}" for f in allowed]
        if suffix == ".pdf" and "html" in allowed:
            raise BadInput(_("-o {output}: {command} writes no {suffix} file; end the file name in {endings} or "
                             "{last}; to make a PDF, print the HTML report from a browser").format(
                output=output, command=command, suffix=suffix, endings=", ".join(endings[:-1]), last=endings[-1]))
        raise BadInput(_("-o {output}: {command} writes no {suffix} file; end the file name in {endings} or {last}")
                       .format(output=output, command=command, suffix=suffix, endings=", ".join(endings[:-1]),
                               last=endings[-1]))
    if fmt is not None and named != fmt:
        raise BadInput(_("--format {format} but -o {output} names {named}; give one of them to match the other")
                       .format(format=fmt, output=output, named=named))
    return named


def _lang(app: App, lang: Optional[str]) -> str:
    return lang.lower() if lang else app.lang()


def _emit(text: str, output: Optional[str], fmt: str) -> None:
    """The result on stdout, or written to ``output`` (see :func:`write_output`)."""
    if fmt in ("md", "txt"):  # plain text that ends up on a terminal or a printer
        text = terminal_safe(text)
    if not output:
        click.echo(text, nl=False)
        return
    write_output(text, output)


def _tracked(items: list) -> Iterator:
    """The tickets being measured, behind a progress bar on a terminal."""
    with progress_bar(items, _("Computing figures")) as bar:
        yield from bar


@click.command("report")
@click.option("--month", metavar="YYYY-MM", help="A calendar month.")
@click.option("--year", metavar="YYYY", help="A calendar year, with the trend month by month.")
@click.option("--from", "date_from", metavar="D", help="First day of the period (2026-08-01 or 01/08/2026).")
@click.option("--to", "date_to", metavar="D", help="Last day of the period (default: today).")
@click.option("--format", "-f", "fmt", metavar="md|html|csv|json",
              help="Output format (default md, or what the -o file's extension names).")
@click.option("--public", is_flag=True, help="Leave out every personal value and all written text.")
@click.option("--lang", type=click.Choice(["id", "en"], case_sensitive=False),
              help="Language of the document (default: the interface language: --lang before the command, "
                   "LPSECTL_LANG, else language in lpsectl.yaml).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@pass_app
def report_cmd(app: App, month: Optional[str], year: Optional[str], date_from: Optional[str],
               date_to: Optional[str], fmt: Optional[str], public: bool, lang: Optional[str],
               output: Optional[str]) -> None:
    """The recap (rekapitulasi) of the tickets opened in a period.

    Figures are as of the end of the period (or now, for a period still
    running): totals; counts by channel, kind, category, status and highest
    tier; first response and resolution on time and late in working days,
    open tickets past their deadline, median working days; the satisfaction
    index (IKM) and its grade. Default period: the current month.

    \b
    Examples:
      lpsectl report                              this month, Markdown
      lpsectl report --month 2026-08 -o agustus.html
      lpsectl report --year 2026 --public --format csv
      lpsectl report --from 2026-07-01 --to 2026-09-30 --lang en
    """
    from lpsectl import reports

    fmt = _format("report", fmt, output, reports.REPORT_FORMATS, "md")
    hd = app.helpdesk()
    from lpsectl.clock import now as clock_now

    now = clock_now(hd.tz)
    period = reports.parse_period(month, year, date_from, date_to, today=now.date())
    language = _lang(app, lang)
    answer = from_index(app, lambda ix: (reports.figures_from_index(ix, hd.config, hd.calendar, period, now,
                                                                    public=public, as_json=fmt == "json"),
                                         index_damage(app, ix)))
    if answer is None:
        loaded = load_all(app)
        damaged = loaded.damaged
        fig = reports.figures(loaded.tickets, hd.config, hd.calendar, period, now, public=public, track=_tracked)
    else:
        fig, damaged = answer
    _emit(reports.render_report(fig, fmt, language, hd.tz, hd.root), output, fmt)
    if damaged:
        report_damage(damaged, _("left out of the figures"))
        click.get_current_context().exit(1)


@click.command("receipt")
@click.argument("ticket_id", metavar="ID")
@click.option("--format", "-f", "fmt", metavar="txt|html",
              help="txt (default: to print on a receipt printer or read aloud) or html.")
@click.option("--lang", type=click.Choice(["id", "en"], case_sensitive=False),
              help="Language of the document (default: the interface language: --lang before the command, "
                   "LPSECTL_LANG, else language in lpsectl.yaml).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@pass_app
def receipt_cmd(app: App, ticket_id: str, fmt: Optional[str], lang: Optional[str],
                output: Optional[str]) -> None:
    """The receipt (tanda terima) of a ticket, for a walk-in or to read to a caller.

    It shows the office, the ticket id, when and how it was received, the
    reporter's name, the subject, the deadlines and how to follow up.

    \b
    Examples:
      lpsectl receipt 2608-K7QM
      lpsectl receipt K7QM --format html -o tanda-terima.html
    """
    from lpsectl import clock, reports

    fmt = _format("receipt", fmt, output, reports.RECEIPT_FORMATS, "txt")
    hd = app.helpdesk()
    t = load_ticket(app, ticket_id)
    ix = open_calendar_index(app)
    data = reports.receipt_data(t, hd.config, hd.calendar, clock.now(hd.tz))
    if ix is not None:
        ix.keep_calendar()
        ix.close()
    _emit(reports.render_receipt(data, fmt, _lang(app, lang), hd.tz, hd.root), output, fmt)


COMMANDS = [report_cmd, receipt_cmd]
