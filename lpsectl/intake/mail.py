"""Tickets from the office mailbox: .eml files, mbox files, Maildir folders.

Each readable mail either opens an ``email`` ticket or, when it answers a
known ticket (its id in the subject, or ``In-Reply-To``/``References``
naming a mail already imported), adds a ``followup`` event to it. A mail
already imported (same Message-ID) adds nothing. A mail that cannot be
read is reported (file, message number, why) and skipped.

Mails are read twice: first their headers only, to put them in time order
(so an original is imported before the replies to it, whatever order the
folder lists them in), then one at a time in full, so a mailbox of years
never has to fit in memory.
"""

from __future__ import annotations

import codecs
import email
import email.parser
import email.policy
import hashlib
import json
import mimetypes
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Optional


from lpsectl import workflow
from lpsectl.clock import FIRST_YEAR, LAST_YEAR
from lpsectl.errors import BadInput, Damaged
from lpsectl.intake import IdMaker, Problem, Wrap, human_size, no_bar
from lpsectl.intake.staging import Staging
from lpsectl.model import Event, Reporter, Ticket
from lpsectl.regularfile import NotRegular, TooLarge, read_regular
from lpsectl.store import ALPHABET, Helpdesk, atomic_write
from lpsectl import ticketfile
from lpsectl.i18n import _

POLICY = email.policy.default


class Unreadable(Exception):
    """This mail cannot become a ticket; the message says why."""


@dataclass
class MailRef:
    """Where one mail is: a file, or a span of an mbox file."""

    path: Path
    number: int = 1
    offset: Optional[int] = None
    length: Optional[int] = None

    def read(self) -> bytes:
        if not self.path.is_file():  # a named pipe in a Maildir: opening it would wait for ever
            raise Unreadable(_("not a regular file"))
        if self.offset is None:
            return self.path.read_bytes()
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            raw = f.read(self.length)
        # mboxo/mboxrd escape body lines starting "From " as ">From ".
        return _FROM_ESCAPED.sub(rb"\1", raw)

    def problem(self, why: str, digest: Optional[str] = None) -> Problem:
        """This mail cannot be taken, and why; ``digest`` (of its bytes) keys it wherever it moves."""
        where = digest or f"{os.path.abspath(self.path)}:{self.number}"
        return Problem(str(self.path), self.number, why, unit="message", key=_key(where, why))


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


# -- finding the mails -------------------------------------------------------

_FROM_ESCAPED = re.compile(rb"(?m)^>(>*From )")
# The separator line of an mbox: "From sender Thu Aug 13 09:15:00 2026".
# A body line that merely starts with "From " does not look like this, and
# a separator follows a blank line (or starts the file).
_FROM_LINE = re.compile(
    rb"^From \S+\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    rb"\s+\d{1,2}\s+\d{1,2}:\d{2}"
)


def _is_maildir(p: Path) -> bool:
    return p.is_dir() and ((p / "cur").is_dir() or (p / "new").is_dir())


def _is_mbox(p: Path) -> bool:
    with open(p, "rb") as f:
        return f.read(5) == b"From "


def _mbox(path: Path) -> list[MailRef]:
    refs: list[MailRef] = []
    start: Optional[int] = None
    pos = 0
    prev_blank = True
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"From ") and (pos == 0 or (prev_blank and _FROM_LINE.match(line))):
                if start is not None:
                    refs.append(MailRef(path, len(refs) + 1, start, pos - start))
                start = pos + len(line)
            prev_blank = not line.strip()
            pos += len(line)
    if start is not None:
        refs.append(MailRef(path, len(refs) + 1, start, pos - start))
    return refs


def find(paths: Iterable[Path]) -> list[MailRef]:
    """Every mail under ``paths``: files (.eml or mbox), Maildir folders, folders of .eml files."""
    out: list[MailRef] = []
    for p in paths:
        if not p.exists():
            raise BadInput(_("{p}: no such file or folder").format(p=p))
        if not p.is_dir() and not p.is_file():
            raise BadInput(_("{p}: not a regular file (a named pipe or a device); give .eml or mbox files or a Maildir "
                             "folder").format(p=p))
        if _is_maildir(p):
            for sub in ("new", "cur"):
                d = p / sub
                if d.is_dir():
                    out.extend(MailRef(d / n) for n in sorted(os.listdir(d)) if not n.startswith("."))
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in (".eml", ".mbox", ".mbx"):
                    if f.suffix.lower() != ".eml" and not f.stat().st_size:
                        continue  # an empty mailbox
                    out.extend(_mbox(f) if _is_mbox(f) else [MailRef(f)])
        elif p.stat().st_size:
            out.extend(_mbox(p) if _is_mbox(p) else [MailRef(p)])
        # else an empty file: a mailbox with no mail in it
    return out


