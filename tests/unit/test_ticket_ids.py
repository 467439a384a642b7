"""Ticket ids: year and month, a dash, characters without 0, O, 1, I and L."""

from __future__ import annotations

import pytest

from lpsectl.errors import BadInput
from lpsectl.store import ALPHABET, ID_RE, Helpdesk


@pytest.mark.parametrize("char", list("0O1IL"))
def test_an_id_with_a_character_read_aloud_ambiguously_is_no_id(helpdesk, char):
    assert char not in ALPHABET
    with pytest.raises(BadInput, match="is not a ticket id"):
        Helpdesk(helpdesk).path_for(f"2611-K7Q{char}")


@pytest.mark.parametrize("tid", ["2611-K7QM", "2611-K7QMXZ", "2611-K7QMXZW", "2611-2345"])
def test_an_id_of_four_to_seven_characters_of_the_alphabet_is_an_id(helpdesk, tid):
    assert Helpdesk(helpdesk).path_for(tid) == helpdesk / "tickets" / "2026" / "11" / f"{tid}.yaml"


@pytest.mark.parametrize("tid", ["2611-K7Q", "2611-K7QMXZWA", "2611-k7qm", "26110-K7QM", "2611K7QM"])
def test_too_short_too_long_or_malformed_ids_are_no_ids(tid):
    assert ID_RE.match(tid) is None
