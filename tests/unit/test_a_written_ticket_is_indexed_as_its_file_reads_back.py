"""The index row an import makes as it writes a ticket is the row a parse of that file makes.

The import no longer parses what it has just written (``index.written``
makes the row from :func:`ticketfile.as_read` of the ticket); whatever the
file drops or reorders must be dropped and reordered in the row too.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lpsectl import index, ticketfile
from lpsectl.model import Event, Reporter, Ticket
from lpsectl.store import Helpdesk

WIB = ZoneInfo("Asia/Jakarta")
AT = datetime(2026, 8, 13, 9, 15, tzinfo=WIB)
LATER = AT + timedelta(hours=2)


def ticket(**kw) -> Ticket:
    t = Ticket(id="2608-ABCDEF", channel="phone", kind="question", created_at=AT, subject="Lupa password",
               message="Tidak bisa login\n\nsudah dicoba", reporter=Reporter(name="Budi", phone="0752 92317"))
    for k, v in kw.items():
        setattr(t, k, v)
    if not t.history:
        t.history = [Event(at=AT, action="open", by="Rina", tier="helpdesk", recorded_at=AT + timedelta(minutes=5))]
    return t


CASES = {
    # `new` without --at: recorded when it happened, so the file leaves recorded_at out
    "recorded when it happened": ticket(history=[
        Event(at=AT, action="open", by="Rina", tier="helpdesk", recorded_at=AT),
        Event(at=LATER, action="answer", by="Rina", tier="helpdesk", message="Sudah direset", recorded_at=LATER),
    ]),
    "recorded later": ticket(history=[
        Event(at=AT, action="open", by="Rina", tier="helpdesk", recorded_at=LATER),
        Event(at=LATER, action="escalate", by="Rina", tier="admin-ppe", recorded_at=LATER + timedelta(seconds=1)),
    ]),
    "refs in another order, one unknown": ticket(
        refs={"message-id": "<a@b.id>", "x-other": "7", "lapor": None, "lpse-support": "LS-1"}),
    "a fixed offset rather than a zone": ticket(created_at=AT.astimezone(timezone(timedelta(hours=7))), history=[
        Event(at=AT.astimezone(timezone.utc), action="open", by="Rina", tier="helpdesk",
              recorded_at=AT.astimezone(timezone(timedelta(hours=7))))]),
    "attachments": ticket(attachments=["surat.pdf", "foto 1.jpg"]),
    "a key this version does not know": ticket(extra={"future_key": "yes", "count": 3}),
    "an event field this version does not know": ticket(history=[
        Event(at=AT, action="open", by="Rina", tier="helpdesk", recorded_at=AT, fields={"weather": "1.5"})]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_row_made_while_writing_is_the_row_a_parse_of_the_file_makes(helpdesk: Path, case: str):
    hd = Helpdesk(helpdesk)
    ctx = index.Context(hd.config, hd.calendar)
    t = CASES[case]
    rel = "2026/08/2608-ABCDEF.yaml"
    raw, made = index.written(t, rel, ctx)
    assert raw is not None
    path = hd.tickets_dir / "2026" / "08" / "2608-ABCDEF.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    parsed = index.read_file(str(hd.tickets_dir), rel, ctx)
    assert parsed.row is not None
    assert made.blob == parsed.blob
    assert made.message_ids == parsed.message_ids
    assert dict(zip(index.COLUMNS, made.row)) == dict(zip(index.COLUMNS, parsed.row))


@pytest.mark.parametrize("case", [c for c in CASES if "does not know" not in c])
def test_as_read_is_the_ticket_its_data_reads_back_as(case: str):
    t = CASES[case]
    back = ticketfile.from_data(ticketfile.to_data(t))
    mine = ticketfile.as_read(t)
    assert mine == back
    # dict equality ignores order; the index keeps the refs as JSON, in order
    assert index.encode_ticket(mine) == index.encode_ticket(back)
