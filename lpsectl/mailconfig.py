"""``mail:`` of lpsectl.yaml: how this desk sends answers and receipts, checked as the configuration loads.

Apart from :mod:`lpsectl.config`, which reads it only when the section is
there: its dataclass costs every other command the time to make it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from lpsectl.config import Office, _bad
from lpsectl.i18n import _


SECURITY = ("starttls", "ssl", "none")
_DEFAULT_PORT = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass
class MailConfig:
    """``mail:``: how this desk sends answers and receipts (SMTP).

    The password is never here: it comes from LPSECTL_SMTP_PASSWORD or from
    ``password_command`` (an argument list, run without a shell), because
    lpsectl.yaml is committed and shared with every desk.
    """

    smtp_host: str
    smtp_port: int
    security: str = "starttls"
    username: Optional[str] = None
    password_command: Optional[list[str]] = None
    from_addr: Optional[str] = None  # `from:`; office.email when not given
    acknowledge: bool = False
    send_answers: bool = False
    cafile: Optional[Path] = None  # an extra CA to trust (an office's internal CA)
    timeout: float = 30.0


_MAIL_KEYS = ("smtp_host", "smtp_port", "security", "username", "password_command", "from",
              "acknowledge", "send_answers", "cafile", "timeout")


def from_raw(path: Path, raw: Any, office: Office) -> MailConfig:
    if not isinstance(raw, dict):
        raise _bad(path, "mail", _("must be a mapping of smtp_host, smtp_port, security, ..."))
    if "password" in raw:
        raise _bad(path, "mail.password", _("a password is never kept in the configuration (it is committed to git); remove it and set "
                                            "LPSECTL_SMTP_PASSWORD or mail.password_command"))
    for key in raw:
        if key not in _MAIL_KEYS:
            raise _bad(path, f"mail.{key}", _("unknown key; use {items}").format(items=', '.join(_MAIL_KEYS)))
    host = raw.get("smtp_host")
    if not isinstance(host, str) or not host.strip():
        raise _bad(path, "mail.smtp_host", _("the mail server's name is required, e.g. smtp.gmail.com"))
    security = str(raw.get("security", "starttls")).strip().lower()
    if security not in SECURITY:
        raise _bad(path, "mail.security", _("{value!r} is not one of {items}").format(value=raw.get('security'), items=', '.join(SECURITY)))
    port = raw.get("smtp_port", _DEFAULT_PORT[security])
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise _bad(path, "mail.smtp_port", _("{port!r} is not a port number (587 for starttls, 465 for ssl)").format(port=port))
    flags = {}
    for key in ("acknowledge", "send_answers"):
        value = raw.get(key, False)
        if not isinstance(value, bool):
            raise _bad(path, f"mail.{key}", _("must be true or false, not {value!r}").format(value=value))
        flags[key] = value
    texts: dict[str, Optional[str]] = {}
    for key in ("username", "from", "cafile"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise _bad(path, f"mail.{key}", _("must be text, not {value!r}").format(value=value))
        texts[key] = value.strip() if value is not None else None
    sender = texts["from"] or office.email
    if sender is not None and ("@" not in sender or any(c in sender for c in " <>\r\n")):
        raise _bad(path, "mail.from" if texts["from"] else "office.email",
                   _("{sender!r} is not a plain e-mail address like helpdesk@lpse.example.go.id").format(sender=sender))
    command = raw.get("password_command")
    argv: Optional[list[str]] = None
    if command is not None:
        if isinstance(command, str):
            import shlex

            try:
                argv = shlex.split(command)  # split like a shell would, but never run by one
            except ValueError as exc:
                raise _bad(path, "mail.password_command", _("cannot be split into words ({problem})").format(problem=exc)) from None
        elif isinstance(command, list) and all(isinstance(w, str) for w in command):
            argv = list(command)
        if not argv:
            raise _bad(path, "mail.password_command", _("must be a command and its arguments, e.g. [pass, show, lpse/smtp]"))
    timeout = raw.get("timeout", 30)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= 600:
        raise _bad(path, "mail.timeout", _("{timeout!r} is not a number of seconds between 0 and 600").format(timeout=timeout))
    cafile = None
    if texts["cafile"]:
        cafile = Path(texts["cafile"]).expanduser()
        if not cafile.is_absolute():
            cafile = path.parent / cafile  # beside lpsectl.yaml, wherever lpsectl runs from
    return MailConfig(
        smtp_host=host.strip(), smtp_port=port, security=security, username=texts["username"],
        password_command=argv, from_addr=sender, acknowledge=flags["acknowledge"],
        send_answers=flags["send_answers"], cafile=cafile, timeout=float(timeout),
    )
