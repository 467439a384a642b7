"""The list command: the tickets that match, as a table, JSON or CSV, from the index when it can.

Apart from the actions on tickets (:mod:`lpsectl.cli.tickets`): every
command imports its own module only, and a listing need not make the click
commands of sixteen actions to answer.
"""

from __future__ import annotations

import click

from lpsectl.cli import App, pass_app
from lpsectl.cli.common import (
    echo_chunks, echo_csv_rows, echo_table, echo_table_text, index_damage, load_all, reading_index, report_damage,
)
from lpsectl.errors import BadInput
from lpsectl.i18n import _


@click.command("list")
@click.option("--status", "statuses", multiple=True, metavar="S", help="open, waiting, answered, closed; repeat for several.")
@click.option("--all", "show_all", is_flag=True, help="Every status, closed included.")
@click.option("--tier", metavar="T", help="helpdesk, admin-ppe, lkpp.")
@click.option("--channel", metavar="C")
@click.option("--kind", metavar="K")
@click.option("--category", metavar="C")
@click.option("--overdue", is_flag=True, help="Only open tickets past their due time.")
@click.option("--since", metavar="D", help="Opened on or after day D (2026-08-13 or 13/08/2026).")
@click.option("--until", metavar="D", help="Opened on or before day D (2026-08-13 or 13/08/2026).")
@click.option("--search", metavar="TEXT", help="Text in subject, message or reporter fields; phone numbers by digits.")
@click.option("--due", metavar="WHEN",
              help="Open tickets with a deadline by the end of WHEN: today, tomorrow (the next working day), "
                   "week (its last working day) or a date; past deadlines included.")
@click.option("--waiting-over", "waiting_over", type=click.IntRange(min=0), metavar="N",
              help="Only tickets that have waited more than N working days.")
@click.option("--mine", is_flag=True, help="Only tickets the operator holds.")
@click.option("--holder", metavar="NAME", help="Only tickets NAME holds (the name as assign recorded it).")
@click.option("--unassigned", is_flag=True, help="Only tickets no one holds.")
@click.option("--sort", type=click.Choice(["created", "due"], case_sensitive=False), default="created",
              help="created (default, oldest first) or due (earliest deadline first).")
@click.option("--flagged", is_flag=True,
              help="Only tickets with a follow-up from the reporter not yet acted on, whatever their status.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@pass_app
def list_cmd(app: App, statuses, show_all, tier, channel, kind, category, overdue, since, until,
             search, due, waiting_over, mine, holder, unassigned, sort, flagged, as_json, as_csv) -> None:
    """List matching tickets, oldest first (closed ones only with --status, --all or --flagged).

    In the table, ! after the due time marks an overdue ticket, * after the
    status a follow-up from the reporter that no officer has acted on, and
    "waited" the working days a waiting ticket has waited.

    \b
    Examples:
      lpsectl list --due today --sort due
      lpsectl list --due 2026-08-21 --json
      lpsectl list --waiting-over 5
    """
    from lpsectl.vocabulary import CHANNEL, KIND, STATUS, TIER

    from lpsectl.clock import parse_date
    from lpsectl import clock

    if as_json and as_csv:
        raise BadInput(_("give --json or --csv, not both"))
    from lpsectl.listing import (CSV, JSON, TABLE, Filters, listed, listed_from_index, table_from_index,
                                 text_from_index, text_of)

    want = Filters(
        statuses={STATUS.parse(s) for s in statuses}, show_all=show_all,
        tier=TIER.parse(tier) if tier else None,
        channel=CHANNEL.parse(channel) if channel else None,
        kind=KIND.parse(kind) if kind else None,
        category=category.casefold() if category else None,
        overdue=overdue,
        since=parse_date(since, _("--since date")).isoformat() if since else None,
        until=parse_date(until, _("--until date")).isoformat() if until else None,
        search=search or None,
        waiting_over=waiting_over, sort=sort.lower(), flagged=flagged,
    )
    from lpsectl.listing import due_by, read_due
    from lpsectl.vocabulary import officer_name

    due_day = read_due(due) if due is not None else None
    if sum((mine, holder is not None, unassigned)) > 1:
        raise BadInput(_("give one of --mine, --holder and --unassigned"))
    if holder is not None and officer_name(holder) is None:
        raise BadInput(_("--holder needs a name; use --unassigned for the tickets no one holds"))
    want.unassigned = unassigned
    want.holder = officer_name(app.operator() if mine else holder)
    hd = app.helpdesk()
    now = clock.now(hd.tz)
    shape = JSON if as_json else CSV if as_csv else TABLE
    headers = [_("id"), _("created"), _("channel"), _("kind"), _("status"), _("tier"), _("holder"), _("due"),
               _("waited"), _("subject")]

    def from_this(ix) -> tuple:
        if due_day is not None:  # after the index gave the calendar its holidays
            want.due_by = due_by(hd.calendar, due_day, now)
        if as_json:  # the rows' texts, read from the index as they are written
            return text_from_index(hd, ix, want, now), index_damage(app, ix)
        if shape is TABLE:  # the table made in SQL, unless a cell needs tabulate itself
            table = table_from_index(hd, ix, want, now, shape, headers)
            if table is not None:
                return table, index_damage(app, ix)
        return listed_from_index(hd, ix, want, now, shape).rows, index_damage(app, ix)

    def read_ahead(answer: tuple, busy) -> None:
        if as_json:
            answer[0].read_ahead(busy)

    with reading_index(app, from_this, read_ahead) as answer:
        if answer is None:
            if due_day is not None:
                want.due_by = due_by(hd.calendar, due_day, now)
            loaded = load_all(app)
            found, damaged = listed(hd, loaded.tickets, want, now, shape), loaded.damaged
            if as_json:
                found = text_of(found)
        else:
            found, damaged = answer
        _print(found, as_json, as_csv, headers)
    if damaged:
        report_damage(damaged)
        click.get_current_context().exit(1)


def _print(found, as_json: bool, as_csv: bool, headers: list[str]) -> None:
    """The listing as it was asked for: JSON texts written as they are read, CSV, or a table."""
    from lpsectl.listing import TableText

    if as_json:
        from lpsectl.textout import rows_chunks

        echo_chunks(rows_chunks(found.chunks()))
    elif as_csv:
        from lpsectl.listing import LIST_COLUMNS

        echo_csv_rows([f[2:] for f in found], LIST_COLUMNS)
    elif isinstance(found, TableText):
        if found.count:
            echo_table_text(found)
        else:
            click.echo(_("No tickets match."), err=True)
    elif found:
        echo_table([f[2:] for f in found], headers)
    else:
        click.echo(_("No tickets match."), err=True)

COMMANDS = [list_cmd]
