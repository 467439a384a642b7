"""A listing's texts joined in SQL come in the listing's order, whatever order the rows were written in.

``listing.joined_texts`` relies on SQLite joining the rows of an ordered
subquery in that order (group_concat has no ORDER BY of its own before
SQLite 3.44): this holds it to that on the SQLite Python runs with, for
both orders a listing asks for and for a run between two keys.
"""

from __future__ import annotations

import random
import sqlite3

import pytest

from lpsectl import index, listing
from lpsectl.listing import ROW_SEP, joined_texts


def a_listed_table(rows: list[dict]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(index.DDL)
    marks = ", ".join("?" * len(index.LISTED))
    db.executemany(f"INSERT INTO listed VALUES ({marks})", [[r.get(c) for c in index.LISTED] for r in rows])
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


@pytest.mark.parametrize("few_rows", [0, 10_000], ids=["many rows", "few rows found by their keys"])
def test_joined_texts_come_in_the_order_of_the_listing(monkeypatch, few_rows):
    monkeypatch.setattr(listing, "FEW_ROWS", few_rows)
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


def test_no_row_joins_into_no_text():
    assert joined_texts(a_listed_table([]), "json_head", "1", [], ["created_us", "id"]) == (0, b"")