# -- reading one mail ----------------------------------------------------------

_MSGID = re.compile(r"<[^<>\s]+>")
# Labels that mail programs put on windows-1252 text (as browsers do).
_LATIN = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii",
          "windows-1252", "cp1252", "x-user-defined"}


def decode_text(data: bytes, charset: Optional[str]) -> str:
    """Text of a body part: the declared charset, with the usual mislabels forgiven."""
    cs = (charset or "").strip().strip('"').lower()
    if not cs or cs in _LATIN:
        try:
            return data.decode("utf-8")  # unlabelled 8-bit text is mostly UTF-8 today
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    try:
        codecs.lookup(cs)
    except LookupError:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise Unreadable(_("undecodable text: unknown charset {charset!r}").format(charset=charset)) from None
    return data.decode(cs, errors="replace")


class _HTMLText(HTMLParser):
    """Readable text from HTML: paragraphs and line breaks kept, markup dropped."""

    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
             "ul", "ol", "blockquote", "pre", "hr", "section", "article", "header", "footer"}
    SKIP = {"script", "style", "head", "title"}
    PARA = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0
        self.href: Optional[str] = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            if tag == "br":
                self.parts.append("\n")
            else:
                self._break(2 if tag in self.PARA else 1)
            if tag == "li":
                self.parts.append("- ")
            if tag == "pre":
                self.pre += 1
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def _break(self, n: int) -> None:
        """End the line (n=1) or the paragraph (n=2), not adding to a break already there."""
        tail = "".join(self.parts[-4:])
        have = len(tail) - len(tail.rstrip("\n")) if tail.strip(" ") else n
        self.parts.append("\n" * max(0, n - have))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self._break(2 if tag in self.PARA else 1)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag == "a":
            text = "".join(self.link_text).strip()
            if self.href and self.href.startswith(("http", "mailto:")) and self.href.removeprefix("mailto:") not in text:
                self.parts.append(f" ({self.href})")
            self.href = None
        elif tag in ("td", "th"):
            self.parts.append("  ")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        self.parts.append(data)
        if self.href is not None:
            self.link_text.append(data)


def html_to_text(html: str) -> str:
    p = _HTMLText()
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) if line.strip() else "" for line in "".join(p.parts).split("\n")]
    return tidy("\n".join(lines)) or ""


