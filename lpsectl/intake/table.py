"""Past records from a spreadsheet: read CSV or XLSX, check every row, build tickets.

All or nothing: every row is checked before anything is written to
``tickets/``, and one bad row rejects the file, naming every bad row and
why. (A good row's file is staged as soon as the row is checked, by the
same process: the staging folder is thrown away when a row is bad.) The file records
what already happened, so the live rules of the workflow (a head note before
closing a complaint, one tier at a time, no times in the past) do not
apply; the vocabularies and each channel's required identity do.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from lpsectl import workflow
from lpsectl.clock import parse_time
from lpsectl.errors import BadInput, LpseError
from lpsectl.i18n import _, ngettext
from lpsectl.intake import IdMaker, Problem
from lpsectl.model import (
    CHANNEL, DIFFICULTY, KIND, RESOLUTION, STATUS, TIER, Event, Reporter, Ticket,
)

REQUIRED = ("channel", "created_at")
COLUMNS = (
    "channel", "created_at", "kind", "name", "address", "phone", "email", "account", "role",
    "subject", "message", "category", "difficulty", "ref", "tier", "status", "answer",
    "answered_at", "closed_at", "resolution",
)
# The Indonesian names of the columns, as an office's spreadsheet heads them
# (any case; spaces and dashes read as underscores): "Kanal", "Tanggal Masuk".
COLUMN_ALIASES = {
    "kanal": "channel", "saluran": "channel",
    "tanggal": "created_at", "tanggal_masuk": "created_at", "waktu": "created_at", "dibuat": "created_at",
    "jenis": "kind",
    "nama": "name", "alamat": "address",
    "telepon": "phone", "telp": "phone", "no_telepon": "phone", "nomor_telepon": "phone", "hp": "phone",
    "surel": "email", "e_mail": "email",
    "akun": "account", "peran": "role",
    "perihal": "subject", "judul": "subject",
    "isi": "message", "pesan": "message", "uraian": "message",
    "kategori": "category", "kesulitan": "difficulty", "tingkat_kesulitan": "difficulty",
    "referensi": "ref", "nomor_referensi": "ref",
    "jenjang": "tier",
    "tanggapan": "answer", "jawaban": "answer",
    "tanggal_tanggapan": "answered_at", "ditanggapi": "answered_at",
    "tanggal_selesai": "closed_at", "tanggal_ditutup": "closed_at", "ditutup": "closed_at",
    "penyelesaian": "resolution",
}
FUTURE_SLACK = timedelta(minutes=5)


class BadRows(BadInput):
    """The file has bad rows; ``problems`` names each one."""

    def __init__(self, source: str, problems: list[Problem], rows: int) -> None:
        self.problems = problems
        n = len(problems)
        super().__init__(
            ngettext("{source}: {n} bad row of {rows}; nothing was imported. "
                     "Fix the rows listed above and run the import again",
                     "{source}: {n} bad rows of {rows}; nothing was imported. "
                     "Fix the rows listed above and run the import again", n).format(source=source, n=n, rows=rows)
        )


class MissingExtra(LpseError):
    """An optional dependency is not installed."""


@dataclass
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, str]


@dataclass
class Table:
    """A spreadsheet's rows, read as they are taken from ``rows``: 100,000 of them are never held at once."""

    source: str
    rows: Iterator[Row] = field(default_factory=lambda: iter(()))
    delimiter: Optional[str] = None
    # How much ``rows`` reads in all, and how much of it the rows taken so far read (for a progress
    # bar): characters of a CSV file, rows of a sheet.
    size: int = 0
    taken: int = 0


def _column(name: Any) -> str:
    """The column a header cell names: English or Indonesian, any case."""
    key = str(name or "").strip().lstrip("\ufeff").strip().lower().replace(" ", "_").replace("-", "_")
    return COLUMN_ALIASES.get(key, key)


