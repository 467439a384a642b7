"""The ids an import draws come from random bytes fetched a page at a time: uniform, and never shared with a fork.

A process forked after the parent fetched its page (the pool of an import's
workers) must not draw the parent's next ids from the same bytes.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

from lpsectl import intake
from lpsectl.store import ALPHABET, RANDOM_LEN


def test_each_character_of_an_id_is_drawn_uniformly_from_the_alphabet():
    drawn = [intake._random_part() for _ in range(31_000)]
    assert all(len(p) == RANDOM_LEN and set(p) <= set(ALPHABET) for p in drawn)
    for position in (0, RANDOM_LEN - 1):
        counts = Counter(p[position] for p in drawn)
        assert set(counts) == set(ALPHABET)
        # 1,000 expected each (sd about 31): a skewed draw (a modulo bias, a stuck bit) leaves this band
        assert 800 < min(counts.values()) and max(counts.values()) < 1200


def test_every_number_drawn_lies_below_the_space_of_ids():
    assert all(0 <= intake._below_space() < intake._SPACE for _ in range(20_000))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_a_forked_process_draws_other_ids_than_its_parent():
    intake._random_part()  # the parent holds a page of random bytes now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(write, " ".join(intake._random_part() for _ in range(50)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as f:
        child = set(f.read().split())
    os.waitpid(pid, 0)
    parent = {intake._random_part() for _ in range(50)}
    assert len(child) == 50
    assert not child & parent
