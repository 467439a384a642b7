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
from typing import Any, Callable, Optional

from lpsectl import ticketfile
from lpsectl.model import Ticket

_WIDTH = 100  # ticketfile.dump_data's width
_STR_TAG = "tag:yaml.org,2002:str"


def _only(ascii_bad: str, unicode_good: str) -> Callable[[str], bool]:
    """Whether a text holds only the characters of ``unicode_good`` (a character class).

    The class spans much of Unicode, and compiling it costs milliseconds at
    every start; a text in ASCII, nearly every one, is asked instead whether
    it holds one of the few ASCII characters of ``ascii_bad``, outside the
    class. The large class is compiled for the first text that is not ASCII.
    An ASCII text is asked so by its bytes: deleting the other ASCII
    characters (``bytes.translate``, a table look-up a byte) leaves nothing,
    where a search of the class tested each character against it (a reader
    of 100,000 files spent a twentieth of its instructions so).
    """
    bad = re.compile(f"[{ascii_bad}]")
    fine = bytes(c for c in range(128) if not bad.match(chr(c)))
    good: list[Any] = []

    def only(s: str) -> bool:
        if s.isascii():
            return not s.encode("ascii").translate(None, fine)
        if not good:
            good.append(re.compile(f"[{unicode_good}]*"))
        return good[0].fullmatch(s) is not None

    return only


# Characters the emitter prints as they are (allow_unicode): printable ASCII
# and the BMP up to the surrogates, without the Unicode line separators.
_simple_chars = _only("\x00-\x1f\x7f", "\x20-\x7e\u00a0-\u2027\u202a-\ud7ff")
_BAD_START = set("#,[]{}&*!|>'\"%@`?:-")


class _Slow(Exception):
    """This ticket (or value) needs the full PyYAML writer."""


def _resolves_to_str(s: str) -> bool:
    """Whether PyYAML reads the plain scalar ``s`` (not empty) as a string: no implicit resolver takes it.

    As ``Resolver.resolve`` decides it, by the copy of its resolvers kept for
    the reader (:data:`IMPLICIT_RESOLVERS`), so writing a plain ticket needs
    no PyYAML either.
    """
    return not any(regexp.match(s) for _tag, regexp in _RESOLVERS.get(s[0]))


@lru_cache(maxsize=65536)
def _scalar(s: str, room: int) -> str:
    """The text of a one-line string scalar, when it needs no folding.

    ``room`` is how many columns are left on the line; raises _Slow when the
    value is not one of the easy cases.
    """
    if not _simple_chars(s):
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
_literal_chars = _only("\x00-\x09\x0b-\x1f\x7f", "\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff")


def _literal(s: str, indent: int) -> Optional[str]:
    """A multi-line value as PyYAML writes it in a literal block (``|`` or ``|-``), or None.

    Only the plain case: no leading newline or space (PyYAML adds an
    indentation indicator), no space at a line's end (``_represent_str``
    then quotes), at most one newline at the end (``|+`` can end the document).
    """
    if ("\n" not in s or s[0] in " \n" or s.endswith("\n\n") or s.endswith(" ")
            or " \n" in s or not _literal_chars(s)):
        return None
    clip = s.endswith("\n")
    pad = " " * (indent + 2)
    body = "".join(f"{pad}{line}\n" if line else "\n" for line in (s[:-1] if clip else s).split("\n"))
    return ("|\n" if clip else "|-\n") + body


_KEYS_OK: set[str] = set()  # the few keys of every ticket, checked once


def _key_ok(k: Any) -> str:
    if type(k) is str and k in _KEYS_OK:
        return k
    if not isinstance(k, str):
        raise _Slow
    if _scalar(k, 80) != k:
        raise _Slow
    if type(k) is str and len(_KEYS_OK) < 10_000:
        _KEYS_OK.add(k)
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
    return dumps_data(ticketfile.to_data(t), t)


def dumps_data(data: dict, t: Ticket) -> str:
    """:func:`dumps` of ``t`` whose ``ticketfile.to_data`` the caller has already."""
    out: list[str] = []
    try:
        _mapping(data, 0, (), out)
    except _Slow:
        return ticketfile.dumps_pyyaml(t)
    if out and isinstance(out[-1], _SlowText):
        # The last value may need a document end marker after it.
        return ticketfile.dumps_pyyaml(t)
    return "".join(out)


# -- reading --------------------------------------------------------------------
#
# The C parser composes a node for every scalar, then the checks walk them:
# most of a first build's time. Ticket files are nearly always written by
# the writer above, in a small, stable subset of YAML: block mappings and
# sequences, plain and single-quoted one-line scalars, literal blocks. That
# subset is read here, line by line, into the very data the YAML reader
# would give; anything outside it (a comment, a tab, a double-quoted or
# folded scalar, a plain scalar YAML would take for a float or a date, a
# duplicate key, an alias, a document marker) makes :func:`loads_data`
# answer None, and the caller reads the file with the YAML reader, which
# also says where a damaged file is damaged.

