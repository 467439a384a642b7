"""The recap key (lpsectl.recapkey) gives back every combination of values it codes, and codes no other."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from lpsectl.recapkey import FIELDS, key_of, values_of

DAYS = (date(2024, 1, 1), date(2026, 8, 17), date(2026, 12, 31), date(1, 1, 1), date(9999, 12, 31))


def test_every_combination_of_values_comes_back_with_its_month():
    keys = set()
    for values in itertools.product(*(values for _name, values in FIELDS)):
        channel, kind, status, tier, difficulty, resolution, score = values
        for day in DAYS:
            key = key_of(channel, kind, status, tier, difficulty, resolution, score, day)
            assert values_of(key) == (values, f"{day.year:04d}-{day.month:02d}")
            keys.add(key)
    # One key for each combination and month: no two share one.
    assert len(keys) == len(DAYS) * len(list(itertools.product(*(values for _name, values in FIELDS))))


@pytest.mark.parametrize("position, value", [(0, "fax"), (1, None), (2, "pending"), (3, "kpk"), (4, "trivial"),
                                             (5, "lost"), (6, 5), (6, 0), (6, "4"), (0, ["portal"])])
def test_a_value_in_no_list_has_no_key(position, value):
    values = ["phone", "question", "open", "helpdesk", "normal", None, None]
    values[position] = value
    assert key_of(*values, date(2026, 8, 17)) is None
