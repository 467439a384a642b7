"""JSON and tables as ``json.dumps(indent=2)`` and tabulate write them, at C speed for long listings.

A listing of 100,000 tickets spent seconds in the pure-Python JSON encoder
(the C one is used only without ``indent``) and in tabulate, which looks at
every cell for number formats and terminal codes. The output stays byte for
byte theirs (tests/unit/test_text_output_matches_json_and_tabulate.py):
anything these shortcuts do not cover goes to them.
"""

from __future__ import annotations

import json
from itertools import chain, starmap
from typing import Any, Callable, Sequence

_PLAIN = frozenset({str, int, float, bool, type(None)})

try:
    from json.encoder import c_make_encoder as _c_make_encoder
    from json.encoder import encode_basestring as _encode_basestring
except ImportError:  # pragma: no cover - a Python without the C accelerator
    _c_make_encoder = None
_ENCODERS: dict[tuple[str, str], Callable[[Any], str]] = {}


def dumps(o: Any, item_sep: str = ", ", key_sep: str = ": ") -> str:
    """``json.dumps(o, ensure_ascii=False, separators=(item_sep, key_sep))``.

    Its C encoder is made once per pair of separators: ``json.dumps`` makes
    one on every call with separators of its own, which costs as much as
    writing a listing row (a build writes several per ticket).
    """
    enc = _ENCODERS.get((item_sep, key_sep))
    if enc is None:
        if _c_make_encoder is None:  # pragma: no cover
            def enc(o: Any) -> str:
                return json.dumps(o, ensure_ascii=False, separators=(item_sep, key_sep))
        else:
            # As JSONEncoder.iterencode makes it, without the check for circular
            # structures (no value of a ticket can be one).
            c = _c_make_encoder(None, json.JSONEncoder().default, _encode_basestring, None, key_sep, item_sep,
                                False, False, True)

            def enc(o: Any) -> str:
                return "".join(c(o, 0))
        _ENCODERS[(item_sep, key_sep)] = enc
    return enc(o)


def json_text(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``, lists of flat objects (rows) by the C encoder."""
    return _pretty(data, 0)


def _pretty(o: Any, level: int) -> str:
    if type(o) is list and o and _flat_rows(o):
        return _rows(o, level)
    if type(o) is dict and o and all(type(k) is str for k in o):
        inner = "  " * (level + 1)
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(v, level + 1)}" for k, v in o.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if type(o) is list and o:
        inner = "  " * (level + 1)
        return "[\n" + ",\n".join(inner + _pretty(v, level + 1) for v in o) + "\n" + "  " * level + "]"
    # A value, an empty container, or what only the json module knows: indented where it stands.
    return json.dumps(o, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)


def _rows(rows: list, level: int) -> str:
    """A list of flat objects as ``indent=2`` writes it at ``level``, by one call of the C encoder.

    The C encoder (used only without ``indent``) writes the separator given
    for items between the fields of a row and between rows alike: with a
    newline in it, "}" + separator + "{" can only stand between two rows,
    since JSON writes no raw newline inside a string.
    """
    row, field = "  " * (level + 1), "  " * (level + 2)
    sep = ",\n" + field
    text = dumps(rows, sep)
    body = text[2:-2].replace("}" + sep + "{", f"\n{row}}},\n{row}{{\n{field}")
    return f"[\n{row}{{\n{field}{body}\n{row}}}\n{'  ' * level}]"


def _flat_rows(rows: list) -> bool:
    """Every item an object with at least one field, each field a string, number, boolean or null."""
    if set(map(type, rows)) != {dict} or not all(rows):
        return False
    return set(map(type, chain.from_iterable(map(dict.values, rows)))) <= _PLAIN  # C loops, no bytecode per field


def object_text(o: dict, level: int = 1) -> str:
    """``o`` as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes it ``level`` deep (a list's row: 1).

    A flat object (every index row's, written once per ticket by a build) by
    one call of the C encoder, as :func:`_rows` writes a row: the item
    separator carries the newline and indent, which no string holds raw.
    """
    if o and type(o) is dict and set(map(type, o.values())) <= _PLAIN and all(type(k) is str for k in o):
        field = "\n" + "  " * (level + 1)
        body = dumps(o, "," + field)
        return "{" + field + body[1:-1] + "\n" + "  " * level + "}"
    return json.dumps(o, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)


def split_around(o: dict, key: str, level: int = 1) -> tuple[str, str]:
    """:func:`object_text` of ``o`` in two: the text before the value of ``key``, and the text after it.

    The key is found by the newline and indent that precede it: JSON writes
    no raw newline inside a string, so only a field of ``o`` stands there.
    The value is written as ``o`` has it (``false``, for one set later).
    """
    text = object_text(o, level)
    mark = "\n" + "  " * (level + 1) + dumps(key) + ": "
    head, _, rest = text.partition(mark)
    value = dumps(o[key])
    assert rest.startswith(value), key
    return head + mark, rest[len(value):]


def rows_text(rows: Sequence[str], level: int = 0) -> str:
    """A JSON list, as ``indent=2`` writes it ``level`` deep, of rows already written one deeper (:func:`object_text`)."""
    if not rows:
        return "[]"
    inner = "\n" + "  " * (level + 1)
    return "[" + inner + ("," + inner).join(rows) + "\n" + "  " * level + "]"


def lists_text(lists: dict[str, Sequence[str]]) -> str:
    """A JSON object of lists of rows, as ``indent=2`` writes it, the rows written for a list at the top (level 1)."""
    if not lists:
        return "{}"
    items = [f"  {json.dumps(k, ensure_ascii=False)}: " + rows_text([r.replace("\n", "\n  ") for r in rows], 1)
             for k, rows in lists.items()]
    return "{\n" + ",\n".join(items) + "\n}"


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
    # The last column unpadded: tabulate strips each line's end, and the cells are stripped,
    # so only a line whose last cell is empty ends in spaces.
    line = "  ".join([f"{{:<{w}}}" for w in widths[:-1]] + ["{}"]).format
    lines = [line(*headers), "  ".join("-" * w for w in widths), *starmap(line, zip(*columns))]
    if "" in columns[-1] or not headers[-1]:
        lines = [x.rstrip() for x in lines]
    return "\n".join(lines)


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
