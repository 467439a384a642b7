"""Commands: mail test, outbox; and the receipts `new` and `import-mail` send."""

from __future__ import annotations

from typing import Iterable, Optional

import click

from lpsectl.cli import App, pass_app
from lpsectl.cli.common import echo_table, terminal_safe, warn
from lpsectl.i18n import _, ngettext


@click.group("mail")
def mail_group() -> None:
    """The office's outgoing mail (the `mail:` section of lpsectl.yaml)."""


@mail_group.command("test")
@click.option("--to", "to", metavar="ADDR", help="Send it here (default: the sender address, mail.from).")
@pass_app
def mail_test_cmd(app: App, to: Optional[str]) -> None:
    """Send one test message through the office's mail server.

    On failure one line says what failed: the connection, TLS, the login,
    the recipient, or a server that does not answer (exit 1).

    \b
    Examples:
      lpsectl mail test
      lpsectl mail test --to budi@example.co.id
    """
    from lpsectl import mailout

    hd = app.helpdesk()
    mail = mailout.need_mail(hd.config, "mail test")
    target = to or mail.from_addr
    assert target is not None
    from lpsectl.clock import now as clock_now  # imported by the command: --help stays light

    msg = mailout.test_message(hd.config, target, clock_now(hd.tz))
    mailout.send(mail, msg)
    click.echo(_("Sent a test message to {address} through {host}:{port} ({security})").format(
        address=target, host=mail.smtp_host, port=mail.smtp_port, security=mail.security))


def send_receipts(app: App, tickets: Iterable, lang: str) -> None:
    """Mail the receipt of each ticket through the outbox; a failure is a warning, never an error.

    The tickets are recorded already: whatever happens here, they stay.
    """
    from lpsectl import mailout
    from lpsectl.errors import LpseError
    from lpsectl.outbox import Outbox

    hd = app.helpdesk()
    from lpsectl.clock import now as clock_now

    now = clock_now(hd.tz)
    box = Outbox(hd)
    queued = []
    for t in tickets:
        try:
            msg = mailout.receipt_message(hd.config, t, lang, hd.root, now, hd.calendar)
        except LpseError as exc:
            warn(terminal_safe(_("{id}: the receipt was not sent: {problem}").format(id=t.id, problem=exc)))
            continue
        queued.append(box.queue(t.id, "receipt", msg, now))
    if not queued:
        return
    for r in box.deliver(queued, now=now):
        if r.sent:
            click.echo(_("{id}  receipt mailed to {address}").format(id=r.entry.ticket, address=r.entry.to), err=True)
        else:
            warn(terminal_safe(_("{id}: the receipt was not sent ({problem}); it waits in the outbox: "
                                 "`lpsectl outbox --retry` sends it").format(id=r.entry.ticket, problem=r.why)))


@click.command("outbox")
@click.option("--retry", is_flag=True, help="Send the mails that failed (never one that may have gone out).")
@click.option("--unsure", is_flag=True,
              help="With --retry: also send the ones left 'sending' (a crash mid-send; they may have gone out).")
@click.option("--drop", "drop", multiple=True, metavar="ID",
              help="Give up the mail of ticket ID (or of that Message-ID); repeat for several.")
@pass_app
def outbox_cmd(app: App, retry: bool, unsure: bool, drop: tuple[str, ...]) -> None:
    """List the receipts this desk has not sent yet; --retry sends them.

    Each line: the ticket, what the mail is, its state and why it was not
    sent. `failed`: the server refused or could not be reached; `sending`:
    the desk stopped during the exchange, so it may have been sent (check the
    Sent folder, then --retry --unsure or --drop). A mail is sent at most
    once: it leaves the outbox only when the server has accepted it.

    \b
    Examples:
      lpsectl outbox
      lpsectl outbox --retry
    """
    from lpsectl.errors import BadInput, LpseError
    from lpsectl.outbox import Outbox

    hd = app.helpdesk()
    box = Outbox(hd)
    if unsure and not retry:
        raise BadInput(_("--unsure goes with --retry"))
    if drop:
        wanted = [hd.resolve(x) if not x.startswith("<") else x for x in drop]
        gone = box.drop(wanted)
        if not gone:
            raise BadInput(_("nothing in the outbox for {ids}; `lpsectl outbox` lists it").format(ids=", ".join(drop)))
        for e in gone:
            click.echo(_("{id}  {what} dropped (not sent)").format(id=e.ticket, what=e.what))
    results = []
    if retry:
        results = box.deliver(unsure=unsure)
        for r in results:
            if r.sent:
                click.echo(_("{id}  {what} sent to {address}").format(id=r.entry.ticket, what=r.entry.what,
                                                                      address=r.entry.to))
            else:
                click.echo(terminal_safe(_("{id}  {what} not sent: {problem}").format(
                    id=r.entry.ticket, what=r.entry.what, problem=r.why)), err=True)
        if not results:
            click.echo(_("Nothing to send."), err=True)
    left = box.entries()
    if not retry and not drop:
        if left:
            unsure_why = _("interrupted while sending: it may have gone out")
            echo_table([[e.ticket, e.what, e.to, e.state, unsure_why if e.state == "sending" else e.why or ""]
                        for e in left],
                       [_("id"), _("what"), _("to"), _("state"), _("why")])
        else:
            click.echo(_("The outbox is empty."), err=True)
    failed = [r for r in results if not r.sent] if retry else []
    if failed:
        n = len(failed)
        raise LpseError(ngettext("{n} mail not sent; it stays in the outbox (`lpsectl outbox` lists why)",
                                 "{n} mails not sent; they stay in the outbox (`lpsectl outbox` lists why)", n)
                        .format(n=n))


COMMANDS = [mail_group, outbox_cmd]
