"""A listing's texts read from the index come in the listing's order, whatever order the rows were written in.

``listing.texts_in_order`` reads them in chunks of whole rows: joined, the
chunks are the listing, for both orders a listing asks for, for a run
between two keys, and for any size of chunk.
"""

from __future__ import annotations

import random
import sqlite3

import pytest

from lpsectl import index, listing
from lpsectl.listing import ROW_SEP, Steps, texts_in_order


def a_listed_table(rows: list[dict]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(index.DDL)
    marks = ", ".join("?" * len(index.LISTED))
    db.executemany(f"INSERT INTO listed VALUES ({marks})", [[r.get(c) for c in index.LISTED] for r in rows])
    # The keys of the same tickets, where a long listing finds the steps between its chunks (listing.Steps).
    db.executemany("INSERT INTO tickets (id, status, created_us, due_us) VALUES (?, ?, ?, ?)",
                   [(r["id"], r["status"], r["created_us"], r.get("due_us")) for r in rows])
    return db


def rows_in_random_order(n: int) -> list[dict]:
    rng = random.Random(10)
    rows = [{"status": rng.choice(["open", "waiting", "answered"]), "created_us": rng.randrange(50) * 1000,
             "id": f"2608-{i:04d}", "due_us": rng.randrange(20) * 1000, "json_head": f'{{"n": {i}, "x": "',
             "json_tail": "é" * rng.randrange(3) + '"}'} for i in range(n)]
    rng.shuffle(rows)
    return rows


def expected(rows: list[dict], keep, key) -> bytes:
    return ROW_SEP.join(r["json_head"] + r["json_tail"] for r in sorted(filter(keep, rows), key=key)).encode()


def joined_texts(*args) -> tuple[int, bytes]:
    """How many rows the chunks hold, and the chunks joined as a listing writes them."""
    chunks = list(texts_in_order(*args))
    assert all(chunks), "no chunk is empty"
    joined = ROW_SEP.encode().join(chunks)
    return (joined.count(b'{"n": ') if joined else 0), joined


@pytest.mark.parametrize("chunk_rows", [1, 7, 2000], ids=["a row a chunk", "a few rows a chunk", "the chunk of a listing"])
@pytest.mark.parametrize("few_rows", [0, 10_000], ids=["many rows", "few rows found by their keys"])
def test_texts_come_in_the_order_of_the_listing(monkeypatch, few_rows, chunk_rows):
    monkeypatch.setattr(listing, "FEW_ROWS", few_rows)
    monkeypatch.setattr(listing, "CHUNK_ROWS", chunk_rows)
    rows = rows_in_random_order(3000)
    db = a_listed_table(rows)
    text = "json_head || json_tail"

    n, joined = joined_texts(db, text, "status != 'answered'", [], ["created_us", "id"])
    keep = lambda r: r["status"] != "answered"  # noqa: E731
    assert joined == expected(rows, keep, lambda r: (r["created_us"], r["id"]))
    assert n == sum(map(keep, rows))

    n, joined = joined_texts(db, text, "status = 'open'", [], ["due_us", "created_us", "id"])
    assert joined == expected(rows, lambda r: r["status"] == "open", lambda r: (r["due_us"], r["created_us"], r["id"]))

    # A run between two rows that moved: every row after one key and before another.
    low, high = (10_000, "2608-0000"), (30_000, "2608-0000")
    n, joined = joined_texts(db, text, "(created_us, id) > (?, ?) AND (created_us, id) < (?, ?)",
                             [*low, *high], ["created_us", "id"])
    assert joined == expected(rows, lambda r: low < (r["created_us"], r["id"]) < high,
                              lambda r: (r["created_us"], r["id"]))


# The steps of a long listing: in the narrow index of one status, of every ticket, or of another status
# than the listing's (the chunks are the ranges between two steps, whichever keys they are).
STEPS = {"of its status": ("status = ?", ["open"]), "of every ticket": ("1", []),
         "of another status": ("status = ?", ["answered"])}


@pytest.mark.parametrize("chunk_rows", [1, 7, 2000], ids=["a row a chunk", "a few rows a chunk", "the chunk of a listing"])
@pytest.mark.parametrize("steps", list(STEPS.values()), ids=list(STEPS))
def test_a_long_listing_joined_by_sql_between_steps_comes_in_its_order(monkeypatch, chunk_rows, steps):
    monkeypatch.setattr(listing, "FEW_ROWS", 0)
    monkeypatch.setattr(listing, "CHUNK_ROWS", chunk_rows)
    rows = rows_in_random_order(3000)
    db = a_listed_table(rows)
    text = "json_head || json_tail"
    is_open = lambda r: r["status"] == "open"  # noqa: E731
    by_created = lambda r: (r["created_us"], r["id"])  # noqa: E731
    by_due = lambda r: (r["due_us"], r["created_us"], r["id"])  # noqa: E731

    for keys, key in ((["created_us", "id"], by_created), (["due_us", "created_us", "id"], by_due)):
        n, joined = joined_texts(db, text, "status = 'open'", [], keys, Steps(*steps))
        assert joined == expected(rows, is_open, key)
        assert n == sum(map(is_open, rows))

    # Rows of several statuses by opening time: a range of listed a status, each chunk's rows sorted.
    not_waiting = lambda r: r["status"] != "waiting"  # noqa: E731
    n, joined = joined_texts(db, text, "status != 'waiting'", [], ["created_us", "id"],
                             Steps(*steps, statuses=("answered", "open")))
    assert joined == expected(rows, not_waiting, by_created)
    assert n == sum(map(not_waiting, rows))

    # A run between two rows that moved, the steps taken between them too; keys that are rows' or not.
    for low, high in (((10_000, "2608-0000"), (30_000, "2608-0000")), (by_created(rows[5]), by_created(rows[9]))):
        low, high = min(low, high), max(low, high)
        run = "status = 'open' AND (created_us, id) > (?, ?) AND (created_us, id) < (?, ?)"
        n, joined = joined_texts(db, text, run, [*low, *high], ["created_us", "id"], Steps(*steps, low, high))
        assert joined == expected(rows, lambda r: is_open(r) and low < by_created(r) < high, by_created)


@pytest.mark.parametrize("steps", [STEPS["of its status"], STEPS["of every ticket"]],
                         ids=["of its status", "of every ticket"])
def test_a_chunk_between_steps_holds_no_more_rows_than_a_chunk_does(monkeypatch, steps):
    monkeypatch.setattr(listing, "FEW_ROWS", 0)
    monkeypatch.setattr(listing, "CHUNK_ROWS", 100)
    rows = rows_in_random_order(1000)
    chunks = list(texts_in_order(a_listed_table(rows), "json_head || json_tail", "status = 'open'", [],
                                 ["created_us", "id"], Steps(*steps)))
    sizes = [c.count(b'{"n": ') for c in chunks]
    assert sum(sizes) == sum(r["status"] == "open" for r in rows)
    assert max(sizes) <= 100 and all(sizes)
    if steps == STEPS["of its status"]:
        assert sizes[:-1] == [100] * (len(sizes) - 1)


def test_no_row_is_no_chunk():
    assert list(texts_in_order(a_listed_table([]), "json_head", "1", [], ["created_us", "id"])) == []


def test_a_long_listing_comes_in_chunks_of_the_rows_asked_for(monkeypatch):
    monkeypatch.setattr(listing, "CHUNK_ROWS", 100)
    rows = rows_in_random_order(250)
    chunks = list(texts_in_order(a_listed_table(rows), "json_head || json_tail", "1", [], ["created_us", "id"]))
    assert [c.count(b'{"n": ') for c in chunks] == [100, 100, 50]


def test_a_listing_read_part_way_frees_its_reading_with_it_not_at_a_later_collection():
    """A listing abandoned part-way (git found the index stale, the reader closed the pipe) stops reading at once.

    Its read must end while the index is still open, not whenever the cyclic
    collector next runs, perhaps after the index was closed.
    """
    import gc
    import weakref

    db = a_listed_table(rows_in_random_order(30))
    found = listing.Texts([lambda: texts_in_order(db, "json_head", "1", [], ["status", "created_us", "id"])])
    gc.disable()
    try:
        assert found.read_ahead(lambda: False) is False
        first = next(iter(found.chunks()))
        assert first
        reading = weakref.ref(found._source)
        del found
        assert reading() is None
    finally:
        gc.enable()
