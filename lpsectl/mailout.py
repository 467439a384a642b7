"""Mail out: answers, receipts and test messages, composed and sent by SMTP.

Composing is pure (a ticket and the configuration in, an
:class:`email.message.EmailMessage` out); sending speaks SMTP through
:mod:`smtplib` and turns every way it can fail into one
:class:`MailFailed` line that says what failed (the connection, TLS, the
login, a recipient, the server's patience) and what to check.
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import socket
import ssl
import subprocess
import urllib.parse
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Optional

from lpsectl.config import Config
from lpsectl.mailconfig import MailConfig
from lpsectl.errors import BadInput, LpseError
from lpsectl.model import Ticket
from lpsectl.i18n import _

PASSWORD_VAR = "LPSECTL_SMTP_PASSWORD"
# The password command is a program of the office's choosing (pass, secret-tool, ...).
PASSWORD_COMMAND_TIMEOUT = 60


class MailFailed(LpseError):
    """The mail could not be sent; the message says what failed, in one line."""


def need_mail(cfg: Config, what: str) -> MailConfig:
    """The ``mail:`` section, or a usage error saying how to set it up."""
    if cfg.mail is None:
        raise BadInput(_("{what} needs the office's mail server: add a `mail:` section with smtp_host to "
                         "lpsectl.yaml (see docs/mail.md)").format(what=what))
    if not cfg.mail.from_addr:
        raise BadInput(_("{what} needs a sender address: set mail.from or office.email in lpsectl.yaml").format(what=what))
    return cfg.mail


# -- composing -------------------------------------------------------------------

def _one_line(text: Optional[str]) -> str:
    return " ".join((text or "").split())


def address(name: Optional[str], addr: str, what: str) -> Address:
    """``addr`` as a mail address; :class:`BadInput` when mail cannot go to it."""
    try:
        # Display names with control characters or line breaks cannot inject headers.
        return Address(display_name=_one_line(name), addr_spec=addr.strip())
    except (ValueError, IndexError, TypeError) as exc:
        raise BadInput(_("{what} {addr!r} is not an address mail can go to ({problem})").format(what=what, addr=addr, problem=exc)) from None


def _domain(addr: str) -> str:
    return addr.rpartition("@")[2] or "lpsectl.invalid"


def new_message(cfg: Config, to: Address, subject: str, body: str, now: datetime,
                reply_to_id: Optional[str] = None, auto: bool = False) -> EmailMessage:
    """A plain UTF-8 text mail from the office, with a fresh Message-ID."""
    mail = cfg.mail
    assert mail is not None and mail.from_addr
    msg = EmailMessage()
    msg["From"] = address(cfg.office.name, mail.from_addr, "mail.from")
    msg["To"] = to
    msg["Subject"] = _one_line(subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=_domain(mail.from_addr))
    if reply_to_id:
        msg["In-Reply-To"] = reply_to_id
        msg["References"] = reply_to_id
    if auto:
        # RFC 3834: an automatic reply; well-behaved mail programs do not answer it back.
        msg["Auto-Submitted"] = "auto-replied"
    # Quoted-printable: Indonesian text arrives intact through any server, 8BITMIME or not.
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg


def _subject_ref(t: Ticket) -> str:
    return _one_line(t.subject) or _one_line(t.message)[:60]


def reporter_address(t: Ticket) -> Address:
    if not t.reporter.email:
        raise BadInput(_("ticket {id} has no e-mail address to send to; add one with `lpsectl edit {id} --email "
                         "ADDR`").format(id=t.id))
    return address(t.reporter.name, t.reporter.email, f"ticket {t.id}'s e-mail")


def answer_message(cfg: Config, t: Ticket, text: str, lang: str, root: Optional[Path],
                   now: datetime) -> EmailMessage:
    """The answer to the reporter: ``Re: [ID] subject``, threaded on the mail that opened the ticket."""
    from lpsectl import reports

    to = reporter_address(t)
    context = {
        "lang": lang,
        "office": {"name": cfg.office.name, "unit": cfg.office.unit, "phone": cfg.office.phone,
                   "email": cfg.office.email, "website": cfg.office.website},
        "ticket": {"id": t.id, "subject": t.subject, "channel": t.channel, "reporter_name": t.reporter.name},
        "answer": text,
    }
    body = reports.render("answer.txt.j2", context, root)
    subject = f"Re: [{t.id}] {_subject_ref(t)}".rstrip()
    return new_message(cfg, to, subject, body, now, t.refs.get("message-id"))


RECEIPT_SUBJECT = {"id": "Tanda terima pengaduan", "en": "Receipt of your report"}


def receipt_message(cfg: Config, t: Ticket, lang: str, root: Optional[Path], now: datetime,
                    calendar: Any) -> EmailMessage:
    """The receipt (tanda terima) as a mail: the printed receipt's text, ``[ID]`` in the subject."""
    from lpsectl import reports

    to = reporter_address(t)
    data = reports.receipt_data(t, cfg, calendar, now)
    body = reports.render_receipt(data, "txt", lang, calendar.tz, root)
    subject = f"[{t.id}] {RECEIPT_SUBJECT.get(lang, RECEIPT_SUBJECT['en'])}: {_subject_ref(t)}".rstrip(": ")
    return new_message(cfg, to, subject, body, now, t.refs.get("message-id"), auto=True)


