"""The day at the desk: today."""

from __future__ import annotations

from typing import Optional

import click

from lpsectl.cli import App, pass_app
from lpsectl.cli.common import echo_chunks, echo_table, index_damage, load_all, local, reading_index, report_damage
from lpsectl.errors import BadInput
from lpsectl.i18n import _


# The tickets of one section shown in the text page: it is one screen for
# the start of the day; --json, and the list command each section names, give them all.
SHOWN = 10


@click.command("today")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object, a list of tickets per section.")
@pass_app
def today_cmd(app: App, as_json: bool) -> None:
    """The morning page: what needs an officer today.

    Overdue tickets, those due today and on the next working day (a first
    response or the resolution), open or waiting tickets no one holds, those
    waiting more than waiting_alert_days working days (lpsectl.yaml, default
    5), and follow-ups flagged on answered or closed tickets. In each
    section the tickets the operator holds come first.

    \b
    Examples:
      lpsectl today
      lpsectl --operator Andi today --json
    """
    from lpsectl import clock
    from lpsectl.listing import (JSON, PAGE, Listed, Texts, listed, listed_from_index, morning, text_from_index,
                                 text_of)
    from lpsectl.vocabulary import officer_name

    hd = app.helpdesk()
    try:
        operator: Optional[str] = officer_name(app.operator())
    except BadInput:  # no one named: the page is the same, nobody's tickets first
        operator = None
    now = clock.now(hd.tz)

    def from_this(ix) -> tuple:
        assessed: dict = {}  # the moving rows, assessed once for every section

        def select(want) -> Listed | Texts:
            if as_json:  # the rows' texts, read from the index as they are written
                return text_from_index(hd, ix, want, now, assessed)
            return listed_from_index(hd, ix, want, now, PAGE, assessed, limit=SHOWN)

        return morning(select, hd.calendar, hd.config.waiting_alert_days, now, operator), index_damage(app, ix)

    def read_ahead(answer: tuple, busy) -> None:
        if as_json:  # section after section, as they are written
            all(found.read_ahead(busy) for found in answer[0].sections.values())

    with reading_index(app, from_this, read_ahead) as answer:
        if answer is None:
            loaded = load_all(app)
            tickets, damaged = loaded.tickets, loaded.damaged

            def from_files(want) -> Listed | Texts:
                if as_json:
                    return text_of(listed(hd, tickets, want, now, JSON))
                found = listed(hd, tickets, want, now, PAGE)
                return Listed(len(found), found[:SHOWN])

            page = morning(from_files, hd.calendar, hd.config.waiting_alert_days, now, operator)
        else:
            page, damaged = answer
        if as_json:
            from lpsectl.textout import lists_chunks

            echo_chunks(lists_chunks({name: found.chunks() for name, found in page.sections.items()}))
        else:
            _print_page(page, operator, hd.tz)
    if damaged:
        report_damage(damaged)
        click.get_current_context().exit(1)


def _print_page(page, operator: Optional[str], tz) -> None:
    when = local(page.now, tz)
    if operator:
        click.echo(_("The desk at {when}; the tickets {operator} holds come first.").format(when=when, operator=operator))
    else:
        click.echo(_("The desk at {when}.").format(when=when))
    if page.empty():
        click.echo(_("Nothing needs an officer: no ticket is overdue, due today or tomorrow, unassigned, waiting too "
                     "long or flagged."))
        return
    s = page.sections
    n = page.waiting_alert_days
    tomorrow = page.tomorrow.isoformat()
    counts = {name: found.count for name, found in s.items()}
    headings = {
        "overdue": (_("Overdue: {count}").format(count=counts["overdue"]), _("Overdue: none.")),
        "due_today": (_("Due today: {count}").format(count=counts["due_today"]), _("Due today: none.")),
        "due_tomorrow": (_("Due by the next working day, {day}: {count}").format(day=tomorrow,
                                                                                count=counts["due_tomorrow"]),
                         _("Due by the next working day, {day}: none.").format(day=tomorrow)),
        "unassigned": (_("Open or waiting, held by no one: {count}").format(count=counts["unassigned"]),
                       _("Open or waiting, held by no one: none.")),
        "waiting_too_long": (_("Waiting more than {n} working days: {count}").format(
                                 n=n, count=counts["waiting_too_long"]),
                             _("Waiting more than {n} working days: none.").format(n=n)),
        "flagged": (_("Flagged, the reporter wrote again: {count}").format(count=counts["flagged"]),
                    _("Flagged, the reporter wrote again: none.")),
    }
    # The whole section, when it is longer than a screen allows.
    rest = {
        "overdue": _("... and {more} more: lpsectl list --overdue --sort due").format(
            more=counts["overdue"] - SHOWN),
        "due_today": _("... and {more} more: lpsectl list --due today --sort due").format(
            more=counts["due_today"] - SHOWN),
        "due_tomorrow": _("... and {more} more: lpsectl list --due tomorrow --sort due").format(
            more=counts["due_tomorrow"] - SHOWN),
        "unassigned": _("... and {more} more: lpsectl list --unassigned --status open --status waiting").format(
            more=counts["unassigned"] - SHOWN),
        "waiting_too_long": _("... and {more} more: lpsectl list --waiting-over {n}").format(
            more=counts["waiting_too_long"] - SHOWN, n=n),
        "flagged": _("... and {more} more: lpsectl list --flagged").format(more=counts["flagged"] - SHOWN),
    }
    for name, found in s.items():
        some, none = headings[name]
        click.echo()
        if not found.count:
            click.echo(none)
            continue
        click.echo(some)
        echo_table(
            [f[2:] for f in found.rows[:SHOWN]],
            [_("id"), _("status"), _("tier"), _("holder"), _("respond by"), _("due"), _("waited"), _("subject")],
        )
        if found.count > SHOWN:
            click.echo(rest[name])


COMMANDS = [today_cmd]
