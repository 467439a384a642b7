"""The message catalogs: extract the strings, update the .po files, compile the .mo files.

    python tools/i18n.py update    # lpsectl.pot from the code; new msgids into id.po and en.po
    python tools/i18n.py compile   # every .po into its .mo (committed; a test checks they match)
    python tools/i18n.py missing   # msgids without an Indonesian translation

A user-facing string is found three ways, the same ones the tests use:
calls of ``_``, ``N_`` and ``ngettext`` with literal strings in lpsectl/;
the help texts of every command and option (``lpsectl.cli.help_fields``);
and click's own messages (its ``_``/``ngettext`` calls), which the CLI
routes through our catalog. Only the standard library: no Babel, no GNU
gettext tools needed.
"""

from __future__ import annotations

import ast
import inspect
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lpsectl"
LOCALE = PACKAGE / "locale"
DOMAIN = "lpsectl"
POT = LOCALE / f"{DOMAIN}.pot"
LANGUAGES = ("id", "en")

HEADERS = {
    "id": "Project-Id-Version: lpsectl\nLanguage: id\nMIME-Version: 1.0\n"
          "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n"
          "Plural-Forms: nplurals=1; plural=0;\n",
    "en": "Project-Id-Version: lpsectl\nLanguage: en\nMIME-Version: 1.0\n"
          "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n"
          "Plural-Forms: nplurals=2; plural=(n != 1);\n",
}


@dataclass
class Entry:
    msgid: str
    plural: Optional[str] = None
    msgstr: list[str] = field(default_factory=lambda: [""])
    locations: list[str] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        return all(s.strip() for s in self.msgstr)


# --- extraction -------------------------------------------------------------

def _calls(path: Path, shown_as: str) -> Iterable[tuple[str, Optional[str], str]]:
    """(msgid, plural, location) of every ``_``/``N_``/``ngettext`` call on literals in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                for a in node.args]
        where = f"{shown_as}:{node.lineno}"
        if node.func.id in ("_", "N_") and args and args[0] is not None:
            yield args[0], None, where
        elif node.func.id == "ngettext" and len(args) >= 2 and None not in args[:2]:
            yield args[0], args[1], where


def code_messages() -> list[tuple[str, Optional[str], str]]:
    """The strings lpsectl's own code hands to gettext."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        out += _calls(path, path.relative_to(ROOT).as_posix())
    return out


def help_messages() -> list[tuple[str, Optional[str], str]]:
    """The help texts of every command and option, as the CLI looks them up."""
    sys.path.insert(0, str(ROOT))
    from lpsectl.cli import cli
    from lpsectl.cli.language import english_help, help_fields

    out = []
    for obj, name in help_fields(cli):
        text = english_help(obj, name)
        if text:
            callback = getattr(obj, "callback", None)
            callback = inspect.unwrap(callback) if callback is not None else None
            where = "lpsectl/cli"
            if callback is not None:
                where = f"{Path(inspect.getsourcefile(callback)).relative_to(ROOT).as_posix()}"
            out.append((text, None, where))
    return out


def click_messages() -> list[tuple[str, Optional[str], str]]:
    """click's own messages, which reach the user through our catalog."""
    import click

    base = Path(click.__file__).parent
    out = []
    for path in sorted(base.glob("*.py")):
        out += _calls(path, f"click/{path.name}")
    return out


def extract() -> list[Entry]:
    """Every user-facing msgid, in order of first appearance, with where it appears."""
    entries: dict[tuple[str, Optional[str]], Entry] = {}
    for msgid, plural, where in code_messages() + help_messages() + click_messages():
        entry = entries.setdefault((msgid, plural), Entry(msgid, plural))
        if where not in entry.locations:
            entry.locations.append(where)
    return list(entries.values())


# --- .po files --------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\b": "\\b", "\f": "\\f", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "b": "\b", "f": "\f", "r": "\r",
              "a": "\a", "v": "\v"}


def _quote(text: str) -> str:
    return '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'


