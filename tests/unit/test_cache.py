"""The cache of parsed tickets: used when files are unchanged, never trusted when they may not be."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from lpsectl import cache, config, ticketfile
from lpsectl.clock import zone
from lpsectl.model import Event, Reporter, Ticket, replay
from lpsectl.store import Helpdesk

WIB = zone("Asia/Jakarta")


@pytest.fixture
def hd(tmp_path) -> Helpdesk:
    """A helpdesk folder without git: the cache is a matter of files only."""
    root = tmp_path / "desk"
    (root / "tickets").mkdir(parents=True)
    (root / config.CONFIG_NAME).write_text(config.DEFAULT_TEXT, encoding="utf-8")
    return Helpdesk(root)


@pytest.fixture
def later(monkeypatch) -> None:
    """Loads happen a minute from now: files written by the test are old enough to cache."""
    monkeypatch.setattr(cache, "now_ns", lambda: time.time_ns() + 60_000_000_000)


def ticket(tid: str, subject: str = "Lupa password", **kw) -> Ticket:
    created = datetime(2026, 8, 13, 9, 0, tzinfo=WIB)
    t = Ticket(id=tid, channel="phone", kind="question", created_at=created, subject=subject,
               reporter=Reporter(name="Budi", phone="0752 92317"), **kw)
    t.history.append(Event(at=created, action="open", by="Rina", tier="helpdesk"))
    return t


def put(hd: Helpdesk, t: Ticket) -> Path:
    return hd.save(t)


def texts(tickets) -> list[str]:
    return [ticketfile.dumps(t) for t in tickets]


def test_a_second_load_parses_no_unchanged_file_and_gives_the_same_tickets(hd, parses, later):
    for tid in ("2608-AAAAAA", "2608-BBBBBB", "2609-CCCCCC"):
        put(hd, ticket(tid))
    first = hd.load_all()
    assert len(parses) == 3
    parses.clear()
    second = hd.load_all()
    assert parses == []
    assert [t.id for t in second.tickets] == [t.id for t in first.tickets]
    assert second.tickets == first.tickets and texts(second.tickets) == texts(first.tickets)


def test_a_cached_ticket_is_exactly_the_ticket_its_file_holds(hd, later):
    wita = timezone(timedelta(hours=8))
    t = ticket("2608-RXCHER", subject="yes", message="baris satu\nbaris dua 🙂", category="login",
               difficulty="hard", attachments=["surat.pdf"], extra={"x-future": {"a": [1, True, None]}})
    t.reporter = Reporter("Budi", "Jl. Sudirman 1", "0752 92317", "budi@example.test", "vendor01", "penyedia")
    t.refs = {"lapor": "LAPOR-1", "lpse-support": None, "message-id": "<m1@example.test>", "other": "x"}
    t.history.append(Event(at=datetime(2026, 8, 13, 11, 0, tzinfo=wita), action="edit", by="Rina",
                           tier="helpdesk", message="triage", recorded_at=datetime(2026, 8, 14, 8, 0, tzinfo=WIB),
                           fields={"changes": {"difficulty": {"from": "normal", "to": "hard"}}}))
    t.history.append(Event(at=datetime(2026, 8, 14, 9, 0, tzinfo=WIB), action="followup", by="mail",
                           tier="helpdesk", fields={"message-id": "<m2@example.test>"}))
    put(hd, t)
    fresh = hd.load_all().tickets[0]
    cached = hd.load_all().tickets[0]
    assert cached == fresh
    assert ticketfile.dumps(cached) == ticketfile.dumps(fresh)
    assert [e.at.utcoffset() for e in cached.history] == [e.at.utcoffset() for e in fresh.history]
    assert cache.decode(json.loads(json.dumps(cache.encode(fresh)))) == fresh


def test_a_file_rewritten_in_place_with_the_same_size_and_mtime_is_read_again(hd, parses, later):
    path = put(hd, ticket("2608-AAAAAA", subject="Lupa password"))
    assert hd.load_all().tickets[0].subject == "Lupa password"
    before = os.stat(path)
    # A hand edit: the same number of bytes, written into the same file, its mtime put back.
    text = path.read_text(encoding="utf-8").replace("Lupa password", "Lupa passwort")
    while os.stat(path).st_ctime_ns == before.st_ctime_ns:
        time.sleep(0.005)  # the kernel's file clock moves in ticks; wait for the next one
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with open(path, "r+", encoding="utf-8") as f:
        f.write(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    parses.clear()
    assert hd.load_all().tickets[0].subject == "Lupa passwort"
    assert len(parses) == 1


def test_a_file_written_just_before_the_load_is_parsed_again_next_time(hd, parses):
    # Its stamps could still miss a rewrite within the same tick of the file clock.
    put(hd, ticket("2608-AAAAAA"))
    hd.load_all()
    hd.load_all()
    assert len(parses) == 2


def test_a_changed_file_is_read_again_and_the_others_come_from_the_cache(hd, parses, later):
    put(hd, ticket("2608-AAAAAA"))
    put(hd, ticket("2608-BBBBBB"))
    hd.load_all()
    t = ticket("2608-BBBBBB", subject="Upload gagal")
    put(hd, t)
    parses.clear()
    loaded = hd.load_all()
    assert [t.subject for t in loaded.tickets] == ["Lupa password", "Upload gagal"]
    assert [Path(p).name for p in parses] == ["2608-BBBBBB.yaml"]


def test_a_deleted_file_disappears_from_the_load_and_from_the_cache(hd, later):
    put(hd, ticket("2608-AAAAAA"))
    gone = put(hd, ticket("2608-BBBBBB"))
    hd.load_all()
    gone.unlink()
    assert [t.id for t in hd.load_all().tickets] == ["2608-AAAAAA"]
    shard = hd.root / ".lpsectl" / "cache" / "2026-08.json"
    assert "2608-BBBBBB.yaml" not in shard.read_text() and "2608-AAAAAA.yaml" in shard.read_text()
    (hd.root / "tickets" / "2026" / "08" / "2608-AAAAAA.yaml").unlink()
    assert hd.load_all().tickets == []
    assert not shard.exists()


def test_a_damaged_file_is_read_and_reported_on_every_load(hd, parses, later):
    put(hd, ticket("2608-AAAAAA"))
    bad = put(hd, ticket("2608-BBBBBB"))
    hd.load_all()
    bad.write_text(bad.read_text().replace("channel: phone", "channel: pigeon"), encoding="utf-8")
    for _ in range(2):
        parses.clear()
        loaded = hd.load_all()
        assert [t.id for t in loaded.tickets] == ["2608-AAAAAA"]
        assert [d.problem for d in loaded.damaged] == ["unknown channel 'pigeon'"]
        assert [Path(p).name for p in parses] == ["2608-BBBBBB.yaml"]
    put(hd, ticket("2608-BBBBBB"))
    loaded = hd.load_all()
    assert not loaded.damaged and len(loaded.tickets) == 2


@pytest.mark.parametrize("spoil", [
    lambda raw: b"",
    lambda raw: raw[: len(raw) // 2],
    lambda raw: b"\x00\xff garbage",
    lambda raw: raw.replace(b"Lupa password", b"Lupa passwort"),  # still JSON: the checksum catches it
    lambda raw: raw.split(b"\n", 1)[0] + b"\n[1, 2, 3]",
])
def test_a_corrupt_cache_is_ignored_and_rebuilt(hd, parses, later, spoil):
    put(hd, ticket("2608-AAAAAA"))
    hd.load_all()
    shard = hd.root / ".lpsectl" / "cache" / "2026-08.json"
    shard.write_bytes(spoil(shard.read_bytes()))
    parses.clear()
    assert [t.subject for t in hd.load_all().tickets] == ["Lupa password"]
    assert len(parses) == 1
    parses.clear()
    assert [t.subject for t in hd.load_all().tickets] == ["Lupa password"]
    assert parses == []


def test_a_cache_written_by_another_version_is_not_used(hd, parses, later, monkeypatch):
    put(hd, ticket("2608-AAAAAA"))
    hd.load_all()
    monkeypatch.setattr(cache, "_CODE_KEY", "another version")
    parses.clear()
    hd.load_all()
    assert len(parses) == 1


def test_a_cache_that_cannot_be_written_is_no_error(hd, parses, later):
    (hd.root / ".lpsectl").write_text("not a folder")
    put(hd, ticket("2608-AAAAAA"))
    assert [t.id for t in hd.load_all().tickets] == ["2608-AAAAAA"]
    assert [t.id for t in hd.load_all().tickets] == ["2608-AAAAAA"]
    assert len(parses) == 2


def test_the_cache_is_made_where_the_folder_is_missing_and_ignores_itself(hd, later):
    assert not (hd.root / ".lpsectl").exists()
    put(hd, ticket("2608-AAAAAA"))
    hd.load_all()
    folder = hd.root / ".lpsectl" / "cache"
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "2026-08.json").is_file()


def test_loading_without_the_cache_parses_every_file(hd, parses, later):
    path = put(hd, ticket("2608-AAAAAA"))
    hd.load_all()
    parses.clear()
    assert hd.load_files([path], cached=False).tickets[0].id == "2608-AAAAAA"
    assert len(parses) == 1


def test_a_ticket_in_the_wrong_folder_is_damage_whether_cached_or_not(hd, later):
    put(hd, ticket("2608-AAAAAA"))
    hd.load_all()
    stray = hd.root / "tickets" / "2026" / "09" / "2608-AAAAAA.yaml"
    stray.parent.mkdir(parents=True)
    stray.write_bytes((hd.root / "tickets" / "2026" / "08" / "2608-AAAAAA.yaml").read_bytes())
    for _ in range(2):
        loaded = hd.load_all()
        assert [t.id for t in loaded.tickets] == ["2608-AAAAAA"]
        assert len(loaded.damaged) == 1 and "belongs in" in loaded.damaged[0].problem


# -- Message-IDs for import-mail ---------------------------------------------------

def known_by_reading_every_file(hd: Helpdesk) -> dict[str, str]:
    """What import-mail knew before the cache: every file's text scanned."""
    out: dict[str, str] = {}
    for path in hd.ticket_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for value in ticketfile.message_ids_in(text):
            out[value] = path.stem.upper()
    return out