def tidy(text: Optional[str]) -> Optional[str]:
    """Line ends, trailing blanks and runs of empty lines evened out."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text if text.strip() else None


_QUOTE_HEAD = re.compile(
    r"^(?:On .+ wrote:|Pada .+ menulis:|.+ (?:wrote|menulis):|-{2,} ?(?:Original Message|Pesan Asli|Pesan asli) ?-{2,})\s*$",
    re.I,
)


def strip_quoted(text: Optional[str]) -> Optional[str]:
    """A reply without the earlier mail quoted below it."""
    if not text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _QUOTE_HEAD.match(line.strip()) and (
            line.strip().startswith("-") or all(not x.strip() or x.startswith(">") for x in lines[i + 1:])
        ):
            kept = tidy("\n".join(lines[:i]))
            return kept or text
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    return tidy("\n".join(lines)) or text


@dataclass
class Attachment:
    name: str
    data: bytes


@dataclass
class Mail:
    ref: MailRef
    message_id: str
    parents: list[str]  # In-Reply-To, then References from the newest
    subject: Optional[str]
    name: Optional[str]
    address: str
    date: Optional[datetime]
    text: Optional[str]
    attachments: list[Attachment] = field(default_factory=list)
    digest: str = ""  # of the raw bytes: the same mail wherever a mail program moves it
    automatic: bool = False  # an auto-reply, bounce or list mail: never acknowledged (mail loops)


# The email package keeps bytes that are not text in a header as lone
# surrogates, which no file can store: they become U+FFFD, as in a body.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _readable(text: str) -> str:
    if not _SURROGATE.search(text):
        return text
    # Raw UTF-8 in a header (many mail programs send it unencoded) is text: read it as such.
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return _SURROGATE.sub("\ufffd", text)


def _header(msg: EmailMessage, name: str) -> Optional[str]:
    try:
        value = msg.get(name)
    except Exception:  # a malformed header the parser gives up on
        return None
    return None if value is None else _readable(str(value))


def _sender(msg: EmailMessage) -> tuple[Optional[str], Optional[str]]:
    for name in ("From", "Reply-To", "Sender"):
        try:
            value = msg.get(name)
            addresses = getattr(value, "addresses", ()) if value is not None else ()
        except Exception:
            continue
        for a in addresses:
            spec = (a.addr_spec or "").strip()
            if "@" in spec and not spec.startswith("@") and not spec.endswith("@"):
                return (" ".join(_readable(a.display_name).split()) or None), _readable(spec)
    return None, None


def _date(msg: EmailMessage) -> Optional[datetime]:
    try:
        value = msg.get("Date")
        when = getattr(value, "datetime", None)
    except Exception:
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000": UTC, local zone unknown
        when = when.replace(tzinfo=timezone.utc)
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        return None  # 1900 or 9999: a broken clock; no id can name such a month
    return when


_NO_REPLY = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)([+.-]|@)", re.I)


def automatic(msg: EmailMessage, address: str) -> bool:
    """Sent by a program, not a person (RFC 3834): an acknowledgement would start a mail loop."""
    auto = (_header(msg, "Auto-Submitted") or "no").strip().lower()
    precedence = (_header(msg, "Precedence") or "").strip().lower()
    return (auto != "no" or precedence in ("bulk", "junk", "list", "auto_reply")
            or any(_header(msg, h) is not None for h in ("X-Autoreply", "X-Autorespond", "List-Id"))
            or bool(_NO_REPLY.match(address)))


def message_id(msg: EmailMessage, raw: bytes) -> str:
    value = _header(msg, "Message-ID") or ""
    m = _MSGID.search(value)
    if m:
        return m.group(0)
    if value.strip():
        return f"<{value.strip()}>"
    # No Message-ID: one made from the bytes, so a second import still finds it.
    return f"<sha256.{hashlib.sha256(raw).hexdigest()[:32]}@lpsectl.invalid>"


def headers(raw: bytes) -> EmailMessage:
    return email.parser.BytesParser(policy=POLICY).parsebytes(raw, headersonly=True)  # type: ignore[return-value]


def _text_of(msg: EmailMessage) -> Optional[str]:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None
    data = part.get_payload(decode=True) or b""
    text = decode_text(data, part.get_content_charset())
    if part.get_content_subtype() == "html":
        return html_to_text(text)
    return tidy(text)


def _walk(msg: EmailMessage, out: list[Attachment], depth: int = 0) -> list[str]:
    """Attachments into ``out``; forwarded mails come back as text."""
    forwarded: list[str] = []
    if not msg.is_multipart():
        return forwarded
    for part in msg.iter_attachments():
        ctype = part.get_content_type()
        if ctype == "message/rfc822" and depth < 5:
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, EmailMessage):
                head = [f"{k}: {_header(inner, k)}" for k in ("From", "Date", "Subject") if _header(inner, k)]
                body = _text_of(inner) or ""
                forwarded.append("---------- Forwarded message ----------\n" + "\n".join(head) + "\n\n" + body)
                forwarded.extend(_walk(inner, out, depth + 1))
                continue
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        name = (_readable(part.get_filename() or "")
                or f"attachment-{len(out) + 1}{mimetypes.guess_extension(ctype) or '.bin'}")
        out.append(Attachment(name, data))
    return forwarded


def parse(raw: bytes, ref: MailRef) -> Mail:
    """One mail, read in full; :class:`Unreadable` says why it cannot be."""
    try:
        msg: EmailMessage = email.message_from_bytes(raw, policy=POLICY)  # type: ignore[assignment]
    except Exception as exc:
        raise Unreadable(_("cannot parse the mail ({problem})").format(problem=exc)) from None
    if not msg.keys():
        raise Unreadable(_("not a mail: no headers"))
    name, address = _sender(msg)
    if address is None:
        raise Unreadable(_("no sender address in From, Reply-To or Sender"))
    try:
        subject = " ".join((_header(msg, "Subject") or "").split()) or None
        attachments: list[Attachment] = []
        text = _text_of(msg)
        forwarded = _walk(msg, attachments)
    except Unreadable:
        raise
    except Exception as exc:  # the email package raises many kinds on broken structure
        raise Unreadable(_("cannot read the body ({name__}: {problem})").format(name__=type(exc).__name__, problem=exc)) from None
    if forwarded:
        text = tidy("\n\n".join([text or ""] + forwarded))
    parents = _MSGID.findall(_header(msg, "In-Reply-To") or "")
    parents += list(reversed(_MSGID.findall(_header(msg, "References") or "")))
    return Mail(ref, message_id(msg, raw), parents, subject, name, address, _date(msg), text, attachments,
                _digest(raw), automatic(msg, address))


# -- attachments -----------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name(name: str) -> str:
    """A file name that stays in its folder on every system (no path, no reserved device name)."""
    base = re.split(r"[/\\]", name)[-1]
    base = _UNSAFE.sub("_", base).strip().strip(".").strip()
    if not base or base in (".", ".."):
        base = "attachment"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if stem.upper() in _RESERVED:
        stem = "_" + stem
    ext = ext[:16]
    stem = stem[: 100 - len(ext)] or "attachment"
    return f"{stem}.{ext}" if ext else stem


HASH_CHARS = 12  # 48 bits of SHA-256: names differ whenever contents do (a clash is checked)


def _with_hash(name: str, digest: str, n: int = 1) -> str:
    """``scan.pdf`` -> ``scan-3f2a9c1b7d4e.pdf`` (``... (2).pdf`` for the n-th clash)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    stem = stem[: 100 - len(ext) - HASH_CHARS - 2]  # a dash before the hash, a dot before ext
    tail = f" ({n})" if n > 1 else ""
    return f"{stem}-{digest[:HASH_CHARS]}{tail}" + (f".{ext}" if ext else "")


