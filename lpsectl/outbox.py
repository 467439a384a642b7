"""The outbox: receipts this desk could not send yet, and sending them at most once.

Every receipt passes through here: it is queued (the whole mail, with its
Message-ID, exactly as it will be sent), marked ``sending`` before the SMTP
exchange, and removed only after the server accepted it. A failure marks it
``failed`` with the reason; ``lpsectl outbox --retry`` sends those again,
the very same bytes and Message-ID.

At most once: a mail left ``sending`` (the process died between the
server's acceptance and the removal, or during the exchange) may or may not
have gone out, so ``--retry`` does not send it again by itself; the officer
checks the Sent folder and sends it with ``--retry --unsure``, or lets it
go with ``--drop``. A receipt sent twice confuses the reporter more than a
receipt the officer knows is missing.

The outbox is this desk's own state, not the office's record: it lives in
``.lpsectl/outbox/`` (git-ignored), one JSON file per mail. Shared through
git, every desk would try the same mail; and the mails hold reporters'
addresses, which have no place in the history every desk keeps.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any, Optional

from lpsectl.errors import LpseError
from lpsectl.store import Helpdesk, atomic_write
from lpsectl.i18n import _

OUTBOX_DIR = Path(".lpsectl") / "outbox"
STATES = ("queued", "sending", "failed")


@dataclass
class Entry:
    message_id: str
    ticket: str
    what: str  # receipt
    sender: str
    to: str
    data: str  # the mail as sent, CRLF lines (ASCII: headers and body are encoded)
    queued_at: str
    state: str = "queued"
    why: Optional[str] = None
    tries: int = 0
    last_try_at: Optional[str] = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return hashlib.sha256(self.message_id.encode("utf-8")).hexdigest()[:24]


@dataclass
class Result:
    entry: Entry
    sent: bool
    why: Optional[str] = None


class Outbox:
    def __init__(self, hd: Helpdesk) -> None:
        self.hd = hd
        self.folder = hd.root / OUTBOX_DIR

    def _path(self, e: Entry) -> Path:
        return self.folder / f"{e.key}.json"

    def _write(self, e: Entry) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():  # ignored even where the helpdesk's .gitignore lacks .lpsectl/
            atomic_write(ignore, b"# this desk's unsent mail: never committed\n*\n")
        atomic_write(self._path(e), (json.dumps(asdict(e), indent=1) + "\n").encode("utf-8"))

    def _read(self, path: Path) -> Optional[Entry]:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            known = {k: raw[k] for k in Entry.__dataclass_fields__ if k in raw}
            return Entry(**known)
        except (OSError, ValueError, TypeError, KeyError):
            return None  # removed meanwhile, or not ours

    def entries(self) -> list[Entry]:
        if not self.folder.is_dir():
            return []
        found = [self._read(p) for p in sorted(self.folder.glob("*.json"))]
        return sorted((e for e in found if e is not None), key=lambda e: (e.queued_at, e.message_id))

    def queue(self, ticket: str, what: str, msg: EmailMessage, now: datetime) -> Entry:
        sender = getaddresses([str(msg["From"])])[0][1]
        to = getaddresses([str(msg["To"])])[0][1]
        from lpsectl.mailout import wire_bytes

        data = wire_bytes(msg).decode("ascii", "surrogateescape")
        e = Entry(str(msg["Message-ID"]), ticket, what, sender, to, data, now.isoformat())
        self._write(e)
        return e

    def remove(self, e: Entry) -> None:
        try:
            os.unlink(self._path(e))
        except FileNotFoundError:
            pass

    def drop(self, wanted: list[str]) -> list[Entry]:
        """Remove the entries of the tickets or Message-IDs in ``wanted``; the ones removed."""
        gone = []
        with self.hd.locked():
            for e in self.entries():
                if e.ticket in wanted or e.message_id in wanted:
                    self.remove(e)
                    gone.append(e)
        return gone

    def deliver(self, entries: Optional[list[Entry]] = None, unsure: bool = False,
                now: Optional[datetime] = None) -> list[Result]:
        """Send ``entries`` (default: every one that is due) through one SMTP session.

        Claimed under the helpdesk lock (marked ``sending``), sent without
        it, so a slow mail server never holds up the other desks' work.
        """
        from lpsectl.clock import now as clock_now
        from lpsectl.mailout import Mailer, MailFailed

        now = now or clock_now(self.hd.tz)
        wanted = None if entries is None else {e.message_id for e in entries}
        claimed: list[Entry] = []
        with self.hd.locked():
            for e in self.entries():
                if wanted is not None and e.message_id not in wanted:
                    continue
                if e.state == "sending" and not unsure:
                    continue
                e.state, e.why, e.tries, e.last_try_at = "sending", None, e.tries + 1, now.isoformat()
                self._write(e)  # from here on, a crash leaves it "sending": never resent blindly
                claimed.append(e)
        if not claimed:
            return []
        results: list[Result] = []
        mail = self.hd.config.mail
        try:
            if mail is None:
                raise MailFailed(_("no `mail:` section in lpsectl.yaml any more"))
            with Mailer(mail) as mailer:
                for e in claimed:
                    try:
                        mailer.send_raw(e.sender, e.to, e.data.encode("ascii", "surrogateescape"))
                    except MailFailed as exc:
                        self._fail(e, str(exc))
                        results.append(Result(e, False, str(exc)))
                        continue
                    self.remove(e)
                    results.append(Result(e, True))
        except LpseError as exc:  # no session at all: every mail not yet tried failed the same way
            done = {r.entry.message_id for r in results}
            for e in claimed:
                if e.message_id not in done:
                    self._fail(e, str(exc))
                    results.append(Result(e, False, str(exc)))
        return results

    def _fail(self, e: Entry, why: str) -> None:
        e.state, e.why = "failed", why
        self._write(e)