def test_known_message_ids_come_from_the_cache_and_from_damaged_files_too(hd, parses, later):
    from lpsectl.intake.mail import known_message_ids

    a = ticket("2608-AAAAAA")
    a.refs["message-id"] = "<first@example.test>"
    a.history.append(Event(at=a.created_at + timedelta(hours=1), action="followup", by="mail",
                           tier="helpdesk", fields={"message-id": "<reply: 'quoted'@example.test>"}))
    put(hd, a)
    b = ticket("2608-BBBBBB")
    b.refs["message-id"] = "<second@example.test>"
    bad = put(hd, b)
    hd.load_all()
    bad.write_bytes(bad.read_bytes().replace(b"\n", b"\r\n").replace(b"channel: phone", b"channel: x"))
    want = {"<first@example.test>": "2608-AAAAAA", "<reply: 'quoted'@example.test>": "2608-AAAAAA",
            "<second@example.test>": "2608-BBBBBB"}
    assert known_by_reading_every_file(hd) == want
    parses.clear()
    assert known_message_ids(hd) == want
    assert parses == []  # scanned, not parsed


def test_message_ids_in_text_skip_nulls_and_blank_values():
    text = "refs:\n  message-id: null\nhistory:\n- message-id:  \n  message-id: '<a@b>'\n"
    assert ticketfile.message_ids_in(text) == ["<a@b>"]


