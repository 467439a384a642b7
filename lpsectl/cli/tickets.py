"""Commands on tickets: new show list answer escalate redirect note wait ..."""

from __future__ import annotations

import io
import sys
from typing import Any, BinaryIO, Optional

import click

from lpsectl.cli import App, pass_app
from lpsectl.cli.common import (
    at_option, interactive, load_ticket, local, message_option, open_calendar_index, record, save,
)
from lpsectl.errors import BadInput, LpseError
from lpsectl.i18n import N_, _

# What `new` asks for when a channel's required field is missing (translated when asked).
PROMPTS = {
    "name": N_("Reporter's name"), "address": N_("Reporter's address"), "phone": N_("Reporter's phone"),
    "email": N_("Reporter's e-mail"), "account": N_("LPSE user account"),
    "ref": N_("SP4N-LAPOR! tracking number"),
}


# One message is a question or a complaint as told, not a document: a
# 100 MB file took minutes under the lock and made every listing slow.
MAX_MESSAGE_BYTES = 1024 * 1024
MAX_MESSAGE_MIB = MAX_MESSAGE_BYTES // (1024 * 1024)


def _read_message(message: Optional[str], message_file: Optional[str]) -> Optional[str]:
    """The message of -m or --message-file, read before the lock is taken; at most 1 MiB."""
    if message is not None and message_file is not None:
        raise BadInput(_("give -m or --message-file, not both"))
    if message_file is None:
        if message is not None and len(message.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
            raise BadInput(_("the -m message is longer than {limit} MiB, the limit for one message; shorten "
                             "it (a long document belongs in an attachment); nothing was written")
                           .format(limit=MAX_MESSAGE_MIB))
        return message
    try:
        if message_file == "-":
            stdin = _binary_stdin()
            if stdin is None:  # started with stdin closed
                raise OSError(_("stdin is closed"))
            data = stdin.read(MAX_MESSAGE_BYTES + 1)
        else:
            with open(message_file, "rb") as f:
                data = f.read(MAX_MESSAGE_BYTES + 1)
        if len(data) > MAX_MESSAGE_BYTES:
            raise BadInput(_("--message-file {file} is longer than {limit} MiB, the limit for one message; "
                             "shorten it (a long document belongs in an attachment); nothing was written")
                           .format(file=message_file, limit=MAX_MESSAGE_MIB))
        # As a text-mode read gives it: universal newlines.
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(_("cannot read --message-file {file}: {problem}")
                       .format(file=message_file, problem=exc)) from None


def _binary_stdin() -> Optional[BinaryIO]:
    """The bytes behind stdin, None when the command was started without one."""
    return getattr(sys.stdin, "buffer", None) if sys.stdin is not None else None


@click.command("new")
@click.option("--channel", "-c", required=True, metavar="CH",
              help="portal, phone, walk-in, email, suggestion-box, lapor, whatsapp (or telepon, datang-langsung, surel, kotak-saran, lpse-support, wa).")
@click.option("--kind", "-k", metavar="K", help="complaint, problem, grievance, suggestion, question (default) — or pengaduan, permasalahan, keluhan, masukan, pertanyaan.")
@click.option("--name", help="Reporter's name.")
@click.option("--address", help="Reporter's address.")
@click.option("--phone", help="Reporter's phone number.")
@click.option("--email", help="Reporter's e-mail address.")
@click.option("--account", help="Reporter's LPSE user account (portal).")
@click.option("--role", help="Reporter's role: vendor (penyedia), PPK, Pokja, ...")
@click.option("--subject", "-s", metavar="S", help="Short subject.")
@click.option("-m", "--message", metavar="TEXT", help="The question or complaint as told.")
@click.option("--message-file", metavar="F", help="Read the message from file F (- for stdin).")
@click.option("--category", metavar="C", help="Free category, e.g. login, registration, upload.")
@click.option("--difficulty", "-d", metavar="D", help="easy, normal (default), hard, investigation — or ringan, sedang, berat, investigasi.")
@click.option("--ref", metavar="EXT", help="External reference: the SP4N-LAPOR! tracking number (lapor), else an LPSE Support ticket number.")
@at_option
@click.option("--acknowledge/--no-acknowledge", "acknowledge", default=None,
              help="Mail the receipt to the reporter's e-mail (default: for e-mail tickets when "
                   "mail.acknowledge is true).")
@click.option("-q", "--quiet", is_flag=True, help="Print exactly the new id.")
@pass_app
def new_cmd(app: App, channel: str, kind: Optional[str], name, address, phone, email, account, role,
            subject, message, message_file, category, difficulty, ref, at, acknowledge, quiet) -> None:
    """Open a ticket at the helpdesk tier and print its id.

    Each channel needs the reporter's identity: walk-in name, address and
    phone; phone and whatsapp name and phone; portal the account; email the
    address; lapor the tracking number (--ref). Missing ones are asked for on
    a terminal.

    \b
    Examples:
      lpsectl new -c telepon --name "Budi" --phone "0752 92317" -s "Lupa password"
      lpsectl new -c kotak-saran -k masukan -m "Ruang tunggu panas" --at 2026-08-13
    """
    from lpsectl import workflow
    from lpsectl.model import CHANNEL, KIND, Reporter

    channel = CHANNEL.parse(channel)
    kind = KIND.parse(kind) if kind else None
    message = _read_message(message, message_file)
    values = {"name": name, "address": address, "phone": phone, "email": email,
              "account": account, "role": role}
    reporter = Reporter(**values)
    missing = workflow.missing_identity(channel, reporter, ref)
    if missing and interactive():
        for field in missing:
            answer = click.prompt(_(PROMPTS[field]), err=True, default="", show_default=False)
            if field == "ref":
                ref = answer
            else:
                values[field] = answer
        reporter = Reporter(**values)
    if not subject and not (message or "").strip() and interactive():
        subject = click.prompt(_("Subject"), err=True, default="", show_default=False) or None
    hd = app.helpdesk()
    operator = app.operator()
    mail = hd.config.mail
    if acknowledge:  # asked for: refused before anything is recorded if it cannot be done
        from lpsectl import mailout

        mailout.need_mail(hd.config, "--acknowledge")
        if not (email or "").strip():
            raise BadInput(_("--acknowledge mails the receipt: give the reporter's --email"))
        mailout.address(name, email, "--email")
    elif acknowledge is None:
        acknowledge = bool(mail and mail.acknowledge and CHANNEL.parse(channel) == "email")
    with hd.locked():
        act = workflow.make_act(operator, at, hd.tz)
        t = workflow.new_ticket(hd.new_id(act.at), act, channel, kind, reporter, subject, message,
                                category, difficulty, ref)
        save(app, t, f"open {t.id} ({t.channel}, {t.kind})", operator)
    if quiet:
        click.echo(t.id)
    else:
        from lpsectl.sla import assess

        ix = open_calendar_index(app)  # the holidays it keeps: no `holidays` import
        a = assess(t, hd.config, hd.calendar, act.recorded_at)
        if ix is not None:
            ix.keep_calendar()
            ix.close()
        click.echo(_("{id}  opened: {kind} via {channel}, {difficulty}, due {due}").format(
            id=t.id, kind=t.kind, channel=t.channel, difficulty=t.difficulty, due=local(a.due_at, hd.tz)))
    if acknowledge:  # recorded first: a receipt that cannot go now waits in the outbox
        from lpsectl.cli.mail import send_receipts

        send_receipts(app, [t], app.mail_lang())


@click.command("show")
@click.argument("ticket_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the ticket as JSON.")
@pass_app
def show_cmd(app: App, ticket_id: str, as_json: bool) -> None:
    """Show one ticket with its history."""
    from lpsectl.showing import show_text

    click.echo(show_text(app, ticket_id, as_json))


def _done(t) -> None:
    s = t.state()
    if s.resolution:
        click.echo(_("{id}  {status} ({resolution}) at {tier}").format(
            id=t.id, status=s.status, resolution=s.resolution, tier=s.tier))
    else:
        click.echo(_("{id}  {status} at {tier}").format(id=t.id, status=s.status, tier=s.tier))


@click.command("answer")
@click.argument("ticket_id", metavar="ID")
@message_option
@click.option("--close", "close_", is_flag=True, help="Close the ticket with the answer (no confirmation awaited).")
@click.option("--send/--no-send", "send", default=None,
              help="Mail the answer to the reporter (default: when mail.send_answers is true and the "
                   "ticket has an e-mail address).")
@click.option("--wa", is_flag=True, help="Print a https://wa.me/ link with the answer, for phone and WhatsApp tickets.")
@at_option
@pass_app
def answer_cmd(app: App, ticket_id: str, message: Optional[str], close_: bool, send: Optional[bool],
               wa: bool, at: Optional[str]) -> None:
    """Record the answer given to the reporter (status answered, or closed).

    With mail set up, the answer is mailed first (Re: [ID] subject) and
    recorded only once the mail server took it; if sending fails nothing is
    recorded (exit 1).

    \b
    Examples:
      lpsectl answer K7QM -m "Akun Anda sudah dibuka kembali."
      lpsectl answer K7QM -m "Silakan unggah ulang." --no-send
      lpsectl answer K7QM -m "Sudah kami reset." --wa
    """
    from lpsectl import workflow
    from lpsectl.clock import now as clock_now

    hd = app.helpdesk()
    t = load_ticket(app, ticket_id)
    # Checked before anything is sent: the action must be allowed and the flags make sense.
    text = workflow.answer(t.copy(), workflow.make_act(app.operator(), at, hd.tz), message, close_)[0].message or ""
    mail = hd.config.mail
    if send is None:
        send = bool(mail and mail.send_answers and t.reporter.email)
    if send:
        from lpsectl import mailout

        mailout.need_mail(hd.config, "--send")
        mailout.reporter_address(t)
    link = None
    if wa:
        from lpsectl import mailout

        if t.channel not in ("phone", "whatsapp") or not t.reporter.phone:
            if t.reporter.phone:
                raise BadInput(_("--wa is for phone and WhatsApp tickets with a phone number; ticket {id} "
                                 "came through {channel}").format(id=t.id, channel=t.channel))
            raise BadInput(_("--wa is for phone and WhatsApp tickets with a phone number; ticket {id} "
                             "came through {channel} and has no phone").format(id=t.id, channel=t.channel))
        link = mailout.wa_link(t.reporter.phone, text)
    sent_id = None
    if send:
        from lpsectl import mailout

        # Sent before the lock is taken: a slow mail server holds up no other desk.
        msg = mailout.answer_message(hd.config, t, text, app.mail_lang(), hd.root, clock_now(hd.tz))
        mailout.send(mail, msg)  # type: ignore[arg-type]
        sent_id = str(msg["Message-ID"])

    def change(t, act) -> None:
        events = workflow.answer(t, act, message, close_)
        if sent_id:
            events[0].fields["sent_message_id"] = sent_id

    try:
        t = record(app, t.id, at, "answer", change)
    except LpseError as exc:
        if sent_id:  # the ticket changed at another desk while the mail went out
            err = LpseError(_("{problem} (the answer was mailed already, Message-ID {message_id}: "
                              "record it with `lpsectl note {id}`)").format(problem=exc, message_id=sent_id, id=t.id))
            err.exit_code = exc.exit_code
            raise err from None
        raise
    _done(t)
    if sent_id:
        click.echo(_("{id}  answer mailed to {address}").format(id=t.id, address=t.reporter.email))
    if link:
        click.echo(link)


@click.command("escalate")
@click.argument("ticket_id", metavar="ID")
@click.option("-m", "--message", metavar="REASON", help="Why it goes up.")
@click.option("--ref", metavar="EXT", help="The LPSE Support ticket number.")
@at_option
@pass_app
def escalate_cmd(app: App, ticket_id: str, message, ref, at) -> None:
    """Move the ticket to the next tier: helpdesk -> admin-ppe -> lkpp."""
    from lpsectl import workflow

    _done(record(app, ticket_id, at, "escalate", lambda t, act: workflow.escalate(t, act, message, ref),
                 lambda t: f" to {t.tier}"))


@click.command("redirect")
@click.argument("ticket_id", metavar="ID")
@message_option
@at_option
@pass_app
def redirect_cmd(app: App, ticket_id: str, message, at) -> None:
    """End the ticket by asking the reporter to file it through LPSE Support."""
    from lpsectl import workflow

    _done(record(app, ticket_id, at, "redirect", lambda t, act: workflow.redirect(t, act, message)))


@click.command("note")
@click.argument("ticket_id", metavar="ID")
@message_option
@click.option("--head", is_flag=True, help="Records coordination with the Kepala LPSE.")
@at_option
@pass_app
def note_cmd(app: App, ticket_id: str, message, head: bool, at) -> None:
    """Add an internal note (--head: coordination with the Kepala LPSE)."""
    from lpsectl import workflow

    _done(record(app, ticket_id, at, "note", lambda t, act: workflow.note(t, act, message, head),
                 lambda t: " (Kepala LPSE)" if head else ""))


@click.command("wait")
@click.argument("ticket_id", metavar="ID")
@click.option("--on", "on", required=True, metavar="reporter|lkpp", help="Who the ticket waits on.")
@message_option
@at_option
@pass_app
def wait_cmd(app: App, ticket_id: str, on: str, message, at) -> None:
    """Pause the resolution clock while waiting on the reporter or on LKPP."""
    from lpsectl import workflow

    _done(record(app, ticket_id, at, "wait", lambda t, act: workflow.wait(t, act, on, message),
                 lambda t: f" on {t.state().wait_on}"))


@click.command("resume")
@click.argument("ticket_id", metavar="ID")
@message_option
@at_option
@pass_app
def resume_cmd(app: App, ticket_id: str, message, at) -> None:
    """Restart the clock of a waiting ticket."""
    from lpsectl import workflow

    _done(record(app, ticket_id, at, "resume", lambda t, act: workflow.resume(t, act, message)))


@click.command("close")
@click.argument("ticket_id", metavar="ID")
@click.option("--resolution", "-r", metavar="R",
              help="answered (default), redirected, referred, duplicate, withdrawn, invalid.")
@message_option
@at_option
@pass_app
def close_cmd(app: App, ticket_id: str, resolution, message, at) -> None:
    """Close the ticket. `referred` needs -m naming the body (Pokja, APIP, ...)."""
    from lpsectl import workflow

    _done(record(app, ticket_id, at, "close", lambda t, act: workflow.close(t, act, resolution, message),
                 lambda t: f" as {t.state().resolution}"))


@click.command("reopen")
@click.argument("ticket_id", metavar="ID")
@message_option
@at_option
@pass_app
def reopen_cmd(app: App, ticket_id: str, message, at) -> None:
    """Reopen an answered or closed ticket at the tier that answered it."""
    from lpsectl import workflow

    _done(record(app, ticket_id, at, "reopen", lambda t, act: workflow.reopen(t, act, message)))


@click.command("rate")
@click.argument("ticket_id", metavar="ID")
@click.argument("score", metavar="SCORE")
@at_option
@pass_app
def rate_cmd(app: App, ticket_id: str, score: str, at) -> None:
    """Record the reporter's satisfaction, 1 (poor) to 4 (very good)."""
    from lpsectl import workflow

    _done(record(app, ticket_id, at, "rate", lambda t, act: workflow.rate(t, act, score),
                 lambda t: f" {t.state().score}"))


@click.command("followup")
@click.argument("ticket_id", metavar="ID")
@message_option
@at_option
@pass_app
def followup_cmd(app: App, ticket_id: str, message, at) -> None:
    """Record a further message from the reporter (ends a wait on the reporter)."""
    from lpsectl import workflow

    _done(record(app, ticket_id, at, "followup", lambda t, act: workflow.followup(t, act, message)))


@click.command("edit")
@click.argument("ticket_id", metavar="ID")
@click.option("--channel", metavar="CH", help="Correct the channel; the new channel's identity rules apply.")
@click.option("--created-at", "created_at", metavar="TIME",
              help="Correct the opening time (deadlines follow it); not after the ticket's next event.")
@click.option("--name")
@click.option("--address")
@click.option("--phone")
@click.option("--email")
@click.option("--account")
@click.option("--role")
@click.option("--subject")
@click.option("--category")
@click.option("--difficulty", metavar="D")
@click.option("--kind", metavar="K")
@click.option("--ref", metavar="EXT", help="The SP4N-LAPOR! number (lapor tickets), else the LPSE Support number.")
@click.option("-m", "--message", metavar="REASON", help="Why it was changed.")
@at_option
@pass_app
def edit_cmd(app: App, ticket_id: str, message, at, ref, **fields: Optional[str]) -> None:
    """Correct or triage a ticket; an empty value ("") clears a field.

    \b
    Examples:
      lpsectl edit K7QM --difficulty hard --category upload
      lpsectl edit K7QM --channel surel --email siti@penyedia.co.id -m "came by mail, not phone"
      lpsectl edit K7QM --created-at "2026-08-13T08:30" -m "opened when the call came"
    """
    from lpsectl import workflow
    from lpsectl.model import CHANNEL, REPORTER_FIELDS

    changes: dict[str, Optional[str]] = {}
    for key, value in fields.items():
        if value is None:
            continue
        changes[f"reporter.{key}" if key in REPORTER_FIELDS else key] = value

    tz = app.helpdesk().tz

    def change(t, act) -> Any:
        if ref is not None:
            # The reference the ticket's channel names, the corrected channel if it changes.
            channel = CHANNEL.parse(fields["channel"]) if (fields.get("channel") or "").strip() else t.channel
            changes["refs.lapor" if channel == "lapor" else "refs.lpse-support"] = ref
        return workflow.edit(t, act, changes, message, tz)

    done: list = []
    t = record(app, ticket_id, at, "edit", lambda t, act: done.extend(change(t, act)),
               lambda t: " (" + ", ".join(done[0].get("changes")) + ")")
    click.echo(_("{id}  edited: {fields}").format(id=t.id, fields=", ".join(done[0].get("changes"))))


def _held(t) -> None:
    holder = t.state().holder
    if holder is None:
        click.echo(_("{id}  released: held by no one").format(id=t.id))
    else:
        click.echo(_("{id}  held by {holder}").format(id=t.id, holder=holder))


def _assign_detail(t) -> str:
    holder = t.state().holder
    return f" to {holder}" if holder else " (released)"


@click.command("assign")
@click.argument("ticket_id", metavar="ID")
@click.option("--to", "to", required=True, metavar="NAME", help='The officer who will hold the ticket; "" releases it.')
@at_option
@pass_app
def assign_cmd(app: App, ticket_id: str, to: str, at) -> None:
    """Give a ticket to an officer, or release it with --to "".

    A closed ticket cannot be assigned (reopen it first), and assigning the
    officer who already holds it is refused: nothing would change.

    \b
    Examples:
      lpsectl assign K7QM --to "Ani Rahma"
      lpsectl assign K7QM --to ""
    """
    from lpsectl import workflow

    _held(record(app, ticket_id, at, "assign", lambda t, act: workflow.assign(t, act, to), _assign_detail))


@click.command("claim")
@click.argument("ticket_id", metavar="ID")
@at_option
@pass_app
def claim_cmd(app: App, ticket_id: str, at) -> None:
    """Take a ticket: assign it to yourself (the operator)."""
    from lpsectl import workflow

    operator = app.operator()
    _held(record(app, ticket_id, at, "assign", lambda t, act: workflow.assign(t, act, operator),
                 _assign_detail))


COMMANDS = [
    new_cmd, show_cmd, answer_cmd, escalate_cmd, redirect_cmd, note_cmd, wait_cmd,
    resume_cmd, close_cmd, reopen_cmd, rate_cmd, followup_cmd, edit_cmd, assign_cmd, claim_cmd,
]