def test_message(cfg: Config, to_addr: str, now: datetime) -> EmailMessage:
    to = address(None, to_addr, "--to")
    body = (f"This is a test message from lpsectl at {cfg.office.name}.\n"
            "If it arrived, answers and receipts can be sent by mail.\n\n"
            f"Ini pesan uji dari lpsectl di {cfg.office.name}.\n"
            "Jika pesan ini sampai, jawaban dan tanda terima dapat dikirim lewat surel.\n")
    return new_message(cfg, to, f"lpsectl: test message from {cfg.office.name}", body, now)


# -- sending ---------------------------------------------------------------------

def password(mail: MailConfig) -> Optional[str]:
    """The SMTP password: LPSECTL_SMTP_PASSWORD, else the output of ``password_command``."""
    if mail.username is None:
        return None
    value = os.environ.get(PASSWORD_VAR)
    if value:
        return value
    if mail.password_command:
        try:
            done = subprocess.run(mail.password_command, capture_output=True, timeout=PASSWORD_COMMAND_TIMEOUT,
                                  stdin=subprocess.DEVNULL, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise MailFailed(_("mail.password_command {value!r} could not run ({problem}); fix it in lpsectl.yaml").format(value=mail.password_command[0], problem=exc)) from None
        if done.returncode != 0:
            raise MailFailed(_("mail.password_command {value!r} failed (exit {returncode}); run it by hand to see why").format(value=mail.password_command[0], returncode=done.returncode))
        text = done.stdout.decode("utf-8", "replace").rstrip("\r\n")
        if text:
            return text
        raise MailFailed(_("mail.password_command {value!r} printed no password").format(value=mail.password_command[0]))
    raise BadInput(_("mail.username is set but there is no password: set {PASSWORD_VAR} or "
                     "mail.password_command in lpsectl.yaml").format(PASSWORD_VAR=PASSWORD_VAR))


def tls_context(mail: MailConfig) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if mail.cafile is not None:
        try:
            ctx.load_verify_locations(cafile=str(mail.cafile))  # in addition to the system's CAs
        except (OSError, ssl.SSLError) as exc:
            raise BadInput(_("mail.cafile {cafile}: cannot be read as PEM certificates ({value})").format(cafile=mail.cafile, value=getattr(exc, 'strerror', None) or exc)) from None
    return ctx


def _server(mail: MailConfig) -> str:
    return f"{mail.smtp_host}:{mail.smtp_port}"


def _reply(code: Any, text: Any) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return _one_line(f"{code} {text}")


class Mailer:
    """One SMTP session: connect (and log in) on enter, send many, quit on exit."""

    def __init__(self, mail: MailConfig) -> None:
        self.mail = mail
        self.smtp: Optional[smtplib.SMTP] = None

    def __enter__(self) -> "Mailer":
        mail = self.mail
        secret = password(mail)  # before connecting: a missing password needs no server
        ctx = tls_context(mail) if mail.security != "none" else None
        where = _server(mail)
        try:
            if mail.security == "ssl":
                self.smtp = smtplib.SMTP_SSL(mail.smtp_host, mail.smtp_port, timeout=mail.timeout, context=ctx)
            else:
                self.smtp = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=mail.timeout)
            self.smtp.ehlo()
            if mail.security == "starttls":
                if not self.smtp.has_extn("starttls"):
                    raise MailFailed(_("TLS: the mail server {where} does not offer STARTTLS; set mail.security to ssl (port 465) "
                                       "or ask its administrator").format(where=where))
                self.smtp.starttls(context=ctx)
                self.smtp.ehlo()
            if mail.username is not None:
                _login(self.smtp, mail.username, secret or "")
        except BaseException as exc:
            self._close()
            if isinstance(exc, MailFailed):
                raise
            if isinstance(exc, Exception):
                raise MailFailed(describe(exc, mail)) from None
            raise
        return self

    def send(self, msg: EmailMessage) -> None:
        """Hand ``msg`` to the server; returns only once the server accepted it."""
        sender = msg["From"].addresses[0].addr_spec
        to = msg["To"].addresses[0].addr_spec
        self.send_raw(sender, to, wire_bytes(msg))

    def send_raw(self, sender: str, to: str, data: bytes) -> None:
        """Send the mail ``data`` as it is (CRLF lines) from ``sender`` to ``to``."""
        assert self.smtp is not None
        try:
            refused = self.smtp.sendmail(sender, [to], data)
        except Exception as exc:
            raise MailFailed(describe(exc, self.mail)) from None
        if refused:  # some recipients taken, others not: one recipient here, so not reached
            addr, (code, text) = next(iter(refused.items()))
            raise MailFailed(_("the mail server refused the recipient {addr}: {value}").format(addr=addr, value=_reply(code, text)))

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
            self.smtp = None

    def __exit__(self, *exc: Any) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except Exception:  # noqa: BLE001 - the mail was accepted already; a rude goodbye is harmless
                pass
            self._close()