# -- the state kept with a cached ticket ----------------------------------------

def _eventful(tid: str) -> Ticket:
    """Answered, reopened, waiting on the reporter: pauses, a resolution undone, two tiers."""
    t = ticket(tid)
    start = t.created_at
    for hours, action, fields in ((1, "escalate", {}), (2, "answer", {}), (26, "reopen", {}),
                                  (27, "wait", {"on": "reporter"}), (50, "followup", {})):
        t.history.append(Event(at=start + timedelta(hours=hours), action=action, by="Rina",
                               tier="admin-ppe", fields=fields))
    return t


def test_a_cached_ticket_gives_the_state_its_history_replays_to_without_rebuilding_it(hd, later):
    put(hd, _eventful("2608-AAAAAA"))
    fresh = hd.load_all().tickets[0]
    cached = hd.load_all().tickets[0]
    assert isinstance(cached, cache.CachedTicket) and not isinstance(fresh, cache.CachedTicket)
    now = datetime.now(WIB)
    assert cached.state(now) == replay(fresh.history, now) and cached.state() == fresh.state()
    assert [a.utcoffset() for a, _ in cached.state(now).pauses] == [a.utcoffset() for a, _ in fresh.state().pauses]
    assert "_rows" in cached.__dict__  # the history was never needed
    assert cached.history == fresh.history and cached.state(now) == fresh.state(now)


