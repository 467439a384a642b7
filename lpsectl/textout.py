"""JSON and tables as ``json.dumps(indent=2)`` and tabulate write them, at C speed for long listings.

A listing of 100,000 tickets spent seconds in the pure-Python JSON encoder
(the C one is used only without ``indent``) and in tabulate, which looks at
every cell for number formats and terminal codes. The output stays byte for
byte theirs (tests/unit/test_text_output_matches_json_and_tabulate.py):
anything these shortcuts do not cover goes to them.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

_PLAIN = frozenset({str, int, float, bool, type(None)})
# Between two fields of one row when the C encoder writes a list of rows:
# the separator a row of ``indent=2`` has there. A string holds no raw
# newline (JSON escapes it), so "},\n    {" occurs only between two rows.
_FIELD_SEP = ",\n    "


def json_text(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``; a list of flat objects (a listing) by the C encoder."""
    if isinstance(data, list) and data and _flat_rows(data):
        text = json.dumps(data, ensure_ascii=False, separators=(_FIELD_SEP, ": "))
        return "[\n  {\n    " + text[2:-2].replace("},\n    {", "\n  },\n  {\n    ") + "\n  }\n]"
    return json.dumps(data, ensure_ascii=False, indent=2)


def _flat_rows(rows: list) -> bool:
    """Every item an object with at least one field, each field a string, number, boolean or null."""
    if not all(type(r) is dict and r for r in rows):
        return False
    return {type(v) for r in rows for v in r.values()} <= _PLAIN


def table_text(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """``tabulate(rows, headers, tablefmt="simple", disable_numparse=True)`` for one-line text cells.

    Cells with a newline or a terminal code, cells that are not text, or
    wide-character measuring (tabulate uses ``wcwidth`` when installed) go
    to tabulate itself.
    """
    columns = list(zip(*rows)) if rows else []
    if not _simple(rows, headers, columns):
        from tabulate import tabulate

        return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    # tabulate strips every cell, and gives a column at least its header and two spaces.
    columns = [list(map(str.strip, col)) for col in columns]
    widths = [max(len(h) + 2, max(map(len, col))) for h, col in zip(headers, columns)]
    line = "  ".join(f"{{:<{w}}}" for w in widths).format
    out = [line(*headers).rstrip(), "  ".join("-" * w for w in widths)]
    out += [line(*cells).rstrip() for cells in zip(*columns)]
    return "\n".join(out)


def _simple(rows: Sequence[Sequence[Any]], headers: Sequence[str], columns: list[tuple]) -> bool:
    if not rows or len(columns) != len(headers) or any(len(r) != len(headers) for r in rows):
        return False
    if not all(set(map(type, col)) <= {str} for col in columns) or not all(type(h) is str for h in headers):
        return False
    text = "\0".join(["\0".join(col) for col in columns] + list(headers))
    # Lines within a cell, terminal codes, tabulate's separating-line mark.
    if any(c in text for c in "\n\r\x1b\x01") or any(h != h.strip() for h in headers):
        return False
    return not _wide_chars()


def _wide_chars() -> bool:
    """Whether tabulate measures cells with ``wcwidth`` (installed), as this module does not."""
    import importlib.util

    return importlib.util.find_spec("wcwidth") is not None
