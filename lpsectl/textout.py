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
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

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


class Encoded(str):
    """A value's JSON text written already, as :func:`json_text` would write it where it stands."""


def json_text(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``, lists of flat objects (rows) by the C encoder.

    An :class:`Encoded` value in ``data`` is written as it is.
    """
    return _pretty(data, 0)


def _pretty(o: Any, level: int) -> str:
    if type(o) is Encoded:
        return o
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


def rows_chunks(runs: Iterable[bytes], level: int = 0) -> Iterator[bytes]:
    """A JSON list as ``indent=2`` writes it ``level`` deep, in UTF-8 chunks to write one after the other.

    ``runs``: the rows, written for a list at the top (:func:`object_text`,
    level 1), in runs of rows joined by ``",\n  "`` (a listing's chunks,
    ``lpsectl.listing.Texts``), taken one at a time as they come. A run goes deeper by
    indenting each of its lines: JSON writes no raw newline inside a string,
    so every newline in it starts a line.
    """
    inner = b"\n" + b"  " * (level + 1)
    first = True
    for run in runs:
        yield (b"[" if first else b",") + inner
        first = False
        yield run.replace(b"\n", b"\n" + b"  " * level) if level else run
    yield b"[]" if first else b"\n" + b"  " * level + b"]"


def lists_chunks(lists: dict[str, Iterable[bytes]]) -> Iterator[bytes]:
    """A JSON object of lists (each as :func:`rows_chunks` takes it), as ``indent=2`` writes it, in UTF-8 chunks."""
    if not lists:
        yield b"{}"
        return
    for i, (k, runs) in enumerate(lists.items()):
        yield (b",\n  " if i else b"{\n  ") + json.dumps(k, ensure_ascii=False).encode() + b": "
        yield from rows_chunks(runs, 1)
    yield b"\n}"


# Cells tabulate lays out itself (lines within a cell, terminal codes, its separating-line mark).
TABULATE_ONLY = "\n\r\x1b\x01"


def plain(text: str) -> bool:
    """Printable ASCII: one column a character, and nothing tabulate or a terminal treats apart."""
    return text.isascii() and text.isprintable()


def cell_width(cell: str, measure: Callable[[str], int]) -> int:
    """A stripped cell's width as tabulate measures it (``measure``: :func:`_measure`'s)."""
    return len(cell) if plain(cell) else measure(cell)


def table_head(headers: Sequence[str], widths: Sequence[int]) -> list[str]:
    """The header line and the line of dashes under it, for columns ``widths`` wide."""
    return [line_of(headers, widths), "  ".join("-" * w for w in widths)]


def line_of(cells: Sequence[str], widths: Sequence[int], cell_widths: Optional[Sequence[int]] = None) -> str:
    """One line of the table: stripped cells padded to ``widths``, each by its own width (``cell_widths``), the last not."""
    if cell_widths is None:
        cell_widths = list(map(len, cells))
    padded = [c + " " * (width - w) for c, width, w in zip(cells[:-1], widths, cell_widths)]
    return "  ".join(padded + [cells[-1]])


def table_text(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """``tabulate(rows, headers, tablefmt="simple", disable_numparse=True)`` for one-line text cells.

    Every cell here is text already (the listings write their cells), so
    nothing is asked of a cell's type. Widths are tabulate's: its ``len``,
    or ``wcwidth.wcswidth`` when wcwidth is installed (East Asian wide
    characters and emoji take two columns, combining marks none), asked
    only of the cells that are not printable ASCII. Cells with a newline or
    a terminal code, and cells that are not text, go to tabulate itself.
    (A listing from the index makes its table in SQL by the same rules:
    ``lpsectl.listing.table_from_index``.)
    """
    columns = list(zip(*rows)) if rows else []
    if not _simple(rows, headers, columns):
        from tabulate import tabulate

        return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    # tabulate strips every cell, and gives a column at least its header and two spaces.
    columns = [list(map(str.strip, col)) for col in columns]
    measure = _measure()
    # Per column: the display width of each cell that is not its length (None: all are).
    odd = [_odd_widths(col, measure) for col in columns]
    widths = [max(measure(h) + 2, max(map(len, col)) if w is None else max(w)) for h, col, w in zip(headers, columns, odd)]
    # The last column unpadded: tabulate strips each line's end, and the cells are stripped,
    # so only a line whose last cell is empty ends in spaces.
    line = "  ".join([f"{{:<{w}}}" for w in widths[:-1]] + ["{}"]).format
    if all(w is None for w in odd):
        body = list(starmap(line, zip(*columns)))
    else:
        # A cell is padded to the column's width less what its display width exceeds its length by.
        body = []
        for i, cells in enumerate(zip(*columns)):
            if any(w is not None and w[i] != len(c) for w, c in zip(odd, cells)):
                body.append(line_of(cells, widths, [len(c) if w is None else w[i] for w, c in zip(odd, cells)]))
            else:
                body.append(line(*cells))
    lines = [*table_head(headers, widths), *body]
    if rstripped(columns[-1], headers):
        lines = [x.rstrip() for x in lines]
    return "\n".join(lines)


def rstripped(last: Sequence[str], headers: Sequence[str]) -> bool:
    """Whether every line loses its trailing spaces: a line whose last (stripped) cell is empty ends in padding."""
    return "" in last or not headers[-1]


def simple_headers(headers: Sequence[str]) -> bool:
    """Headers as a listing has them: printable ASCII, nothing to strip."""
    return all(type(h) is str and h == h.strip() and plain(h) for h in headers)


def _simple(rows: Sequence[Sequence[Any]], headers: Sequence[str], columns: list[tuple]) -> bool:
    if not rows or len(columns) != len(headers) or any(len(r) != len(headers) for r in rows):
        return False
    if not all(set(map(type, col)) <= {str} for col in columns) or not simple_headers(headers):
        return False
    text = "\0".join("\0".join(col) for col in columns)
    return not any(c in text for c in TABULATE_ONLY)


def _measure() -> Callable[[str], int]:
    """How tabulate measures a cell: ``wcwidth.wcswidth`` when wcwidth is installed, else ``len``."""
    import importlib.util

    if importlib.util.find_spec("wcwidth") is None:
        return len
    import wcwidth

    return wcwidth.wcswidth


def _odd_widths(col: list[str], measure: Callable[[str], int]) -> Optional[list[int]]:
    """Each cell's display width, when one of them is not its length; else None (one C-speed test)."""
    if measure is len:
        return None
    if plain("".join(col)):  # printable ASCII: one column a character
        return None
    return [cell_width(c, measure) for c in col]
