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

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """``value`` as the text of one CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header row and the ``rows``, every cell through :func:`cell`, lines ending in ``\\n``."""
    # csv quotes a cell holding a character of the line terminator: with
    # "\r\n" a lone carriage return in a subject is quoted too (with "\n"
    # it would split the row); each row then ends in "\n" as before.
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    out: list[str] = []
    for values in chain([columns], rows):
        w.writerow([cell(v) for v in values])
        out.append(buf.getvalue()[:-2] + "\n")
        buf.seek(0)
        buf.truncate()
    return "".join(out)
