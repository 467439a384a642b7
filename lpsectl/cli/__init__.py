"""The click layer: the group, global options, errors turned into exit codes."""

from __future__ import annotations

import inspect
import os
import re
import sys
from typing import Any, Iterator, Optional

import click

from lpsectl import __version__, i18n
from lpsectl.errors import BadInput, LpseError
from lpsectl.i18n import N_, _

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LpseGroup(click.Group):
    """Every failure ends as one ``Error: ...`` line on stderr."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        before = i18n.set_language(None)
        try:
            speak(interface_language(sys.argv[1:] if args is None else list(args)))
            rv = super().main(args=args, prog_name=prog_name or "lpsectl",
                              complete_var=complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:  # pragma: no cover - standalone_mode=False returns it
            code = exc.exit_code
        except click.exceptions.Abort:
            # Ctrl-D or Ctrl-C at a prompt leaves the cursor after the prompt.
            click.echo(err=True)
            click.echo(_("Error: aborted; nothing was written"), err=True)
            code = 1
        except click.exceptions.NoArgsIsHelpError as exc:  # bare `lpsectl`: help, not an error
            click.echo(exc.format_message(), err=True)
            code = 2
        except click.UsageError as exc:
            if exc.ctx:
                line = _("Error: {problem} (see '{command} --help')").format(
                    problem=exc.format_message(), command=exc.ctx.command_path)
            else:
                line = _("Error: {problem}").format(problem=exc.format_message())
            click.echo(line, err=True)
            code = 2
        except click.ClickException as exc:
            click.echo(_("Error: {problem}").format(problem=exc.format_message()), err=True)
            code = exc.exit_code
        except LpseError as exc:
            if os.environ.get("LPSECTL_DEBUG") == "1":
                raise
            click.echo(_("Error: {problem}").format(problem=exc), err=True)
            code = exc.exit_code
        except KeyboardInterrupt:
            click.echo(_("Error: interrupted; the ticket files are as before or complete"), err=True)
            code = 130
        except BrokenPipeError:  # `lpsectl list | head`
            sys.stderr.close()
            code = 0
        except Exception as exc:  # a bug: say so in one line unless debugging
            if os.environ.get("LPSECTL_DEBUG") == "1":
                raise
            click.echo(_("Error: internal error ({kind}: {problem}); rerun with LPSECTL_DEBUG=1 and report it")
                       .format(kind=type(exc).__name__, problem=exc), err=True)
            code = 1
        else:
            code = rv if isinstance(rv, int) else 0
        finally:
            i18n.set_language(before)
        if standalone_mode:
            sys.exit(code)
        return code


class App:
    """What every command needs, made on demand."""

    def __init__(self, home: Optional[str], operator: Optional[str], lang: Optional[str]) -> None:
        self.home_opt = home
        self.operator_opt = operator
        self.lang_opt = lang
        self._helpdesk = None
        self.warned_no_git = False

    def helpdesk(self):
        if self._helpdesk is None:
            from pathlib import Path

            from lpsectl.store import Helpdesk, find_home

            root = find_home(Path.cwd(), self.home_opt or os.environ.get("LPSECTL_HOME") or None)
            self._helpdesk = Helpdesk(root)
        return self._helpdesk

    def operator(self) -> str:
        name = self.operator_opt or os.environ.get("LPSECTL_OPERATOR")
        if not name:
            hd = self.helpdesk()
            if hd.git is not None:
                name = hd.git.user_name()
        if not name or not name.strip():
            raise BadInput(_("who is acting? give --operator NAME, set LPSECTL_OPERATOR, or set git's user.name"))
        return name.strip()

    def lang(self) -> str:
        """The interface language, chosen when the command started (:func:`interface_language`)."""
        return i18n.language()

    def mail_lang(self) -> str:
        """The language of mail to a reporter: --lang, else the helpdesk's ``language``.

        LPSECTL_LANG is one officer's own choice of interface; what the
        reporter receives stays in the helpdesk's language.
        """
        return self.lang_opt or self.helpdesk().config.language


pass_app = click.make_pass_decorator(App)


@click.group(cls=LpseGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--home", metavar="DIR", help="The helpdesk folder (default: nearest folder with lpsectl.yaml, or LPSECTL_HOME).")
@click.option("--operator", metavar="NAME", help="Who acts (default: LPSECTL_OPERATOR, else git's user.name).")
@click.option("--lang", type=click.Choice(["id", "en"], case_sensitive=False), help="Language of messages, help, reports and receipts: id or en (default: LPSECTL_LANG, else language in lpsectl.yaml, else id).")
@click.version_option(__version__, "-V", "--version", prog_name="lpsectl")
@click.pass_context
def cli(ctx: click.Context, home: Optional[str], operator: Optional[str], lang: Optional[str]) -> None:
    """The complaint and helpdesk desk of an LPSE office.

    Each ticket is one YAML file under tickets/ of the helpdesk folder, and
    every action is one git commit, so `git log` is the audit trail.

    \b
    Start:
      lpsectl init helpdesk && cd helpdesk
      lpsectl new --channel phone --name "Budi" --phone 0752-123 -m "Cannot log in"
      lpsectl list
    """
    ctx.obj = App(home, operator, lang.lower() if lang else None)


# The command modules; each lists its commands in COMMANDS.
COMMAND_MODULES = ("tickets", "admin", "reports", "intake", "sync", "mail")


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        module: Any = importlib.import_module(f"lpsectl.cli.{name}")
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


# The global options that come before the command name, and whether each takes a value.
_GLOBAL_OPTIONS = {"--home": True, "--operator": True, "--lang": True}
# `language:` at the top level of lpsectl.yaml, read without loading the configuration.
_LANGUAGE_LINE = re.compile(r"^language:[ \t]*[\"']?([A-Za-z]+)", re.MULTILINE)


def _global_values(args: list[str]) -> dict[str, str]:
    """The values of the global options in ``args``, read before click parses them."""
    values: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, eq, value = args[i].partition("=")
        if _GLOBAL_OPTIONS.get(name):
            if not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            values[name] = value
        i += 1
    return values


def _configured_language(home: Optional[str]) -> Optional[str]:
    """``language`` of the helpdesk's lpsectl.yaml, if there is one and it says."""
    from pathlib import Path

    if home:
        candidates = [Path(home).expanduser()]
    else:
        try:
            here = Path.cwd()
        except OSError:
            return None
        candidates = [here, *here.parents]
    for folder in candidates:
        try:
            with open(folder / "lpsectl.yaml", encoding="utf-8", errors="replace") as f:
                text = f.read(65536)
        except OSError:
            continue
        found = _LANGUAGE_LINE.search(text)
        return i18n.normalise(found.group(1)) if found else None
    return None


