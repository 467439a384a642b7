"""One rule says when work shows a progress bar: 500 items or more, and stderr a terminal.

The reading of every ticket, the index's builds and the import's rows all
ask :func:`lpsectl.cli.common.shows_progress`.
"""

from __future__ import annotations

import io
import sys

import pytest

from lpsectl.cli import common


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("count", "terminal", "shown"), [
    (499, True, False),
    (500, True, True),
    (100_000, True, True),
    (100_000, False, False),
])
def test_progress_is_shown_for_long_work_on_a_terminal(count: int, terminal: bool, shown: bool,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", Terminal() if terminal else io.StringIO())
    assert common.shows_progress(count) is shown


def test_a_short_piece_of_work_gets_its_items_back_with_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    items = list(range(499))
    with common.progress_bar(items, "Reading") as bar:
        assert bar is items
    assert err.getvalue() == ""


def test_a_long_piece_of_work_on_a_terminal_draws_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    with common.progress_bar(list(range(500)), "Reading") as bar:
        assert sum(bar) == sum(range(500))
    assert "Reading" in err.getvalue()
