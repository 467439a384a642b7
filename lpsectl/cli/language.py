"""The interface language of the CLI: which one, and click and the help texts speaking it.

The language is chosen before click parses anything
(:func:`lpsectl.app.interface_language`), so help, usage errors and the
first messages already speak it.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any, Iterator, Optional

import click

from lpsectl import i18n
from lpsectl.i18n import N_, _


def help_fields(command: click.Command, loaded_only: bool = False) -> Iterator[tuple[Any, str]]:
    """Every (object, attribute) of the help texts of ``command`` and its subcommands.

    ``loaded_only``: of the top group's commands only those imported so far
    (the others are translated as they are imported).
    """
    yield from ((command, field) for field in ("help", "short_help", "epilog"))
    for param in command.params:
        if isinstance(param, click.Option):
            yield param, "help"
    loaded = getattr(command, "loaded_commands", None)
    subs = loaded() if loaded_only and loaded is not None else getattr(command, "commands", {})
    for sub in subs.values():
        yield from help_fields(sub)


def english_help(obj: Any, field: str) -> Optional[str]:
    """The English text of a help field, as written in the code (dedented)."""
    en = obj.__dict__.setdefault("_lpsectl_english", {})
    if field not in en:
        text = getattr(obj, field)
        en[field] = inspect.cleandoc(text) if text else text
    return en[field]


def speak(root: click.Command, lang: str) -> None:
    """Use ``lang`` for messages, and give ``root`` its help text in it.

    Its commands get theirs when they are to run (``LpseGroup.resolve_command``):
    a command that does not run, or shows no help, needs none; the list of
    commands in ``lpsectl --help`` translates only what it shows of each
    (:func:`translate_summary`).
    """
    i18n.set_language(lang)
    translate(root, loaded_only=True)


def translate(command: click.Command, loaded_only: bool = False) -> None:
    """Give ``command`` and the commands under it their help text in the language spoken now (once)."""
    lang = i18n.language()
    if command.__dict__.get("_lpsectl_spoken") == lang:
        return
    command.__dict__["_lpsectl_spoken"] = lang
    for obj, field in help_fields(command, loaded_only):
        text = english_help(obj, field)
        setattr(obj, field, _(text) if text else text)
        # click makes --help's own option once per command and keeps it.
        help_option = getattr(obj, "_help_option", None)
        if field == "help" and help_option is not None:
            help_option.help = _("Show this message and exit.")


def translate_summary(command: click.Command) -> None:
    """Only what a list of commands shows of ``command``: its help, whose first sentence is its short help."""
    for field in ("help", "short_help"):
        text = english_help(command, field)
        setattr(command, field, _(text) if text else text)


# Words click translates through a variable (`_(extra["required"])`), so the
# extraction of its literal messages cannot see them: named here for the catalog.
CLICK_WORDS = (N_("required"),)


def click_speaks_our_language() -> None:
    """click's own messages (usage errors, help headings) through our catalog.

    click calls ``gettext.gettext`` of the process-wide "messages" domain,
    imported into each of its modules as ``_`` (and ``ngettext``); those
    names are rebound to ours, so its words come from lpsectl's catalog in
    the interface language, whatever the machine's locale says.
    """
    import gettext

    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            names = vars(module)
            if names.get("_") is gettext.gettext:
                module._ = _  # type: ignore[attr-defined]
            if names.get("ngettext") is gettext.ngettext:
                module.ngettext = i18n.ngettext  # type: ignore[attr-defined]