def _header(cells: list[Any], source: str) -> list[str]:
    names = [_column(c) for c in cells]
    while names and not names[-1]:
        names.pop()  # spreadsheets leave empty columns at the end
    unknown = [repr(n) if n else _("(empty, column {n})").format(n=i + 1)
               for i, n in enumerate(names) if n not in COLUMNS]
    if unknown:
        raise BadInput(
            ngettext("{source}: unknown column {names} in the header row; the columns are {columns} "
                     "(or their Indonesian names)",
                     "{source}: unknown columns {names} in the header row; the columns are {columns} "
                     "(or their Indonesian names)", len(unknown))
            .format(source=source, names=", ".join(unknown), columns=", ".join(COLUMNS))
        )
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise BadInput(_("{source}: column {name!r} appears twice in the header row").format(source=source, name=n))
        seen.add(n)
    missing = [c for c in REQUIRED if c not in names]
    if "subject" not in names and "message" not in names:
        missing.append(_("subject or message"))
    if missing:
        raise BadInput(_("{source}: the header row lacks {columns}; the first row must name the columns")
                       .format(source=source, columns=", ".join(missing)))
    return names


def _rows(header: list[str], records: Iterable[tuple[int, list[Any]]]) -> Iterator[Row]:
    width = len(header)
    for number, cells in records:
        values = ["" if c is None else c for c in cells]
        if not any(str(v).strip() for v in values):
            continue  # blank lines and empty spreadsheet rows
        extra = [v for v in values[width:] if str(v).strip()]
        # Only the cells with something in them: an empty cell reads as a missing one
        # (``_get``), and 100,000 rows of mostly empty columns stay small.
        row = Row(number, {h: v for h, v in zip(header, values) if v != ""})
        if extra:
            row.values["__extra__"] = _("{n} value(s) beyond the last column").format(n=len(extra))
        yield row


def read(path: Path, encoding: Optional[str] = None, sheet: Optional[str] = None) -> Table:
    suffix = path.suffix.lower()
    if not path.is_file():
        if path.is_dir():
            raise BadInput(_("{path}: a folder, not a file; give a CSV or .xlsx file").format(path=path))
        if path.exists():  # a named pipe or a device: reading it could wait for ever
            raise BadInput(_("{path}: not a regular file; save the records to a CSV or .xlsx file and import that")
                           .format(path=path))
        raise BadInput(_("{path}: no such file").format(path=path))
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet)
    if suffix in (".xls", ".ods", ".numbers"):
        raise BadInput(_("{path}: {suffix} files cannot be read; save the sheet as .xlsx or as CSV UTF-8")
                       .format(path=path, suffix=suffix))
    if sheet:
        raise BadInput(_("--sheet is for .xlsx files"))
    return read_csv(path, encoding)