# Characters every YAML reader takes as they are: no tab, no carriage
# return, no line separator (U+0085, U+2028, U+2029), no byte-order mark,
# nothing beyond the BMP.
_text_chars = _only("\x00-\x09\x0b-\x1f\x7f", "\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*|'[^'\n]*'")
# A sequence item that is a mapping: ``- key: value`` or ``- key:``.
_ITEM_KEY = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_.\-]*|'[^'\n]*')(?::$|: )")
_DECIMAL = re.compile(r"-?[1-9][0-9]*|0")
# PyYAML's implicit resolvers (yaml/resolver.py: tag, pattern, first characters),
# here so that reading a ticket imports no PyYAML; a test checks they are still its.
IMPLICIT_RESOLVERS = (
    ("tag:yaml.org,2002:bool", r'''^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$''', re.X, list("yYnNtTfFoO")),
    ("tag:yaml.org,2002:float", r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$''', re.X, list("-+0123456789.")),
    ("tag:yaml.org,2002:int", r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$''', re.X, list("-+0123456789")),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", 0, list("<")),
    ("tag:yaml.org,2002:null", r'''^(?: ~
                    |null|Null|NULL
                    | )$''', re.X, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp", r'''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X, list("0123456789")),
    ("tag:yaml.org,2002:value", r"^(?:=)$", 0, list("=")),
    ("tag:yaml.org,2002:yaml", r"^(?:!|&|\*)$", 0, list("!&*")),
)


class _Resolvers(dict):
    """First character -> [(tag, compiled pattern)], as ``Resolver.yaml_implicit_resolvers``.

    A pattern is compiled when a scalar starting with one of its characters
    is first read (``get``): a command reading one ticket compiles a few.
    """

    def get(self, first: str, default: Any = ()) -> Any:
        found = dict.get(self, first)
        if found is None:
            found = [(tag, re.compile(pattern, flags)) for tag, pattern, flags, firsts in IMPLICIT_RESOLVERS
                     if first in firsts]
            self[first] = found
        return found or default


_RESOLVERS = _Resolvers()
_NULL, _BOOL, _INT = "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int"


class _Lines:
    """The lines of one file, with a cursor; each line's indentation, measured once."""

    __slots__ = ("text", "indent", "pos", "end")

    def __init__(self, lines: list[str]) -> None:
        self.text = lines
        self.indent = [len(s) - len(s.lstrip(" ")) for s in lines]
        self.pos = 0
        self.end = len(lines)


def loads_data(text: str) -> Optional[dict]:
    """The data of a ticket file in the writer's subset of YAML, as the YAML reader gives it; None when unsure."""
    if not text.endswith("\n") or not _text_chars(text):
        return None
    src = _Lines(text[:-1].split("\n"))
    try:
        if src.end == 0 or src.indent[0] != 0:
            return None
        data = _read_mapping(src, 0, src.text[0])
    except _Slow:
        return None
    return data if src.pos == src.end else None


def _resolve_plain(s: str) -> Any:
    """A plain one-line scalar's value: its text, or null, a boolean or an integer written canonically."""
    if s[0] in _BAD_START or s[0] == " " or s[-1] == " " or s[-1] == ":" or ": " in s or " #" in s:
        raise _Slow
    for tag, regexp in _RESOLVERS.get(s[0], ()):
        if regexp.match(s):
            if tag == _NULL and s == "null":
                return None
            if tag == _BOOL and (s == "true" or s == "false"):
                return s == "true"
            if tag == _INT and _DECIMAL.fullmatch(s):
                return int(s)
            raise _Slow  # a float, a date, `yes`, `~`, `017`, `<<`: the YAML reader keeps its text and tag
    return s


# What keys and one-line values read as, by their text: a few hundred
# distinct ones (field names, actions, tiers, officers, times) make up most
# of every file. Bounded: cleared when full.
_KEYS: dict[str, str] = {}
_VALUES: dict[str, Any] = {}
_CACHE_MAX = 100_000
_MISSING = object()


def _new_key(k: str) -> str:
    """The key written as ``k`` (before ``: ``), when it is plain text or a single-quoted one."""
    if not _KEY.fullmatch(k) or len(k) > 1000:  # longer than a YAML reader takes a key
        raise _Slow
    if k[0] == "'":
        key = k[1:-1]
    else:
        for tag, regexp in _RESOLVERS.get(k[0], ()):
            if regexp.match(k):
                raise _Slow  # a key `on:` or `2025:`: read as text, but its tag is kept
        key = k
    if len(_KEYS) >= _CACHE_MAX:
        _KEYS.clear()
    _KEYS[k] = key
    return key


def _new_value(v: str) -> Any:
    """The value written as ``v`` after ``key: `` or ``- ``, on one line: plain or single-quoted."""
    if v[0] == "'":
        inner = v[1:-1]
        if len(v) < 2 or v[-1] != "'" or "'" in inner.replace("''", ""):
            raise _Slow
        value: Any = inner.replace("''", "'")
    else:
        value = _resolve_plain(v)
    if len(_VALUES) >= _CACHE_MAX:
        _VALUES.clear()
    _VALUES[v] = value
    return value


# Whole lines `key: value` by their text (the indentation cut off), as their key and value read: a
# ticket file's lines repeat across files (`tier: helpdesk`, `action: open`, `address: null`), and one
# look-up reads such a line. Bounded as the caches above; the values are texts, numbers, null and booleans.
_PAIRS: dict[str, tuple[str, Any]] = {}


def _keep_pair(line: str, key: str, value: Any) -> None:
    if len(_PAIRS) >= _CACHE_MAX:
        _PAIRS.clear()
    _PAIRS[line] = (key, value)


def _scalar_value(v: str) -> Any:
    if v == "{}":
        return {}
    if v == "[]":
        return []
    value = _VALUES.get(v, _MISSING)
    return _new_value(v) if value is _MISSING else value


def _read_mapping(src: _Lines, indent: int, first: str) -> dict:
    """A block mapping at ``indent``; ``first``: its first line without the indentation."""
    out: dict[str, Any] = {}
    text, indents, end = src.text, src.indent, src.end
    line = first
    pos = src.pos
    while True:
        pair = _PAIRS.get(line)
        if pair is not None:  # a whole line read before: `tier: helpdesk`, `address: null`
            key, value = pair
            if key in out:
                raise _Slow
            out[key] = value
            pos += 1
        else:
            k, sep, rest = line.partition(": ")
            if not sep:
                if line[-1:] != ":":
                    raise _Slow
                k = line[:-1]
            elif not rest:
                raise _Slow  # `key: ` and nothing: null, never written so
            key = _KEYS.get(k)
            if key is None:
                key = _new_key(k)
            if key in out:
                raise _Slow
            pos += 1
            if rest:
                value = _VALUES.get(rest, _MISSING)
                if value is _MISSING:
                    if rest[0] == "|":
                        src.pos = pos
                        value = _literal_block(src, indent, rest)
                        pos = src.pos
                    else:  # not kept (_scalar_value's own look-up would miss again)
                        value = {} if rest == "{}" else [] if rest == "[]" else _new_value(rest)
                else:  # a value read before (a text, a number, null, a boolean): the line is likely common too
                    _keep_pair(line, key, value)
                out[key] = value
            else:
                src.pos = pos
                out[key] = _nested(src, indent)
                pos = src.pos
        if pos == end:
            src.pos = pos
            return out
        at = indents[pos]
        if at != indent:
            src.pos = pos
            if at < indent:
                return out
            raise _Slow
        line = text[pos][indent:]


def _nested(src: _Lines, indent: int) -> Any:
    """The block value on the lines after ``key:``: a mapping, or a sequence (possibly at the key's indentation)."""
    pos = src.pos
    if pos == src.end:
        raise _Slow  # `key:` and nothing: null, never written so
    at = src.indent[pos]
    line = src.text[pos][at:]
    if line.startswith("- ") and at >= indent:
        return _read_sequence(src, at)
    if at == indent + 2 and not line.startswith("-"):
        return _read_mapping(src, at, line)
    raise _Slow


def _read_sequence(src: _Lines, indent: int) -> list:
    out: list[Any] = []
    while True:
        item = src.text[src.pos][indent + 2:]
        if not item or item[0] in " -|>":
            raise _Slow
        if _ITEM_KEY.match(item):
            out.append(_read_mapping(src, indent + 2, item))
        else:
            out.append(_scalar_value(item))
            src.pos += 1
            if src.pos < src.end and src.indent[src.pos] > indent:
                raise _Slow
        pos = src.pos
        if pos == src.end or src.indent[pos] < indent or not src.text[pos].startswith("- ", indent):
            return out


def _literal_block(src: _Lines, indent: int, header: str) -> str:
    """A literal block (``|`` or ``|-``) whose lines are indented two more than its key."""
    if header == "|":
        clip = True
    elif header == "|-":
        clip = False
    else:
        raise _Slow
    pad = indent + 2
    body: list[str] = []
    pos = src.pos
    if pos == src.end or src.indent[pos] != pad or not src.text[pos][pad:]:
        raise _Slow  # empty, or its first line indented more (PyYAML then writes an indicator)
    while pos < src.end:
        s = src.text[pos]
        if not s:
            body.append("")
        elif src.indent[pos] == len(s):
            raise _Slow  # a line of spaces only
        elif src.indent[pos] >= pad:
            body.append(s[pad:])
        else:
            break
        pos += 1
    src.pos = pos
    while not body[-1]:
        body.pop()
        src.pos -= 1  # empty lines after the block belong to nothing: leave them to the caller
    return "\n".join(body) + ("\n" if clip else "")
