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
to look for it), so ``--help`` pays for one ``.mo`` file and nothing else.
"""

from __future__ import annotations

import gettext as _gettext
import os
from typing import Optional

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DOMAIN = "lpsectl"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "locale")

_chosen: Optional[str] = None
_catalogs: dict[str, _gettext.NullTranslations] = {}


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


def _catalog() -> _gettext.NullTranslations:
    lang = language()
    catalog = _catalogs.get(lang)
    if catalog is None:
        try:
            with open(os.path.join(LOCALE_DIR, lang, "LC_MESSAGES", f"{DOMAIN}.mo"), "rb") as f:
                catalog = _gettext.GNUTranslations(f)
        except OSError:  # not shipped: the messages as written
            catalog = _gettext.NullTranslations()
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
