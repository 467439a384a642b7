"""Commands: privacy export, privacy erase, privacy expire (personal data, UU 27/2022)."""

from __future__ import annotations

from typing import Any, Optional

import click

from lpsectl.cli import App, pass_app
from lpsectl.cli.common import at_option, load_ticket, terminal_safe, write_output
from lpsectl.errors import BadInput
from lpsectl.i18n import _


@click.group("privacy")
def privacy_group() -> None:
    """Personal data (UU 27/2022): what is held about a person, erasure, retention.

    \b
    Examples:
      lpsectl privacy export --email budi@contoh.example -o budi.txt
      lpsectl privacy erase 2608-K7QM -m "Permintaan penghapusan dari pelapor, 14/08/2026"
      lpsectl privacy expire --dry-run
    """


def _tickets_of(app: App, ids: tuple[str, ...], who: Any) -> list:
    hd = app.helpdesk()
    if ids:
        out, seen = [], set()
        for text in ids:
            t = load_ticket(app, text)
            if t.id not in seen:
                seen.add(t.id)
                out.append(t)
        return out
    from lpsectl.privacy import names_person

    loaded = hd.load_all()
    if loaded.damaged:
        from lpsectl.cli.common import report_damage

        report_damage(loaded.damaged)
    return sorted((t for t in loaded.tickets if names_person(t, who)), key=lambda t: (t.created_at, t.id))


def _export_text(t: Any, a: Any, tz: Any) -> list[str]:
    """``show``'s text, and what the history holds besides: earlier values, attachment names as sent."""
    from lpsectl.showing import show_lines

    lines = show_lines(t, a, tz)
    held = []
    for e in t.history:
        for name, change in (e.get("changes") or {}).items():
            if isinstance(change, dict):
                held.append(f"  {e.at.isoformat()}  {name}: {change.get('from')!r} -> {change.get('to')!r}")
        names = e.get("attachment_names") or e.get("attachments")
        if names:
            held.append(f"  {e.at.isoformat()}  " + _("attachments: {names}").format(names=", ".join(str(n) for n in names)))
        for key in ("message-id", "sent_message_id"):
            if e.get(key):
                held.append(f"  {e.at.isoformat()}  {key}: {e.get(key)}")
    if held:
        lines += ["", _("Recorded in the history:")] + held
    return lines


@privacy_group.command("export")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--email", metavar="E", help="Every ticket with this e-mail address (any case).")
@click.option("--phone", metavar="P", help="Every ticket with this phone number (its digits; +62 read as 0).")
@click.option("--name", metavar="N", help="Every ticket with this reporter's name (any case).")
@click.option("--account", metavar="A", help="Every ticket with this LPSE user account (any case).")
@click.option("--json", "as_json", is_flag=True, help='Print {"tickets": [...]}, each as `show --json` prints it.')
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@pass_app
def export_cmd(app: App, ids: tuple[str, ...], email: Optional[str], phone: Optional[str], name: Optional[str],
               account: Optional[str], as_json: bool, output: Optional[str]) -> None:
    """Everything the helpdesk holds about a person, for an access request (answer within 3x24 hours).

    Give one of --email, --phone, --name, --account, or ticket ids. Every
    ticket naming the person is shown with its history and attachment names.
    """
    import json

    from lpsectl import clock
    from lpsectl.privacy import Person
    from lpsectl.sla import assess
    from lpsectl.views import ticket_json

    given = [k for k, v in (("--email", email), ("--phone", phone), ("--name", name), ("--account", account))
             if v is not None]
    if len(given) + (1 if ids else 0) != 1:
        raise BadInput(_("say whose data to export: give one of --email, --phone, --name, --account, or ticket ids"))
    for flag, value in (("--email", email), ("--phone", phone), ("--name", name), ("--account", account)):
        if value is not None and not value.strip():
            raise BadInput(_("{flag} needs a value; nothing was exported").format(flag=flag))
    hd = app.helpdesk()
    tickets = _tickets_of(app, ids, Person(email, phone, name, account))
    now = clock.now(hd.tz)
    if as_json:
        data = {"tickets": [ticket_json(t, assess(t, hd.config, hd.calendar, now), hd.tz) for t in tickets]}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        parts = [_("Personal data held by {office} as of {at}: {n} tickets.").format(
            office=hd.config.office.name, at=now.isoformat(timespec="seconds"), n=len(tickets))]
        for t in tickets:
            parts.append("\n".join(_export_text(t, assess(t, hd.config, hd.calendar, now), hd.tz)))
        text = terminal_safe("\n\n".join(parts)) + "\n"
    _write(text, output)