def read_csv(path: Path, encoding: Optional[str] = None) -> Table:
    data = path.read_bytes()
    enc = encoding or "utf-8-sig"
    try:
        text = data.decode(enc)
    except LookupError:
        raise BadInput(_("unknown encoding {encoding!r}; try utf-8 or cp1252").format(encoding=encoding)) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BadInput(
            _("{path}:{line}: not {encoding} text; save it as 'CSV UTF-8', or give its encoding "
              "(spreadsheets on Windows write --encoding cp1252)").format(path=path, line=line, encoding=enc)
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    end = _LINE_END.search(text)
    first = text[:end.start()] if end else text  # not split: that would copy the rest
    try:
        delimiter = _delimiter(first)
    except csv.Error as exc:
        raise _unreadable(path, 1, exc) from None
    del data
    table = Table(str(path), delimiter=delimiter, size=len(text))
    # Records are parsed as the rows are taken, never all first: the rows of a large file would take
    # hundreds of MB, and the processes that check them would wait for the last one.
    reader = csv.reader(_lines(text, table), delimiter=delimiter, strict=False)
    try:
        first_record = next(reader, None)
        if first_record is None:
            raise BadInput(_("{path}: the file is empty; it needs a header row and one row per ticket")
                           .format(path=path))
        header = _header(first_record, table.source)
    except csv.Error as exc:
        raise _unreadable(path, reader.line_num, exc) from None
    table.rows = _csv_rows(header, reader, path)
    return table


def _csv_rows(header: list[str], reader: Any, path: Path) -> Iterator[Row]:
    try:
        yield from _rows(header, ((i + 2, r) for i, r in enumerate(reader)))
    except csv.Error as exc:
        raise _unreadable(path, reader.line_num, exc) from None


# A carriage return that ends a line by itself (old Macs), not as part of \r\n.
_LONE_CR = re.compile(r"\r(?!\n)")
_LINE_END = re.compile(r"\r|\n")


def _lines(text: str, table: Table) -> Iterator[str]:
    """The lines of ``text`` with their ends, as a file opened with ``newline=""`` gives them to the reader.

    Counted into ``table.taken``. Cut at each \\n by ``str.find``: a
    StringIO of the text would first copy it into 4 bytes a character.
    """
    if _LONE_CR.search(text):  # lines also end at a lone \r: read as a file would be
        for line in io.StringIO(text, newline=""):
            table.taken += len(line)
            yield line
        return
    start, end, find = 0, len(text), text.find
    while start < end:
        stop = find("\n", start) + 1 or end
        table.taken = stop
        yield text[start:stop]
        start = stop


def _unreadable(path: Path, line: int, exc: csv.Error) -> BadInput:
    if "field limit" in str(exc):
        return BadInput(_("{path}:{line}: a cell is longer than {limit:,} characters, more than a record holds; "
                          "is this the right file?").format(path=path, line=line, limit=csv.field_size_limit()))
    return BadInput(_("{path}:{line}: unreadable CSV: {problem}").format(path=path, line=line, problem=exc))


def _delimiter(first_line: str) -> str:
    """Comma, or the semicolon a spreadsheet under an Indonesian locale writes, or tab."""
    best, score = ",", -1
    for d in (",", ";", "\t"):
        cells = next(csv.reader([first_line], delimiter=d), [])
        known = sum(1 for c in cells if _column(c) in COLUMNS)
        if known > score:
            best, score = d, known
    return best


def read_xlsx(path: Path, sheet: Optional[str] = None) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise MissingExtra(
            _("reading .xlsx needs openpyxl: install lpsectl with the xlsx extra "
              "(pip install 'lpsectl[xlsx]'), or save the sheet as CSV UTF-8")
        ) from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise BadInput(_("{path}: not a readable .xlsx workbook ({problem})").format(path=path, problem=exc)) from None
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise BadInput(_("{path}: no sheet {sheet!r}; the sheets are {sheets}")
                               .format(path=path, sheet=sheet, sheets=", ".join(wb.sheetnames)))
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header_cells = next(it, None)
        if header_cells is None:
            raise BadInput(_("{path}: the sheet is empty; it needs a header row and one row per ticket").format(path=path))
        source = f"{path}" + (f" [{sheet}]" if sheet else "")
        header = _header(list(header_cells), source)
        rows = list(_rows(header, ((i + 2, [_cell(c) for c in r]) for i, r in enumerate(it))))
    finally:
        wb.close()  # read whole: a workbook left open until its last row is taken would outlive an error
    table = Table(source, size=len(rows))
    table.rows = _handed_out(rows, table)
    return table


def _handed_out(rows: list[Row], table: Table) -> Iterator[Row]:
    """``rows`` in order, each dropped from the list once taken (counted into ``table.taken``)."""
    rows.reverse()
    while rows:
        table.taken += 1
        yield rows.pop()


def _cell(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()  # naive: the office's time zone
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- times -----------------------------------------------------------------

def parse_when(text: str, tz: tzinfo, what: str) -> datetime:
    """A date or time of a row: the reader every command uses (ISO 8601 or day first)."""
    return parse_time(text, tz, what)


# -- rows into tickets -------------------------------------------------------

def _get(values: dict[str, Any], key: str) -> Optional[str]:
    v = values.get(key)
    if v is None:
        return None
    v = str(v).replace("\r\n", "\n").replace("\r", "\n").strip()
    return v or None


# One row checked: (its number, why it is bad or None, and what ``make`` made of its ticket).
Checked = tuple[int, Optional[str], Any]
# The rows sent to be checked at once: (number, values, the id drawn for its ticket).
Job = list[tuple[int, dict[str, Any], Optional[str]]]


def draw_id(values: dict[str, Any], ids: IdMaker, tz: tzinfo) -> Optional[str]:
    """The id of the ticket a row describes, None when its ``created_at`` cannot be read (a bad row).

    Drawn in one process, in row order, before any row is checked: so the
    processes that check rows and make tickets side by side never hand out
    one id twice. ``created_at`` is read as :func:`_ticket` reads it, so the
    id names the month the ticket is opened in.
    """
    raw = _get(values, "created_at")
    if raw is None:
        return None
    try:
        return ids.new(parse_when(raw, tz, "created_at"))
    except BadInput:
        return None


class _Drawn:
    """:class:`IdMaker`'s place for a row whose id was drawn already (:func:`draw_id`)."""

    def __init__(self, tid: str) -> None:
        self.tid = tid

    def new(self, created_at: datetime) -> str:
        return self.tid


def check_rows(rows: Job, tz: tzinfo, operator: str, now: datetime,
               make: Optional[Callable[[Ticket], Any]] = None) -> list[Checked]:
    """Check each row; a good row's ticket goes to ``make`` (None: only checked, as ``--dry-run`` does)."""
    out: list[Checked] = []
    for number, values, tid in rows:
        why: list[str] = []
        t = _ticket(Row(number, values), why, _Drawn(tid) if tid else None, tz, operator, now)
        if why:
            out.append((number, "; ".join(why), None))
        else:
            out.append((number, None, make(t) if make is not None and t is not None else None))
    return out


CHUNK = 500  # rows checked at once: a worker's share, and what a progress bar moves by


def _jobs(rows: Iterable[Row], ids: IdMaker, tz: tzinfo) -> Iterator[Job]:
    job: Job = []
    for row in rows:
        job.append((row.number, row.values, draw_id(row.values, ids, tz)))
        if len(job) >= CHUNK:
            yield job
            job = []
    if job:
        yield job


def checked(table: Table, rows: Iterable[Row], ids: IdMaker, tz: tzinfo,
            each: Callable[[Iterator[Job]], Iterable[Checked]]) -> Iterator[Any]:
    """What became of every good row, in row order; then :class:`BadRows` if any row was bad.

    ``rows`` is ``table.rows``, possibly wrapped in a progress bar. ``each``
    checks the rows (:func:`check_rows`, here or in several processes) and
    hands back one :data:`Checked` per row, in order. Every row is checked
    even after a bad one, so the error names them all; what the caller
    made of the good rows before (staged files) it throws away then.
    """
    problems: list[Problem] = []
    count = 0
    for number, why, made in each(_jobs(rows, ids, tz)):
        count += 1
        if why is not None:
            problems.append(Problem(table.source, number, why))
        elif not problems:
            yield made
    if problems:
        raise BadRows(table.source, problems, count)
    if not count:
        raise BadInput(_("{source}: no rows under the header; nothing to import").format(source=table.source))


def path_of(tid: str) -> str:
    """A ticket's file relative to tickets/, with / (plain string work: 100,000 of them)."""
    return f"20{tid[:2]}/{tid[2:4]}/{tid}.yaml"


def writer(ctx: Any, sha256: bool, stage_to: Optional[str],
           packed: Optional[list[bytes]] = None) -> Callable[[Ticket], tuple]:
    """``make`` for :func:`check_rows`: a ticket's file (written below ``stage_to``) and its index row.

    Gives (path relative to tickets/, the file's bytes or None when written,
    the fields of its :class:`~lpsectl.index.FileResult`). Without ``ctx``
    (no index): the file's bytes, and no row. ``packed``: where each
    written file's blob for git goes (:func:`~lpsectl.gitrepo.blob_record`).
    """
    from lpsectl import ticketfile
    from lpsectl.gitrepo import blob_record
    from lpsectl.index import written

    def make(t: Ticket) -> tuple:
        rel = path_of(t.id)
        if ctx is None:  # no index (no git): only the file
            return rel, ticketfile.dumps(t).encode("utf-8"), None
        data, res = written(t, rel, ctx, sha256, stage_to)
        if packed is not None:
            packed.append(blob_record(data))
        return rel, None if stage_to is not None else data, res.fields()

    return make


@dataclass
class Task:
    """Rows to check at once, and where what is made of them goes."""

    rows: Job
    operator: str
    now: datetime
    # The staging folder of tickets/, each good row's file written below it as
    # it will be below tickets/; None: the rows are only checked (``--dry-run``).
    stage_to: Optional[str] = None
    # The file of the good rows' index rows (:class:`~lpsectl.index.RowSpool`); None: no index.
    spool: Optional[str] = None
    # The file of the good rows' blobs, as git's commit packs them (``packed``
    # of :meth:`~lpsectl.gitrepo.GitRepo.commit`): the files need not be read again.
    packed: Optional[str] = None
    # The holidays of the years its tickets open in, computed once by the importing process
    # (:func:`holidays_of`): a worker would otherwise import ``holidays`` and compute them again.
    holidays: Optional[dict[int, dict[date, str]]] = None


def holidays_of(job: Job, calendar: Any) -> dict[int, dict[date, str]]:
    """The holidays of the years ``job``'s tickets open in, as ``calendar`` computes them (each year once)."""
    return {y: calendar.holidays(y) for y in {2000 + int(tid[:2]) for _, _, tid in job if tid}}


def check_task(task: Task, tz: tzinfo, ctx: Any, sha256: bool) -> list[Checked]:
    """Check the rows of ``task``; write each good row's file, and their index rows to its spool.

    What a good row's :data:`Checked` carries: (its path relative to
    tickets/, the file's bytes or None when written); None when only checked.
    """
    blobs: Optional[list[bytes]] = [] if task.packed is not None else None
    make = writer(ctx, sha256, task.stage_to, blobs) if task.stage_to is not None else None
    out = check_rows(task.rows, tz, task.operator, task.now, make)
    if task.spool is not None:
        from lpsectl.index import RowSpool

        RowSpool.write(task.spool, [made[2] for _, why, made in out if why is None and made is not None])
    if task.packed is not None and blobs is not None:
        from lpsectl.intake.staging import write_staged

        write_staged(task.packed, b"".join(blobs), set())
    return [(number, why, None if made is None else made[:2]) for number, why, made in out]


def check_in_worker(task: Task) -> list[Checked]:
    """:func:`check_task` in a process of the index's pool."""
    from lpsectl.clock import zone
    from lpsectl.index import worker_context

    ctx, sha256 = worker_context()
    if task.holidays:
        ctx.cal.preload_holidays(task.holidays)
    return check_task(task, zone(ctx.cfg.timezone), ctx, sha256)


def _vocab(vocab, values: dict, key: str, why: list[str]) -> Optional[str]:
    raw = _get(values, key)
    if raw is None:
        return None
    try:
        return vocab.parse(raw)
    except BadInput as exc:
        why.append(str(exc))
        return None


def _time(values: dict, key: str, tz: tzinfo, now: datetime, why: list[str]) -> Optional[datetime]:
    raw = _get(values, key)
    if raw is None:
        return None
    try:
        t = parse_when(raw, tz, key)
    except BadInput as exc:
        why.append(str(exc))
        return None
    if t > now + FUTURE_SLACK:
        why.append(_("{column} {value!r} is in the future").format(column=key, value=raw))
    return t


def _ticket(row: Row, why: list[str], ids: Optional[IdMaker], tz: tzinfo, operator: str,
            now: datetime) -> Optional[Ticket]:
    v = row.values
    if "__extra__" in v:
        why.append(str(v["__extra__"]))
    channel = _vocab(CHANNEL, v, "channel", why)
    if channel is None and _get(v, "channel") is None:
        why.append(_("channel is empty"))
    created = _time(v, "created_at", tz, now, why)
    if created is None and _get(v, "created_at") is None:
        why.append(_("created_at is empty"))
    kind = _vocab(KIND, v, "kind", why)
    difficulty = _vocab(DIFFICULTY, v, "difficulty", why)
    tier = _vocab(TIER, v, "tier", why) or "helpdesk"
    status = _vocab(STATUS, v, "status", why)
    resolution = _vocab(RESOLUTION, v, "resolution", why)
    answered_at = _time(v, "answered_at", tz, now, why)
    closed_at = _time(v, "closed_at", tz, now, why)
    answer = _get(v, "answer")
    reporter = Reporter(**{f: _get(v, f) for f in ("name", "address", "phone", "email", "account", "role")})
    ref = _get(v, "ref")
    subject, message = _get(v, "subject"), _get(v, "message")
    if subject is None and message is None:
        why.append(_("subject and message are both empty"))
    if reporter.email and "@" not in reporter.email:
        why.append(_("email {email!r} is not an e-mail address").format(email=reporter.email))
    if channel:
        missing = workflow.missing_identity(channel, reporter, ref)
        if missing:
            why.append(workflow.needs_identity(channel, missing))
    # The outcome the row records, and whether its columns agree.
    answered = answer is not None or answered_at is not None
    ended = closed_at is not None or resolution is not None
    if status is None:
        status = "closed" if ended else "answered" if answered else "open"
    if status in ("open", "waiting") and (answered or ended):
        given = [k for k in ("answer", "answered_at", "closed_at", "resolution") if _get(v, k)]
        why.append(_("status {status} but {columns} given").format(status=status, columns=", ".join(given)))
    elif status == "answered" and ended:
        given = [k for k in ("closed_at", "resolution") if _get(v, k)]
        why.append(_("status answered but {columns} given (status closed?)").format(columns=", ".join(given)))
    if created and answered_at and answered_at < created:
        why.append(_("answered_at is before created_at"))
    if created and closed_at and closed_at < (answered_at or created):
        why.append(_("closed_at is before {column}").format(column="answered_at" if answered_at else "created_at"))
    if why or ids is None or created is None or channel is None:
        return None
    act = workflow.Act(operator, created, now, at_given=True)
    try:
        t = workflow.new_ticket(ids.new(created), act, channel, kind, reporter, subject, message,
                                _get(v, "category"), difficulty, ref)
    except BadInput as exc:  # pragma: no cover - every rule above comes first
        why.append(str(exc))
        return None

    def event(at: datetime, action: str, tier_: str, text: Optional[str] = None, **fields: Any) -> None:
        t.history.append(Event(at=at, action=action, by=operator, tier=tier_, message=text,
                               recorded_at=now, fields={k: x for k, x in fields.items() if x is not None}))

    # The history the row implies, in time order: climb to the tier reached
    # (when is not recorded: at opening), then the answer, then the end.
    order = TIER.values
    for step in order[1:order.index(tier) + 1]:
        ref_here = ref if step == "lkpp" and channel != "lapor" else None
        event(created, "escalate", step, ref=ref_here)
    if status == "waiting":
        event(created, "wait", tier, on="lkpp" if tier == "lkpp" else "reporter")
    if status in ("answered", "closed") and answered:
        event(answered_at or closed_at or created, "answer", tier, answer)
    if status == "closed":
        res = resolution or "answered"
        at = closed_at or answered_at or created
        if res == "redirected":
            event(at, "redirect", tier, resolution="redirected")
        else:
            event(at, "close", tier, resolution=res)
    if status == "answered" and not answered:
        event(created, "answer", tier)
    return t
