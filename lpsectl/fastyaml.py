"""A fast writer of ticket files, byte for byte the same as PyYAML's.

PyYAML's pure-Python emitter takes about a millisecond per ticket: a
100,000-row import would spend most of its minute there. Almost every
value of a ticket is a short single-line string whose rendering is easy to
predict (plain, or single-quoted); those are written directly here. Any
value that is not (multi-line text, long text that PyYAML would fold,
unusual characters) is rendered by PyYAML itself inside a skeleton document
that puts it at the same place, so it comes out exactly as in a full dump.
Anything else unexpected falls back to ``ticketfile.dumps_pyyaml`` for
the whole ticket. ``ticketfile.dumps`` calls this, so every ticket file is
written the same way, whoever writes it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Optional

import yaml

from lpsectl import ticketfile
from lpsectl.model import Ticket

_WIDTH = 100  # ticketfile.dump_data's width
_STR_TAG = "tag:yaml.org,2002:str"
# Characters the emitter prints as they are (allow_unicode): printable ASCII
# and the BMP up to the surrogates, without the Unicode line separators.
_SIMPLE_CHARS = re.compile("[\x20-\x7e\u00a0-\u2027\u202a-\ud7ff]*")
_BAD_START = set("#,[]{}&*!|>'\"%@`?:-")


class _Slow(Exception):
    """This ticket (or value) needs the full PyYAML writer."""


_dumper_for_resolve = None


def _resolves_to_str(s: str) -> bool:
    global _dumper_for_resolve
    if _dumper_for_resolve is None:
        import io

        _dumper_for_resolve = ticketfile._TicketDumper(io.StringIO())
    return _dumper_for_resolve.resolve(yaml.ScalarNode, s, (True, False)) == _STR_TAG


@lru_cache(maxsize=65536)
def _scalar(s: str, room: int) -> str:
    """The text of a one-line string scalar, when it needs no folding.

    ``room`` is how many columns are left on the line; raises _Slow when the
    value is not one of the easy cases.
    """
    if not _SIMPLE_CHARS.fullmatch(s):
        raise _Slow
    quoted = s == "" or s != s.strip() or bool(ticketfile._NOT_PLAIN.match(s))
    if not quoted:
        plain = (
            s[0] not in _BAD_START
            and ": " not in s and " #" not in s and not s.endswith(":")
            and _resolves_to_str(s)
        )
        if not plain or len(s) > room:
            raise _Slow  # PyYAML's own choice of style: let it make it
        return s
    out = "'" + s.replace("'", "''") + "'"
    if len(out) > room:
        raise _Slow
    return out


def _value(v: Any, room: int) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if type(v) is str:  # a PlainScalar of an unknown key: PyYAML writes it with its tag
        return _scalar(v, room)
    raise _Slow


# A skeleton places one value where it sits in a ticket: ``shape`` is the
# tuple of containers from the top ("m" a mapping key, "s" a sequence item),
# and whether the key is the first of a sequence item (written after "- ").
def _skeleton(shape: tuple, key: str, value: Any, first_in_item: bool) -> Any:
    # A key after it, so the document never ends in the value (a kept
    # literal block would be followed by a document end marker then).
    inner: dict[str, Any] = {key: value, "z": None}
    if shape and shape[-1][0] == "s" and not first_in_item:
        inner = {"a": None, key: value, "z": None}
    node: Any = inner
    for kind, name in reversed(shape):
        node = [node] if kind == "s" else {name: node}
    return node


@lru_cache(maxsize=256)
def _frame(shape: tuple, key: str, first_in_item: bool) -> tuple[str, str]:
    """What a skeleton writes before and after the entry."""
    text = ticketfile.dump_data(_skeleton(shape, key, "x", first_in_item))
    lines = text.splitlines(keepends=True)
    return "".join(lines[:-2]), lines[-1]


class _SlowText(str):
    """An entry PyYAML wrote."""


def _slow_entry(shape: tuple, key: str, value: Any, first_in_item: bool) -> str:
    """The entry ``key: value`` as PyYAML writes it at this place, its indentation included."""
    before, after = _frame(shape, key, first_in_item)
    text = ticketfile.dump_data(_skeleton(shape, key, value, first_in_item))
    if not (text.startswith(before) and text.endswith(after)):  # pragma: no cover - PyYAML changed
        raise _Slow
    return _SlowText(text[len(before):len(text) - len(after)])


# The characters a literal block (``|``) of ours may hold as they are: the
# simple ones and the newline; PyYAML writes anything else its own way.
_LITERAL_CHARS = re.compile("[\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff]*")


def _literal(s: str, indent: int) -> Optional[str]:
    """A multi-line value as PyYAML writes it in a literal block (``|`` or ``|-``), or None.

    Only the plain case: no leading newline or space (PyYAML adds an
    indentation indicator), no space at a line's end (``_represent_str``
    then quotes), at most one newline at the end (``|+`` can end the document).
    """
    if ("\n" not in s or s[0] in " \n" or s.endswith("\n\n") or s.endswith(" ")
            or " \n" in s or not _LITERAL_CHARS.fullmatch(s)):
        return None
    clip = s.endswith("\n")
    pad = " " * (indent + 2)
    body = "".join(f"{pad}{line}\n" if line else "\n" for line in (s[:-1] if clip else s).split("\n"))
    return ("|\n" if clip else "|-\n") + body


def _key_ok(k: Any) -> str:
    if not isinstance(k, str):
        raise _Slow
    try:
        if _scalar(k, 80) != k:
            raise _Slow
    except _Slow:
        raise
    return k


def _mapping(d: dict, indent: int, shape: tuple, out: list[str], in_item: bool = False) -> None:
    pad = " " * indent
    for i, (k, v) in enumerate(d.items()):
        key = _key_ok(k)
        first = in_item and i == 0
        lead = (" " * (indent - 2) + "- ") if first else pad
        if isinstance(v, dict):
            if not v:
                out.append(f"{lead}{key}: {{}}\n")
            else:
                out.append(f"{lead}{key}:\n")
                _mapping(v, indent + 2, shape + (("m", key),), out)
        elif isinstance(v, list):
            if not v:
                out.append(f"{lead}{key}: []\n")
                continue
            out.append(f"{lead}{key}:\n")
            sub = shape + (("m", key), ("s", None))
            for item in v:
                if isinstance(item, dict) and item:
                    _mapping(item, indent + 2, sub, out, in_item=True)
                elif isinstance(item, (str, int)) and not isinstance(item, bool) and item is not None:
                    out.append(f"{pad}- {_value(item, _WIDTH - indent - 2)}\n")
                else:
                    raise _Slow
        else:
            room = _WIDTH - len(lead) - len(key) - 2
            try:
                out.append(f"{lead}{key}: {_value(v, room)}\n")
            except _Slow:
                if not isinstance(v, str):
                    raise
                block = _literal(v, indent) if type(v) is str else None
                if block is not None:
                    out.append(f"{lead}{key}: {block}")
                    continue
                out.append(_slow_entry(shape, key, v, first))


def dumps(t: Ticket) -> str:
    """``ticketfile.dumps_pyyaml(t)``, faster."""
    data = ticketfile.to_data(t)
    out: list[str] = []
    try:
        _mapping(data, 0, (), out)
    except _Slow:
        return ticketfile.dumps_pyyaml(t)
    if out and isinstance(out[-1], _SlowText):
        # The last value may need a document end marker after it.
        return ticketfile.dumps_pyyaml(t)
    return "".join(out)
