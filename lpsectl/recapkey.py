"""What the recap counts of a ticket that no moment changes, as one integer kept with its index row.

The recap of a year groups tens of thousands of rows by channel, kind,
status, highest tier, difficulty, resolution, rating and month. Asked of
SQLite one breakdown at a time, each is a sort of every row of the period
(eleven of them, most of the recap's time); SQLite reading these values
from text columns and coding them itself costs as much again. So the
index keeps each ticket's values coded as one number (:func:`key_of`,
written with the row's derived columns), the recap groups by that number
once, and :func:`values_of` reads the values back from each group.

The number is a mixed-radix one: each field's digit is the position of its
value in the field's list, counted from 1, and the month (year × 12 +
month − 1) is the top digit. A value in no list has no key (None): the
recap then counts by the columns themselves.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from lpsectl.model import CHANNEL, DIFFICULTY, KIND, RESOLUTION, STATUS, TIER

# The fields in the order of their digits, lowest first, each with its values.
FIELDS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("channel", tuple(CHANNEL)),
    ("kind", tuple(KIND)),
    ("status", tuple(STATUS)),
    ("tier", tuple(TIER)),
    ("difficulty", tuple(DIFFICULTY)),
    ("resolution", (None, *RESOLUTION)),
    ("score", (None, 1, 2, 3, 4)),
)
_DIGITS = tuple({v: i + 1 for i, v in enumerate(values)} for _name, values in FIELDS)
_RADIX = tuple(len(values) + 1 for _name, values in FIELDS)


# The month is the top digit: a key is the month times this, plus the digits of the values.
_BELOW_MONTH = 1
for _radix in _RADIX:
    _BELOW_MONTH *= _radix
# The values' digits by the values: a first build codes 100,000 tickets of a few hundred combinations.
_LOW: dict[tuple, Optional[int]] = {}


def key_of(channel: str, kind: str, status: str, highest_tier: str, difficulty: str,
           resolution: Optional[str], score: Optional[int], day: date) -> Optional[int]:
    """The key of these values of a ticket opened on ``day`` (local); None if one is in no list."""
    values = (score, resolution, difficulty, highest_tier, status, kind, channel)
    try:
        low = _LOW[values]
    except KeyError:
        low = _low(values)
        if len(_LOW) < 10_000:  # bounded: every value is one of a list, bar damage
            _LOW[values] = low
    except TypeError:  # a value that cannot be a key (unhashable)
        return None
    return None if low is None else (day.year * 12 + day.month - 1) * _BELOW_MONTH + low


def _low(values: tuple) -> Optional[int]:
    """The digits of ``values`` (in :func:`key_of`'s order, highest first), as a number below a month's."""
    key = 0
    try:
        for digits, radix, value in zip(reversed(_DIGITS), reversed(_RADIX), values):
            key = key * radix + digits[value]
    except KeyError:
        return None
    return key


def values_of(key: int) -> tuple[tuple[Any, ...], str]:
    """The values :func:`key_of` coded, in :data:`FIELDS` order, and the month as YYYY-MM."""
    out = []
    for (_name, values), radix in zip(FIELDS, _RADIX):
        key, digit = divmod(key, radix)
        out.append(values[digit - 1])
    year, month = divmod(key, 12)
    return tuple(out), f"{year:04d}-{month + 1:02d}"