def _login(smtp: smtplib.SMTP, user: str, secret: str) -> None:
    """AUTH PLAIN in UTF-8 when the server offers it, else smtplib's login.

    smtplib encodes the credentials as ASCII (a password with an accented
    letter fails before it is sent) and, refused, tries the next mechanism
    after a failed one; one PLAIN exchange says yes or no at once.
    """
    offered = smtp.esmtp_features.get("auth", "").upper().split() if smtp.has_extn("auth") else []
    if "PLAIN" in offered:
        token = base64.b64encode(b"\0" + user.encode("utf-8") + b"\0" + secret.encode("utf-8")).decode("ascii")
        code, resp = smtp.docmd("AUTH", "PLAIN " + token)
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, resp)
        return
    try:
        (user + secret).encode("ascii")
    except UnicodeEncodeError:
        raise MailFailed(_("authentication failed: the password has non-ASCII characters and the mail server offers no "
                           "AUTH PLAIN to send them; use an ASCII password")) from None
    smtp.login(user, secret)


def wire_bytes(msg: EmailMessage) -> bytes:
    """The mail as it goes over SMTP: CRLF line ends, headers and body already 7-bit."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def send(mail: MailConfig, msg: EmailMessage) -> None:
    with Mailer(mail) as m:
        m.send(msg)


def _timeout(where: str, mail: MailConfig) -> str:
    return (f"timeout: the mail server {where} did not answer within {mail.timeout:g} seconds; "
            "check mail.smtp_host, mail.smtp_port and the network")


def describe(exc: BaseException, mail: MailConfig) -> str:
    """One line that says what failed and what to check."""
    where = _server(mail)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        addr, (code, text) = next(iter(exc.recipients.items()))
        return f"the mail server refused the recipient {addr}: {_reply(code, text)}"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (f"the mail server refused the sender {exc.sender}: {_reply(exc.smtp_code, exc.smtp_error)}; "
                "check mail.from")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"authentication failed: the mail server {where} refused the login of {mail.username!r} "
                f"({_reply(exc.smtp_code, exc.smtp_error)}); check mail.username and the password")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"the mail server {where} does not support {exc}; check mail.security and mail.username"
    if isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc):
        # smtplib reports a reply that never came as a disconnection
        return _timeout(where, mail)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return (f"the mail server {where} closed the connection before the mail was accepted; "
                "nothing was delivered, try again")
    if isinstance(exc, smtplib.SMTPDataError):
        return f"the mail server {where} rejected the mail: {_reply(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server {where} answered {_reply(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS: the certificate of {where} cannot be trusted ({exc.verify_message}); "
                "check mail.smtp_host, or give the office's CA as mail.cafile")
    if isinstance(exc, ssl.SSLError):
        return (f"TLS with {where} failed ({exc.reason or exc}); check mail.security "
                "(starttls on port 587, ssl on 465)")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return _timeout(where, mail)
    if isinstance(exc, ConnectionRefusedError):
        return f"cannot connect to {where}: connection refused; check mail.smtp_host and mail.smtp_port"
    if isinstance(exc, socket.gaierror):
        return f"cannot find the mail server {mail.smtp_host!r} ({exc.strerror}); check mail.smtp_host"
    if isinstance(exc, (ConnectionError, EOFError)):
        return f"the connection to {where} broke ({exc}); nothing was delivered, try again"
    if isinstance(exc, OSError):
        return f"cannot reach {where} ({exc.strerror or exc}); check mail.smtp_host and the network"
    if isinstance(exc, smtplib.SMTPException):
        return f"the mail server {where} failed: {exc}"
    return f"sending through {where} failed ({type(exc).__name__}: {exc})"


# -- WhatsApp ---------------------------------------------------------------------

_NOT_DIGIT = re.compile(r"\D")


def wa_number(phone: str) -> str:
    """An Indonesian number as WhatsApp wants it: 62 and the digits, no 0, no +."""
    text = phone.strip()
    digits = _NOT_DIGIT.sub("", text)
    if text.startswith("+") and not digits.startswith("62"):
        number = digits  # another country's number, written with its code
    elif digits.startswith("62"):
        number = digits
    elif digits.startswith("0"):
        number = "62" + digits[1:]
    elif digits.startswith("8"):  # a mobile number written without its 0
        number = "62" + digits
    else:
        number = ""
    if not 9 <= len(number) <= 15:
        raise BadInput(_("the phone number {phone!r} cannot be made a WhatsApp number (like 62812...); correct it "
                         "with `lpsectl edit ID --phone`").format(phone=phone))
    return number


def wa_link(phone: str, text: str) -> str:
    return f"https://wa.me/{wa_number(phone)}?text={urllib.parse.quote(text, safe='')}"
