"""The fast ticket writer writes exactly what PyYAML writes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from lpsectl import fastyaml, ticketfile
from lpsectl.model import Event, Reporter, Ticket

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 8, 13, 9, 15, tzinfo=WIB)

texts = st.one_of(
    st.none(),
    st.text(max_size=160),
    st.text(alphabet="ab '#:-\n yes0123.é€😀\t\"\\", max_size=130),
    st.sampled_from(["yes", "No", "null", "~", "1e3", "0752 92317", "0752", "2026-08-13", "a: b",
                     "- x", "#x", "x #y", "'q'", "Jum'at", "", " lead", "trail ", "x:", "@home",
                     "Budi Santoso", "a" * 95, "kata " * 30, "baris\nbaris", "\u2028", "\x85", "<m@x>"]),
)


def ticket(subject, message, name, phone, note, category, attachments) -> Ticket:
    t = Ticket(id="2608-ABCDEF", channel="phone", kind="question", created_at=T0, subject=subject,
               message=message, category=category, reporter=Reporter(name=name, phone=phone),
               attachments=attachments)
    t.refs["message-id"] = subject
    t.history.append(Event(T0, "open", "Rina", "helpdesk", recorded_at=T0 + timedelta(days=3)))
    t.history.append(Event(T0 + timedelta(hours=1), "note", name or "Rina", "helpdesk", note,
                           fields={"head": True}))
    t.history.append(Event(T0 + timedelta(hours=2), "edit", "Rina", "helpdesk", message,
                           fields={"changes": {"subject": {"from": note, "to": subject}}}))
    return t


@settings(max_examples=300, deadline=None)
@given(texts, texts, texts, texts, texts, texts,
       st.lists(st.text(min_size=1, max_size=40), max_size=3))
def test_fast_writer_matches_ticketfile(subject, message, name, phone, note, category, attachments):
    t = ticket(subject, message, name, phone, note, category, attachments)
    assert fastyaml.dumps(t) == ticketfile.dumps_pyyaml(t)


def test_plain_ticket_is_written_without_the_slow_path(monkeypatch):
    t = ticket("Lupa password", "Tidak bisa login", "Budi", "0752 92317", "cek", "login", [])
    expected = ticketfile.dumps_pyyaml(t)
    monkeypatch.setattr(ticketfile, "dumps_pyyaml", lambda t: "slow")
    assert fastyaml.dumps(t) == expected


def test_ticketfile_writes_through_the_fast_writer(monkeypatch):
    t = ticket("Lupa password", "Tidak bisa login", "Budi", "0752 92317", "cek", "login", [])
    monkeypatch.setattr(fastyaml, "dumps", lambda t: "fast")
    assert ticketfile.dumps(t) == "fast"


def test_multiline_text_is_written_as_a_literal_block_without_pyyaml(monkeypatch):
    text = "Selamat siang,\nPesan galat muncul setelah 90%.\n\nMohon bantuannya."
    t = ticket("Gagal unggah", text, "Budi", "0752 92317", "baris satu\nbaris dua\n", "upload", [])
    expected = ticketfile.dumps_pyyaml(t)
    assert "message: |-\n  Selamat siang,\n" in expected

    def no_pyyaml(*args, **kwargs):
        raise AssertionError("PyYAML's emitter was used")

    monkeypatch.setattr(ticketfile, "dump_data", no_pyyaml)
    monkeypatch.setattr(ticketfile, "dumps_pyyaml", no_pyyaml)
    assert fastyaml.dumps(t) == expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(texts.filter(lambda s: bool(s)),
                 st.sampled_from(["yes", "On", "NULL", "~", "1_000", "0x1F", "0b101", "-.inf", ".NaN", "1:30",
                                  "190:20:30.15", "2026-08-13", "2026-8-13 9:15:00 +7", "<<", "=", "!x", "0752 92317"])))
def test_a_plain_scalar_is_taken_for_text_as_pyyaml_takes_it(s):
    """The writer decides plain or quoted without PyYAML, as PyYAML's resolver does."""
    import io

    import yaml

    dumper = ticketfile.ticket_dumper()(io.StringIO())
    assert fastyaml._resolves_to_str(s) == (dumper.resolve(yaml.ScalarNode, s, (True, False)) == "tag:yaml.org,2002:str")


def test_a_plain_ticket_is_written_without_importing_pyyaml():
    import subprocess
    import sys

    code = ("import sys\n"
            "from datetime import datetime, timedelta, timezone\n"
            "from lpsectl import ticketfile\n"
            "from lpsectl.model import Event, Reporter, Ticket\n"
            "t0 = datetime(2026, 8, 13, 9, 15, tzinfo=timezone(timedelta(hours=7)))\n"
            "t = Ticket(id='2608-ABCDEF', channel='phone', kind='question', created_at=t0, subject='Lupa password',\n"
            "           message='Tidak bisa masuk', reporter=Reporter(name='Budi', phone='0752 92317'))\n"
            "t.history.append(Event(t0, 'open', 'Rina', 'helpdesk'))\n"
            "text = ticketfile.dumps(t)\n"
            "print('subject: Lupa password' in text, 'phone: 0752 92317' in text, 'yaml' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.split() == ["True", "True", "False"], proc.stderr