class AttachmentNames:
    """The names taken in one ticket's ``attachments/<id>/`` folder, case-insensitively.

    A stored name carries a short hash of the content, so two desks that
    each save a different ``scan.pdf`` for one ticket (two replies) add two
    files that cannot collide when their work merges, and one file saved
    twice is one file. Each name costs a few dictionary look-ups: naming n
    attachments is linear (numbered copies were cubic: every try rebuilt
    the set of taken names).
    """

    def __init__(self, folder: Path, existing: Iterable[str]) -> None:
        self.folder = folder
        # lower-case name -> (name as stored, SHA-256 of its content when known)
        self._taken: dict[str, tuple[str, Optional[str]]] = {n.lower(): (n, None) for n in existing}
        self._next: dict[str, int] = {}  # the next number to try after a clash, by name
        self.lookups = 0

    def name(self, original: str, data: bytes) -> tuple[str, bool]:
        """The stored name for ``data`` sent as ``original``; True when that file is already kept."""
        digest = hashlib.sha256(data).hexdigest()
        base = safe_name(original)
        candidate = _with_hash(base, digest)
        n = 1
        while True:
            self.lookups += 1
            taken = self._taken.get(candidate.lower())
            if taken is None:
                self._taken[candidate.lower()] = (candidate, digest)
                return candidate, False
            if self._digest(taken) == digest:
                return taken[0], True
            # A different file under this name (a hash clash, or put there by hand).
            key = _with_hash(base, digest).lower()
            n = max(n + 1, self._next.get(key, 2))
            self._next[key] = n + 1
            candidate = _with_hash(base, digest, n)

    def _digest(self, taken: tuple[str, Optional[str]]) -> Optional[str]:
        name, digest = taken
        if digest is None:  # named before this run: read it once, if it is a file at all
            try:
                data, _ = read_regular(self.folder / name, 1 << 31)
            except (OSError, NotRegular, TooLarge):
                return None
            digest = hashlib.sha256(data).hexdigest()
            self._taken[name.lower()] = (name, digest)
        return digest


# -- what earlier runs reported ------------------------------------------------------

REPORTED_DIR = Path(".lpsectl") / "mail"
REPORTED_NAME = "reported.json"