def test_a_cached_state_is_not_used_for_a_moment_before_the_last_event(hd, later):
    t = _eventful("2608-AAAAAA")
    put(hd, t)
    hd.load_all()
    cached = hd.load_all().tickets[0]
    for moment in (t.created_at, t.created_at + timedelta(hours=1, minutes=30), t.history[-1].at):
        assert cached.state(moment) == replay(t.history, moment)


def test_a_history_changed_after_loading_is_replayed_not_taken_from_the_cache(hd, later):
    put(hd, ticket("2608-AAAAAA"))
    hd.load_all()
    cached = hd.load_all().tickets[0]
    assert cached.state().status == "open"
    cached.add(Event(at=cached.created_at + timedelta(hours=1), action="answer", by="Rina", tier="helpdesk"))
    assert cached.state().status == "answered"
    again = hd.load_all().tickets[0]
    again.history = [*again.history, Event(at=again.created_at + timedelta(hours=1), action="close",
                                           by="Rina", tier="helpdesk", fields={"resolution": "invalid"})]
    assert again.state().resolution == "invalid"


def test_the_cached_state_follows_the_file_when_it_changes(hd, later):
    t = ticket("2608-AAAAAA")
    path = put(hd, t)
    hd.load_all()
    assert hd.load_all().tickets[0].state().status == "open"
    t.history.append(Event(at=t.created_at + timedelta(hours=1), action="answer", by="Rina", tier="helpdesk"))
    put(hd, t)
    assert hd.load_all().tickets[0].state().status == "answered"  # parsed again
    cached = hd.load_all().tickets[0]
    assert isinstance(cached, cache.CachedTicket) and cached.state().status == "answered"
    assert os.path.exists(path)


def test_a_cached_ticket_copies_and_compares_as_a_ticket(hd, later):
    put(hd, _eventful("2608-AAAAAA"))
    fresh = hd.load_all().tickets[0]
    cached = hd.load_all().tickets[0]
    assert cached == fresh and fresh == cached and not (cached != fresh)
    twin = cached.copy()
    assert twin == fresh and twin.history is not cached.history
    twin.history[0].fields["x"] = 1
    assert twin != fresh and cached == fresh


def test_an_id_prefix_finds_a_ticket_file_the_cache_has_not_seen(hd, later):
    from lpsectl.errors import NotFound

    put(hd, ticket("2608-AAAAAA"))
    put(hd, ticket("2609-ABCDEF"))
    hd.load_all()
    put(hd, ticket("2610-QRSTUV"))
    assert hd.resolve("qrs") == "2610-QRSTUV" and hd.resolve("2610-Q") == "2610-QRSTUV"
    assert hd.resolve("abc") == "2609-ABCDEF" and hd.resolve("2608") == "2608-AAAAAA"
    with pytest.raises(NotFound, match="matches 2 tickets: 2608-AAAAAA, 2609-ABCDEF"):
        hd.resolve("a")


def test_a_state_the_cached_form_cannot_hold_is_replayed_instead():
    t = ticket("2608-AAAAAA")
    t.history.append(Event(at=t.created_at + timedelta(hours=1), action="close", by="Rina", tier="helpdesk",
                           fields={"resolution": "odd|value"}))
    assert cache.encode_state(t) is None
    back = cache.decode(json.loads(json.dumps(cache.encode(t))), None)
    assert back.state().resolution == "odd|value" and back == t
    t.history[-1].fields["resolution"] = "withdrawn"
    t.history.append(Event(at=t.created_at + timedelta(hours=2), action="rate", by="Rina", tier="helpdesk",
                           fields={"score": 3}))
    back = cache.decode(json.loads(json.dumps(cache.encode(t))), cache.encode_state(t))
    assert back.state() == replay(t.history) and back.state().score == 3


def test_a_cached_ticket_reads_its_status_at_a_moment_like_its_state(hd, later):
    t = _eventful("2608-AAAAAA")
    put(hd, t)
    hd.load_all()
    cached = hd.load_all().tickets[0]
    for moment in (None, t.created_at, t.created_at + timedelta(hours=3), datetime.now(WIB)):
        assert cached.status_at(moment) == replay(t.history, moment).status == t.status_at(moment)