def interface_language(args: list[str]) -> str:
    """``--lang``, else ``LPSECTL_LANG``, else ``language`` in lpsectl.yaml, else id."""
    values = _global_values(args)
    chosen = i18n.normalise(values.get("--lang"))
    if chosen:
        return chosen
    env = os.environ.get("LPSECTL_LANG")
    if env:
        chosen = i18n.normalise(env)
        if chosen is None:
            raise BadInput(_("LPSECTL_LANG={value} is not a language lpsectl speaks; set it to id or en")
                           .format(value=env))
        return chosen
    home = values.get("--home") or os.environ.get("LPSECTL_HOME")
    return _configured_language(home) or i18n.DEFAULT_LANGUAGE


def help_fields(command: click.Command) -> Iterator[tuple[Any, str]]:
    """Every (object, attribute) of the help texts of ``command`` and its subcommands."""
    yield from ((command, field) for field in ("help", "short_help", "epilog"))
    for param in command.params:
        if isinstance(param, click.Option):
            yield param, "help"
    for sub in getattr(command, "commands", {}).values():
        yield from help_fields(sub)


def english_help(obj: Any, field: str) -> Optional[str]:
    """The English text of a help field, as written in the code (dedented)."""
    en = obj.__dict__.setdefault("_lpsectl_english", {})
    if field not in en:
        text = getattr(obj, field)
        en[field] = inspect.cleandoc(text) if text else text
    return en[field]


def speak(lang: str) -> None:
    """Use ``lang`` for messages, and give every command its help text in it."""
    i18n.set_language(lang)
    for obj, field in help_fields(cli):
        text = english_help(obj, field)
        setattr(obj, field, _(text) if text else text)
        # click makes --help's own option once per command and keeps it.
        help_option = getattr(obj, "_help_option", None)
        if field == "help" and help_option is not None:
            help_option.help = _("Show this message and exit.")


# Words click translates through a variable (`_(extra["required"])`), so the
# extraction of its literal messages cannot see them: named here for the catalog.
CLICK_WORDS = (N_("required"),)


def _click_speaks_our_language() -> None:
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


_click_speaks_our_language()


def main() -> None:
    cli.main(prog_name="lpsectl")
