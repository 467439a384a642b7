"""A long JSON listing is read from the index a chunk at a time, each chunk written before the next is read.

At 100,000 tickets a listing is 28 MB of text: made whole (SQLite's growing
string, its copy as a blob, Python's bytes) it cost three fresh copies of
it. Read a chunk at a time, the same memory serves every chunk. While git
still looks at the files, chunks are read ahead and held, so that work is
not left until git answers; what is held is written first, then the rest
as it is read. The text is the same either way.
"""

from __future__ import annotations

import json
from typing import Iterator

import click

from lpsectl import gitlook, listing
from lpsectl.listing import Texts

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def recorded(log: list[str], name: str, chunks: list[bytes]):
    """A run of rows still to read: it says in ``log`` when each chunk is read."""
    def read() -> Iterator[bytes]:
        for i, chunk in enumerate(chunks):
            log.append(f"read {name}{i}")
            yield chunk
    return read


def test_each_chunk_is_read_when_it_is_written():
    log: list[str] = []
    texts = Texts([recorded(log, "a", [b"1", b"2"]), b"moved", recorded(log, "b", [b"3"])])
    written = []
    for chunk in texts.chunks():
        log.append(f"write {chunk.decode()}")
        written.append(chunk)
    assert written == [b"1", b"2", b"moved", b"3"]
    assert log == ["read a0", "write 1", "read a1", "write 2", "write moved", "read b0", "write 3"]


def test_what_is_read_ahead_while_git_looks_is_held_and_written_first():
    log: list[str] = []
    texts = Texts([recorded(log, "a", [b"1", b"2", b"3"])])
    looking = iter([True, True, False])
    assert texts.read_ahead(lambda: next(looking)) is False  # git answered before the last chunk
    assert log == ["read a0", "read a1"]
    assert list(texts.chunks()) == [b"1", b"2", b"3"]
    assert log == ["read a0", "read a1", "read a2"]  # each chunk read once


def test_a_listing_read_ahead_whole_says_so():
    log: list[str] = []
    texts = Texts([recorded(log, "a", [b"1"]), b"moved"])
    assert texts.read_ahead(lambda: True) is True
    assert list(texts.chunks()) == [b"1", b"moved"]


def test_two_listings_joined_are_read_one_after_the_other():
    log: list[str] = []
    joined = Texts([recorded(log, "a", [b"1"])]) + Texts([recorded(log, "b", [b"2"])])
    assert list(joined.chunks()) == [b"1", b"2"] and log == ["read a0", "read b0"]


def _a_helpdesk(run) -> list[str]:
    ids = [run.new(*PHONE, "-s", f"Soal {n}", "--at", f"2026-08-0{n}T09:00") for n in range(3, 8)]
    run.ok("claim", ids[2])
    run.ok("list")  # the index built
    return ids


def test_a_json_listing_writes_its_first_rows_before_it_reads_its_last(run, monkeypatch):
    ids = _a_helpdesk(run)
    without_index = run.ok("list", "--json", env={"LPSECTL_NO_INDEX": "1"})
    monkeypatch.setattr(listing, "CHUNK_ROWS", 2)
    monkeypatch.setattr(gitlook.Look, "running", lambda self: False)  # git answered: nothing read ahead
    log: list[str] = []
    real_read, real_echo = listing.texts_in_order, click.echo

    def read(*args, **kw) -> Iterator[bytes]:
        for chunk in real_read(*args, **kw):
            log.append("read")
            yield chunk

    def echo(message=None, *args, **kw):
        if isinstance(message, bytes) and message.startswith(b"{"):
            log.append("write")
        return real_echo(message, *args, **kw)

    monkeypatch.setattr(listing, "texts_in_order", read)
    monkeypatch.setattr(click, "echo", echo)
    out = run.ok("list", "--json")
    assert out == without_index and [r["id"] for r in json.loads(out)] == ids
    assert log == ["read", "write", "read", "write", "read", "write"]  # 5 rows, 2 a chunk


def test_a_json_listing_read_ahead_while_git_looks_is_the_same(run, monkeypatch):
    _a_helpdesk(run)
    without_index = {args: run.ok(*args, env={"LPSECTL_NO_INDEX": "1", "LPSECTL_TEST_NOW": "2026-08-20T09:00+07:00"})
                     for args in [("list", "--json"), ("today", "--json")]}
    monkeypatch.setattr(listing, "CHUNK_ROWS", 2)
    monkeypatch.setattr(gitlook.Look, "running", lambda self: True)  # git still looking: everything read ahead
    for args, expected in without_index.items():
        assert run.ok(*args, env={"LPSECTL_TEST_NOW": "2026-08-20T09:00+07:00"}) == expected