@dataclass
class Reported:
    """Problems and notices earlier runs of import-mail told in full, by key.

    ``import-mail`` runs from cron over a mailbox that keeps its mail: an
    unreadable mail would fail every run and fill every log. Each is told in
    full once, then counted. Derived and disposable (``.lpsectl/`` is
    git-ignored): without this file everything is told once more.
    """

    path: Path
    first_told: dict[str, str] = field(default_factory=dict)  # key -> ISO time first told

    @classmethod
    def load(cls, hd: Helpdesk) -> "Reported":
        path = hd.root / REPORTED_DIR / REPORTED_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        told = data.get("reported") if isinstance(data, dict) else None
        if not isinstance(told, dict):
            return cls(path)
        return cls(path, {k: str(v) for k, v in told.items() if isinstance(k, str)})

    def __contains__(self, key: Optional[str]) -> bool:
        return key is not None and key in self.first_told

    def remember(self, keys: Iterable[Optional[str]], now: datetime) -> bool:
        """Add ``keys``; True when one was new."""
        new = [k for k in keys if k is not None and k not in self.first_told]
        for k in new:
            self.first_told[k] = now.isoformat()
        return bool(new)

    def save(self) -> None:
        """Write the file (OSError when the folder cannot be written)."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():  # ignored even where the helpdesk's .gitignore lacks .lpsectl/
            atomic_write(ignore, b"# lpsectl's memory of what import-mail reported: disposable\n*\n")
        text = json.dumps({"reported": self.first_told}, indent=1, sort_keys=True) + "\n"
        atomic_write(self.path, text.encode("utf-8"))


# -- the run ---------------------------------------------------------------------

_ID_IN_SUBJECT = re.compile(rf"(?<![0-9A-Z])(\d{{4}}-[{ALPHABET}]{{4,7}})(?![0-9A-Z])")


def known_message_ids(hd: Helpdesk) -> dict[str, str]:
    """Message-ID -> ticket id, from the ticket files' text (kept in the index; no full YAML parse)."""
    out: dict[str, str] = {}
    for path, message_ids in hd.message_ids_by_file():
        for value in message_ids:
            out[value] = path.stem.upper()
    return out


@dataclass
class Outcome:
    ref: MailRef
    action: str  # opened, followup, duplicate, own
    ticket: Optional[str]
    subject: Optional[str]
    note: Optional[str] = None  # what to tell the officer about it ("own": why it was left out)
    key: Optional[str] = None  # as Problem.key: told once, then counted


@dataclass
class MailRun:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed: dict[str, Ticket] = field(default_factory=dict)  # tickets to write, by id
    names: dict[str, "AttachmentNames"] = field(default_factory=dict)  # attachment folders, by ticket id
    automatic: set[str] = field(default_factory=set)  # tickets opened by a program's mail: no receipt

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)


def import_mail(hd: Helpdesk, paths: list[Path], operator: str, now: datetime, stage: Staging,
                wrap: Wrap = no_bar) -> MailRun:
    """Read every mail under ``paths``; stage the tickets and attachments it makes."""
    run = MailRun()
    refs = find(paths)
    # First pass: headers only, to order the mails by date.
    order: list[tuple[datetime, int, MailRef]] = []
    with wrap(refs, "Reading mail headers") as bar:
        for i, ref in enumerate(bar):
            try:
                raw = ref.read()
                when = _date(headers(raw))
            except OSError as exc:
                run.problems.append(ref.problem(_("cannot read the file ({problem})").format(problem=exc.strerror)))
                continue
            except Exception:
                when = None  # the full read below says what is wrong
            order.append((when or now, i, ref))
    order.sort(key=lambda x: (x[0], x[1]))
    known = known_message_ids(hd)
    ids = IdMaker(hd)
    with wrap([r for _, _, r in order], "Importing mail") as bar:
        for ref in bar:
            try:
                raw = ref.read()
            except Unreadable as exc:
                run.problems.append(ref.problem(str(exc)))
                continue
            except OSError as exc:
                run.problems.append(ref.problem(_("cannot read the file ({problem})").format(problem=exc.strerror)))
                continue
            try:
                mail = parse(raw, ref)
            except Unreadable as exc:
                run.problems.append(ref.problem(str(exc), _digest(raw)))
                continue
            _take(hd, run, mail, known, ids, operator, now, stage)
    for t in run.changed.values():
        stage.add(hd.path_for(t.id), ticketfile.dumps(t).encode("utf-8"))
    return run


def _target(hd: Helpdesk, run: MailRun, mail: Mail, known: dict[str, str]) -> Optional[str]:
    for tid in _ID_IN_SUBJECT.findall((mail.subject or "").upper()):
        if tid in run.changed or hd.path_for(tid).is_file():
            return tid
    for parent in mail.parents:
        if parent in known:
            return known[parent]
    return None


def _ticket(hd: Helpdesk, run: MailRun, tid: str) -> Ticket:
    t = run.changed.get(tid)
    if t is None:
        t = hd.read(hd.path_for(tid))
        run.changed[tid] = t
    return t


