"""The interface's catalog answers every message as ``gettext.GNUTranslations`` does, reading only the ones asked for.

A command asks for a few dozen of the catalog's hundreds of messages;
``lpsectl.i18n.MoCatalog`` finds each where it stands in the ``.mo`` file
instead of decoding all of them first. Whatever it is asked, it answers
what gettext answers: every shipped message, plurals by the catalog's rule,
the header, and a message the catalog does not have.
"""

from __future__ import annotations

import gettext
import io

import pytest

from lpsectl import i18n

from .test_every_message_speaks_indonesian import tools


def _both(mo: bytes) -> tuple[i18n.MoCatalog, gettext.GNUTranslations]:
    return i18n.MoCatalog(mo), gettext.GNUTranslations(io.BytesIO(mo))


@pytest.mark.parametrize("lang", ["id"])
def test_every_shipped_message_is_what_gettext_gives(lang):
    ours, theirs = _both(open(i18n.mo_path(lang), "rb").read())
    header, entries = tools.read_po(tools.po_path(lang))
    assert entries
    for e in entries:
        if e.plural is None:
            assert ours.gettext(e.msgid) == theirs.gettext(e.msgid), e.msgid
            assert ours.gettext(e.msgid) == theirs.gettext(e.msgid)  # asked again: the same
        else:
            for n in range(4):
                assert ours.ngettext(e.msgid, e.plural, n) == theirs.ngettext(e.msgid, e.plural, n), (e.msgid, n)
    assert ours.gettext("") == theirs.gettext("")  # the header
    assert ours.gettext("Not in any catalog") == "Not in any catalog"
    assert ours.ngettext("one thing", "{n} things", 2) == "{n} things"


def _entries(*items):
    return [tools.Entry(msgid, plural, list(msgstr)) for msgid, plural, msgstr in items]


def test_plurals_follow_the_rule_of_the_catalog():
    header = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\n"
    mo = tools.compile_mo(header, _entries(
        ("{n} file", "{n} files", ["satu", "dua", "banyak"]),
        ("{n} file left", "{n} files left", ["sisa satu", "sisa dua"]),  # a form missing: gettext's fallback
        ("Open", None, ["Buka"]),
        ("Open a", None, ["Buka a"]),
        ("Open\0b", None, ["not a plural"]),
        ("Ünïcode ✓", None, ["Unikode ✓"]),
    ))
    ours, theirs = _both(mo)
    for n in range(5):
        for singular, plural in [("{n} file", "{n} files"), ("{n} file left", "{n} files left"),
                                 ("{n} file", "another plural"), ("Open", "Opens"), ("Missing", "Missings")]:
            assert ours.ngettext(singular, plural, n) == theirs.ngettext(singular, plural, n), (singular, n)
    for message in ["Open", "Open a", "Ope", "Open b", "{n} file", "Ünïcode ✓", "Z", ""]:
        assert ours.gettext(message) == theirs.gettext(message), message


def test_without_a_plural_rule_one_is_singular_and_the_rest_plural():
    mo = tools.compile_mo("Content-Type: text/plain; charset=UTF-8\n",
                          _entries(("{n} day", "{n} days", ["{n} hari", "{n} hari-hari"])))
    ours, theirs = _both(mo)
    assert [ours.ngettext("{n} day", "{n} days", n) for n in range(3)] == \
        [theirs.ngettext("{n} day", "{n} days", n) for n in range(3)] == ["{n} hari-hari", "{n} hari", "{n} hari-hari"]


def test_a_language_without_a_catalog_speaks_as_written(monkeypatch):
    monkeypatch.setattr(i18n, "_catalogs", {})
    i18n.set_language("en")
    try:
        assert i18n._("Open") == "Open"
        assert i18n.ngettext("{n} day", "{n} days", 1) == "{n} day"
        assert i18n.ngettext("{n} day", "{n} days", 2) == "{n} days"
    finally:
        i18n.set_language(None)