def _unquote(text: str) -> str:
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a quoted string: {text}")
    out, i, body = [], 0, text[1:-1]
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(_UNESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _field(keyword: str, text: str) -> list[str]:
    """``keyword "text"``, split after each newline when the text has several lines."""
    if "\n" not in text.rstrip("\n"):
        return [f"{keyword} {_quote(text)}"]
    parts = text.splitlines(keepends=True)
    return [f'{keyword} ""'] + [_quote(p) for p in parts]


def write_po(path: Path, header: str, entries: Iterable[Entry]) -> None:
    lines = ["# Messages of lpsectl.", *_field("msgid", ""), *_field("msgstr", header), ""]
    for e in entries:
        lines += [f"#: {' '.join(e.locations)}"] if e.locations else []
        lines += _field("msgid", e.msgid)
        if e.plural is None:
            lines += _field("msgstr", e.msgstr[0] if e.msgstr else "")
        else:
            lines += _field("msgid_plural", e.plural)
            for n, s in enumerate(e.msgstr):
                lines += _field(f"msgstr[{n}]", s)
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def read_po(path: Path) -> tuple[str, list[Entry]]:
    """The header and the entries of a .po file (obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    header = ""
    cur: dict[str, str] = {}
    locations: list[str] = []
    key = None

    def flush() -> None:
        nonlocal header, cur, locations
        if "msgid" in cur:
            if cur["msgid"] == "" and "msgid_plural" not in cur:
                header = cur.get("msgstr", "")
            else:
                n = sorted(k for k in cur if k.startswith("msgstr["))
                msgstr = [cur[k] for k in n] if n else [cur.get("msgstr", "")]
                entries.append(Entry(cur["msgid"], cur.get("msgid_plural"), msgstr, locations))
        cur, locations = {}, []

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#:"):
                if "msgid" in cur and key is not None and key.startswith("msgstr"):
                    flush()
                locations += line[2:].split()
            continue
        if line.startswith('"'):
            cur[key] += _unquote(line)  # type: ignore[index]
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgid" and "msgid" in cur:
            flush()
        key = keyword
        cur[key] = _unquote(rest)
    flush()
    return header, entries


# --- .mo files --------------------------------------------------------------

def compile_mo(header: str, entries: Iterable[Entry]) -> bytes:
    """The GNU .mo bytes of a catalog, as msgfmt writes them (untranslated entries left out)."""
    pairs: dict[bytes, bytes] = {b"": header.encode("utf-8")}
    for e in entries:
        if not e.translated:
            continue
        key = e.msgid if e.plural is None else f"{e.msgid}\0{e.plural}"
        pairs[key.encode("utf-8")] = "\0".join(e.msgstr).encode("utf-8")
    keys = sorted(pairs)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(pairs[k])))
        ids += k + b"\0"
        strs += pairs[k] + b"\0"
    start = 7 * 4 + 16 * len(keys)
    table = []
    for o1, l1, _o2, _l2 in offsets:
        table += [l1, o1 + start]
    for _o1, _l1, o2, l2 in offsets:
        table += [l2, o2 + start + len(ids)]
    out = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return out + struct.pack(f"{len(table)}i", *table) + ids + strs


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


# --- commands ---------------------------------------------------------------

def update() -> None:
    found = extract()
    write_po(POT, HEADERS["en"].replace("Language: en\n", ""), [Entry(e.msgid, e.plural, [""] * (1 if e.plural is None else 2), e.locations) for e in found])
    for lang in LANGUAGES:
        path = po_path(lang)
        old = {(e.msgid, e.plural): e for e in read_po(path)[1]} if path.exists() else {}
        merged = []
        for e in found:
            before = old.get((e.msgid, e.plural))
            if before is not None and before.translated:
                msgstr = before.msgstr
            elif lang == "en":  # the source language: msginit copies the English
                msgstr = [e.msgid] if e.plural is None else [e.msgid, e.plural]
            else:
                msgstr = [""]
            merged.append(Entry(e.msgid, e.plural, msgstr, e.locations))
        write_po(path, HEADERS[lang], merged)


def compile_all() -> None:
    for lang in LANGUAGES:
        header, entries = read_po(po_path(lang))
        mo_path(lang).write_bytes(compile_mo(header, entries))


def missing(lang: str = "id") -> list[Entry]:
    """The msgids of the code that ``lang``'s catalog lacks or leaves untranslated."""
    have = {(e.msgid, e.plural): e for e in read_po(po_path(lang))[1]}
    return [e for e in extract() if not (have.get((e.msgid, e.plural)) and have[(e.msgid, e.plural)].translated)]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "missing":
        gaps = missing(argv[1] if len(argv) > 1 else "id")
        for e in gaps:
            print(f"{', '.join(e.locations)}: {e.msgid!r}")
        return 1 if gaps else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
