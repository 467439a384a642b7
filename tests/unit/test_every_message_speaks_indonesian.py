"""Every message a person reads has an Indonesian translation in the shipped catalogs.

The strings are found the way tools/i18n.py finds them for the catalogs:
the ``_``/``N_``/``ngettext`` calls of lpsectl, the help texts of every
command and option, and click's own messages.
"""

from __future__ import annotations

import ast
import gettext
import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIELD = re.compile(r"\{([^{}]*)\}")


def _tools():
    spec = importlib.util.spec_from_file_location("lpsectl_i18n_tools", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


tools = _tools()


def test_every_user_facing_string_has_an_indonesian_translation():
    missing = tools.missing("id")
    assert not missing, "no Indonesian for (run `python tools/i18n.py update`, translate, then `compile`):\n" + \
        "\n".join(f"  {', '.join(e.locations)}: {e.msgid!r}" for e in missing)


def test_the_english_catalog_holds_every_message():
    assert not tools.missing("en")


def test_a_translation_keeps_the_placeholders_of_its_message():
    for lang in tools.LANGUAGES:
        for e in tools.read_po(tools.po_path(lang))[1]:
            want = set(FIELD.findall(e.msgid)) | set(FIELD.findall(e.plural or ""))
            for text in e.msgstr:
                got = set(FIELD.findall(text))
                assert got <= want, (lang, e.msgid, got - want)
                if e.plural is None and text:
                    assert got == want, (lang, e.msgid, want - got)


def test_the_shipped_mo_files_are_compiled_from_the_po_files():
    for lang in tools.LANGUAGES:
        header, entries = tools.read_po(tools.po_path(lang))
        assert tools.mo_path(lang).read_bytes() == tools.compile_mo(header, entries), \
            f"{lang}: run `python tools/i18n.py compile`"


def test_the_compiled_catalog_translates_through_gettext():
    catalog = gettext.translation("lpsectl", str(ROOT / "lpsectl" / "locale"), languages=["id"])
    assert catalog.gettext("Error: {problem}") == "Galat: {problem}"
    assert catalog.gettext("Usage:") == "Penggunaan:"
    assert catalog.ngettext("{n} new ticket", "{n} new tickets", 3) == "{n} tiket baru"


def test_a_message_extracted_from_code_is_found(tmp_path):
    source = tmp_path / "m.py"
    source.write_text('x = _("one")\ny = ngettext("a {n}", "b {n}", 2)\nz = N_("two")\nw = f("no")\n')
    assert [(m, p) for m, p, _where in tools._calls(source, "m.py")] == \
        [("one", None), ("a {n}", "b {n}"), ("two", None)]


def _shadowing_functions(path: Path, shown: str) -> list[str]:
    """Functions that call ``_`` and also bind ``_`` themselves (``for _ in``): ``_()`` fails there."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    comprehensions = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        calls = binds = False
        todo = list(ast.iter_child_nodes(fn))
        while todo:
            node = todo.pop()
            if isinstance(node, scopes):
                continue
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
                calls = True
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store) \
                    and not isinstance(node, comprehensions):
                binds = True
            if not isinstance(node, comprehensions):
                todo.extend(ast.iter_child_nodes(node))
            else:
                todo.extend(n for n in ast.walk(node) if isinstance(n, ast.Call))
        if calls and binds:
            found.append(f"{shown}:{fn.lineno} {fn.name}")
    return found


def test_no_function_hides_gettext_behind_a_local_underscore():
    found = [f for path in sorted((ROOT / "lpsectl").rglob("*.py"))
             for f in _shadowing_functions(path, str(path.relative_to(ROOT)))]
    assert not found, found


def test_the_shadow_check_sees_a_loop_variable_named_underscore(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    for _ in range(3):\n        pass\n    return _('x')\n")
    assert _shadowing_functions(bad, "bad.py") == ["bad.py:1 f"]
