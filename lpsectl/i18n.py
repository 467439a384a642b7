"""The interface language: gettext over the catalogs shipped in lpsectl/locale/.

The CLI chooses the language once per invocation (``--lang``, else
``LPSECTL_LANG``, else ``language`` in lpsectl.yaml, else Indonesian) and
sets it here; the core reads it through :func:`_` when it builds a message,
so an error is one whole sentence in one language. Without a choice made
(the core used as a library, a test), ``LPSECTL_LANG`` or Indonesian.

Strings are written in English in the code. ``_`` translates now,
``ngettext`` a sentence with a count, ``N_`` only marks a string for the
catalog (a module-level constant translated where it is shown). The
catalog of a language is read on its first message, straight from its
``.mo`` file (``gettext.translation`` would import ``locale`` and ``copy``
to look for it), and each message is looked up where it stands in the
file (:class:`MoCatalog`): a command asks for a few dozen of the catalog's
hundreds of messages, and ``gettext.GNUTranslations`` decodes every one
of them into a dict first (about 3 ms, as much as a few modules' imports).
"""

from __future__ import annotations

import os
import struct
from typing import Callable, Optional

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DOMAIN = "lpsectl"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "locale")

_chosen: Optional[str] = None


class MoCatalog:
    """The messages of a GNU ``.mo`` file, each looked up when it is first asked for, as ``gettext.GNUTranslations`` answers.

    A ``.mo`` file's originals are sorted (msgfmt and ``tools/i18n.py``
    write them so), so one is found by a binary search over its table of
    (length, offset) pairs. A plural entry's original is the singular and
    the plural joined by NUL, found by the singular, as GNUTranslations
    finds it; its translations, joined by NUL too, are chosen among by the
    catalog's ``Plural-Forms``. Text is UTF-8 (the catalogs lpsectl ships).
    """

    def __init__(self, data: bytes) -> None:
        magic = struct.unpack_from("<I", data)[0]
        self._order = "<" if magic == 0x950412DE else ">"
        n, originals, translations = struct.unpack_from(self._order + "3I", data, 8)
        self._data = data
        self._n = n
        self._originals = originals
        self._translations = translations
        self._found: dict[str, Optional[str]] = {}
        self._plural: Optional[Callable[[int], int]] = None

    def _original(self, i: int) -> bytes:
        length, offset = struct.unpack_from(self._order + "2I", self._data, self._originals + 8 * i)
        return self._data[offset:offset + length]

    def _translation(self, i: int) -> bytes:
        length, offset = struct.unpack_from(self._order + "2I", self._data, self._translations + 8 * i)
        return self._data[offset:offset + length]

    def _first_from(self, key: bytes) -> int:
        """The index of the first original at or after ``key``."""
        low, high = 0, self._n
        while low < high:
            mid = (low + high) // 2
            if self._original(mid) < key:
                low = mid + 1
            else:
                high = mid
        return low

    def _lookup(self, message: str) -> Optional[str]:
        key = message.encode("utf-8")
        i = self._first_from(key)
        if i < self._n and self._original(i) == key:
            return self._translation(i).decode("utf-8")
        return None

    def _form(self, singular: str, n: int) -> Optional[str]:
        """The form for ``n`` of the plural entry of ``singular``; None when there is none."""
        key = singular.encode("utf-8") + b"\0"
        i = self._first_from(key)
        if i < self._n and self._original(i).startswith(key):
            forms = self._translation(i).decode("utf-8").split("\0")
            form = self._plural_of(n)
            if form < len(forms):
                return forms[form]
        return None

    def gettext(self, message: str) -> str:
        found = self._found.get(message, "")
        if found == "":
            found = self._lookup(message)
            if found is None:  # a plural entry's singular: its form for one, as gettext gives it
                found = self._form(message, 1)
            self._found[message] = found
        return message if found is None else found

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self._form(singular, n)
        if found is None:
            return singular if n == 1 else plural
        return found

    def _plural_of(self, n: int) -> int:
        if self._plural is None:
            import gettext

            self._plural = lambda n: int(n != 1)  # gettext's rule when the catalog names none
            for line in (self._lookup("") or "").splitlines():  # the header, read as GNUTranslations reads it
                name, _sep, value = line.partition(":")
                if name.strip().lower() == "plural-forms":
                    self._plural = gettext.c2py(value.split(";")[1].split("plural=")[1])
        return self._plural(n)


class _Untranslated:
    """The messages as written: a language with no catalog shipped (English)."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


_catalogs: dict[str, "MoCatalog | _Untranslated"] = {}


def normalise(lang: Optional[str]) -> Optional[str]:
    """``lang`` as one of :data:`LANGUAGES` (any case), or None when it is none of them."""
    if lang is None:
        return None
    lang = str(lang).strip().lower()
    return lang if lang in LANGUAGES else None


def set_language(lang: Optional[str]) -> Optional[str]:
    """Speak ``lang`` from now on (None: back to the default); returns the language chosen before."""
    global _chosen
    before = _chosen
    _chosen = normalise(lang) if lang is not None else None
    return before


def language() -> str:
    """The language messages are made in now."""
    if _chosen is not None:
        return _chosen
    return normalise(os.environ.get("LPSECTL_LANG")) or DEFAULT_LANGUAGE


def mo_path(lang: str) -> str:
    """Where the catalog of ``lang`` is shipped."""
    return os.path.join(LOCALE_DIR, lang, "LC_MESSAGES", f"{DOMAIN}.mo")


def _catalog() -> "MoCatalog | _Untranslated":
    lang = language()
    catalog = _catalogs.get(lang)
    if catalog is None:
        try:
            with open(mo_path(lang), "rb") as f:
                catalog = MoCatalog(f.read())
        except OSError:  # not shipped: the messages as written
            catalog = _Untranslated()
        _catalogs[lang] = catalog
    return catalog


def _(message: str) -> str:
    """``message`` in the interface language."""
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a sentence with a count ``n``, in the interface language."""
    return _catalog().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for the catalog; it is translated where it is shown."""
    return message
