"""A bulk import's ids take their random parts many from one ``os.urandom`` call, not one call each.

A system call is dear on a virtual machine, and an import of 100,000 rows
drew its ids one call each, in the one process every row waits for. The
parts stay uniform (whole 30-bit numbers below 31**6, the rest drawn
again) and a forked process never hands out its parent's next ones.
"""

from __future__ import annotations

import os
import random
import re
import sys

import pytest

import lpsectl.intake as intake
from lpsectl.store import ALPHABET, RANDOM_LEN


def test_a_thousand_random_parts_take_a_few_system_calls(monkeypatch):
    calls: list[int] = []
    real = os.urandom

    def counting(n: int) -> bytes:
        calls.append(n)
        return real(n)

    monkeypatch.setattr(os, "urandom", counting)
    monkeypatch.setattr(random, "_urandom", counting, raising=False)  # secrets' way to it
    monkeypatch.setattr(intake, "_DRAWS", None, raising=False)  # nothing drawn ahead
    parts = [intake._random_part() for _ in range(1000)]
    assert 1 <= len(calls) <= 3
    assert all(re.fullmatch(f"[{ALPHABET}]{{{RANDOM_LEN}}}", p) for p in parts)
    assert len(set(parts)) > 990  # 31**6 possible parts: a repeat among 1,000 is rare


def test_every_character_of_the_alphabet_comes_in_every_place():
    parts = [intake._random_part() for _ in range(4000)]
    for place in range(RANDOM_LEN):
        assert {p[place] for p in parts} == set(ALPHABET)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_process_draws_its_own_parts_not_its_parents_next_ones():
    intake._random_part()  # numbers drawn ahead in this process
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next parts, to the parent
        try:
            os.close(read)
            os.write(write, " ".join(intake._random_part() for _ in range(20)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        child = f.read().decode().split()
    os.waitpid(pid, 0)
    mine = [intake._random_part() for _ in range(20)]
    assert len(child) == 20
    assert not set(child) & set(mine)