def _save_attachments(hd: Helpdesk, run: MailRun, mail: Mail, t: Ticket, stage: Staging,
                      at: datetime, operator: str, now: datetime) -> tuple[list[str], list[str]]:
    """Stage the mail's attachments; their stored names and the names they were sent under."""
    folder = hd.path_for(t.id).parent / "attachments" / t.id
    names = run.names.get(t.id)
    if names is None:
        existing = list(t.attachments) + (os.listdir(folder) if folder.is_dir() else [])
        names = run.names[t.id] = AttachmentNames(folder, existing)
    cap = hd.config.attachment_max_bytes
    saved: list[str] = []
    originals: list[str] = []
    listed = set(t.attachments)
    for a in mail.attachments:
        if len(a.data) > cap:
            text = (f"attachment {a.name!r} ({human_size(len(a.data))}) not kept: larger than "
                    f"attachment_max_bytes ({human_size(cap)}) in lpsectl.yaml")
            run.warnings.append(_("{path}: message {number}: {text}").format(path=mail.ref.path, number=mail.ref.number, text=text))
            t.add(Event(at=at, action="note", by=operator, tier=t.tier, message=text, recorded_at=now))
            continue
        name, kept = names.name(a.name, a.data)
        if not kept:
            stage.add(folder / name, a.data)
        if name not in saved:
            saved.append(name)
            originals.append(a.name)
        if name not in listed:
            t.attachments.append(name)
            listed.add(name)
    return saved, originals


def _take(hd: Helpdesk, run: MailRun, mail: Mail, known: dict[str, str], ids: IdMaker,
          operator: str, now: datetime, stage: Staging) -> None:
    if mail.message_id in known:
        run.outcomes.append(Outcome(mail.ref, "duplicate", known[mail.message_id], mail.subject))
        return
    office = (hd.config.office.email or "").strip().lower()
    if office and mail.address.lower() == office:
        note = (f"{mail.ref.path}: message {mail.ref.number}: sent from the office's own "
                f"address {mail.address}; not imported")
        run.outcomes.append(Outcome(mail.ref, "own", None, mail.subject, note, _key(mail.digest, "own")))
        return
    at = mail.date
    if at is None:
        at = now
        run.warnings.append(_("{path}: message {number}: no readable Date; recorded at the import time {value}").format(path=mail.ref.path, number=mail.ref.number, value=now.isoformat()))
    elif at > now:
        run.warnings.append(_("{path}: message {number}: Date {value} is in the future; recorded at the import time").format(path=mail.ref.path, number=mail.ref.number, value=at.isoformat()))
        at = now
    at = at.astimezone(hd.tz).replace(microsecond=0)
    target = _target(hd, run, mail, known)
    if target is not None:
        try:
            t = _ticket(hd, run, target)
        except Damaged as exc:
            run.problems.append(mail.ref.problem(_("a reply to ticket {target}, which cannot be read: {problem}").format(target=target, problem=exc),
                                                  mail.digest))
            return
        at = max(at, t.history[0].at)
        saved, originals = _save_attachments(hd, run, mail, t, stage, at, operator, now)
        text = strip_quoted(mail.text) or mail.subject or "(empty reply)"
        fields: dict = {"message-id": mail.message_id}
        if saved:
            fields["attachments"] = saved
            fields["attachment_names"] = originals  # as sent, in the same order
        t.add(Event(at=at, action="followup", by=operator, tier=t.tier, message=text,
                    recorded_at=now, fields=fields))
        known[mail.message_id] = t.id
        run.outcomes.append(Outcome(mail.ref, "followup", t.id, mail.subject))
        return
    text = mail.text
    if mail.subject is None and text is None:
        if not mail.attachments:
            run.problems.append(mail.ref.problem(_("empty mail: no subject, no text, no attachment"), mail.digest))
            return
        text = "(no text; see the attachments)"
    act = workflow.Act(operator, at, now, at_given=True)
    try:
        t = workflow.new_ticket(ids.new(at), act, "email", None, Reporter(name=mail.name, email=mail.address),
                                mail.subject, text, None, None, None)
    except BadInput as exc:
        run.problems.append(mail.ref.problem(str(exc), mail.digest))
        return
    t.refs["message-id"] = mail.message_id
    run.changed[t.id] = t
    if mail.automatic:
        run.automatic.add(t.id)
    saved, originals = _save_attachments(hd, run, mail, t, stage, at, operator, now)
    if saved:  # the names the reporter sent them under, kept in the opening event
        t.history[0].fields.update({"attachments": saved, "attachment_names": originals})
    known[mail.message_id] = t.id
    run.outcomes.append(Outcome(mail.ref, "opened", t.id, mail.subject))
