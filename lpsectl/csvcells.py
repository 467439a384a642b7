"""Cells of every CSV lpsectl writes: one convention, and no formula a spreadsheet would run.

A CSV written by ``list --csv`` or ``report --format csv`` is opened in a
spreadsheet. Text anyone wrote (a mail subject, a category) that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read
there as a formula (``=HYPERLINK(...)``, ``@SUM(...)``): such a cell gets a
leading ``'``, as OWASP advises for CSV injection, so it shows as the text
it is. Numbers stay numbers. ``true``/``false`` in lowercase, as in JSON;
an empty cell for a missing value.
"""

from __future__ import annotations

import csv
import io
from itertools import chain
from typing import Any, Iterable, Sequence

FORMULA_START = frozenset("=+-@\t\r")


def cell(value: Any) -> str:
    """``value`` as the text of one CSV cell."""
    if value.__class__ is str:  # most cells: checked first, as a listing has a million
        return "'" + value if value and value[0] in FORMULA_START else value
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return "'" + text if text and text[0] in FORMULA_START else text


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header row and the ``rows``, every cell through :func:`cell`, lines ending in ``\\n``."""
    cells = [[cell(v) for v in values] for values in chain([columns], rows)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(cells)
    text = buf.getvalue()
    if "\r" not in text:
        return text
    # csv quotes a cell holding a character of the line terminator only: a
    # lone carriage return in a subject would split its row in a
    # spreadsheet. Written with "\r\n" such a cell is quoted; each row then
    # ends in "\n" like the others.
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    out: list[str] = []
    for row in cells:
        w.writerow(row)
        out.append(buf.getvalue()[:-2] + "\n")
        buf.seek(0)
        buf.truncate()
    return "".join(out)