def _write(text: str, output: Optional[str]) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    write_output(text, output)


@privacy_group.command("erase")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("-m", "--message", "reason", metavar="REASON", required=True,
              help="Why: the request or the rule (recorded in the erase event; no personal data).")
@at_option
@pass_app
def erase_cmd(app: App, ids: tuple[str, ...], reason: str, at: Optional[str]) -> None:
    """Erase the reporter's personal data from tickets and from every earlier version in git.

    Reporter fields, subject and message, the reporter's follow-ups, mail
    attachments and message-ids go; channel, kind, tier, times,
    resolution, rating and officers' actions stay, so every report keeps
    its figures. Other desks and the remote follow at their next `sync`;
    `git reflog expire --expire=now --all && git gc --prune=now` then
    removes the old objects from each clone.
    """
    from lpsectl import privacy

    hd = app.helpdesk()
    done = privacy.erase(hd, list(ids), app.operator(), reason, at)
    for tid in done.ids:
        click.echo(_("{tid}  erased").format(tid=tid))


@privacy_group.command("expire")
@click.option("--dry-run", is_flag=True, help="List the tickets past their retention; change nothing.")
@click.option("--lang", type=click.Choice(["id", "en"], case_sensitive=False),
              help="Language of the berita acara (default: the interface language).")
@click.option("-o", "--output", metavar="FILE", help="Write the berita acara to FILE (.md or .html).")
@pass_app
def expire_cmd(app: App, dry_run: bool, lang: Optional[str], output: Optional[str]) -> None:
    """Erase every ticket closed longer ago than `retention:` years (lpsectl.yaml, default 5).

    Prints the berita acara (what was erased, when, by whom, under which
    rule; no personal data), or writes it to FILE. With --dry-run, lists the
    ids and changes nothing.
    """
    from pathlib import Path

    from lpsectl import clock, privacy, reports

    fmt = "md"
    if output is not None:
        suffix = Path(output).suffix.lower()
        fmt = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}.get(suffix, "")
        if not fmt:
            raise BadInput(_("-o {output}: the berita acara is written as .md or .html; end the file name in one of them").format(output=output))
    hd = app.helpdesk()
    operator = app.operator()
    years = hd.config.retention_years
    now = clock.now(hd.tz)
    loaded = hd.load_all()
    if loaded.damaged:
        from lpsectl.cli.common import report_damage

        report_damage(loaded.damaged)
    due = privacy.expired(loaded.tickets, years, now)
    if dry_run:
        for x in due:
            click.echo(x.id)
        return
    if due:
        done = privacy.erase(hd, [x.id for x in due], operator,
                             f"retention: closed more than {years} years ago", None, now)
        at = done.at
    else:
        at = now
    record = {"erased_at": at.isoformat(), "operator": operator, "years": years, "dry_run": False,
              "tickets": [{"id": x.id, "channel": x.channel, "kind": x.kind, "created_at": x.created_at.isoformat(),
                           "closed_at": x.closed_at.isoformat(), "resolution": x.resolution} for x in due]}
    text = reports.render_erasure(record, hd.config.office, fmt, lang.lower() if lang else app.lang(), hd.tz, hd.root)
    _write(terminal_safe(text) if fmt == "md" else text, output)
    if loaded.damaged:
        click.get_current_context().exit(1)


COMMANDS = [privacy_group]
