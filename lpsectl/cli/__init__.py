"""The click layer: the group, global options, errors turned into exit codes."""

from __future__ import annotations

import sys
from functools import partial
from typing import Any, Optional

import click

from lpsectl import __version__, i18n
from lpsectl.app import App, failure, interface_language, reader_gone
from lpsectl.cli import language
from lpsectl.errors import LpseError
from lpsectl.i18n import _

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ReaderGone(Exception):
    """stdout's reader closed the pipe while a command wrote to it."""


class LpseGroup(click.Group):
    """Every failure ends as one ``Error: ...`` line on stderr.

    A command's module is imported when the command is asked for
    (:data:`COMMAND_MODULES`): ``lpsectl show`` does not pay for the
    modules of ``import`` or ``sync``. ``commands`` (help, completion,
    the tests) imports them all.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._loaded: set[str] = set()
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        for module in COMMAND_MODULES:
            self._load(module)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def loaded_commands(self) -> dict[str, click.Command]:
        """The commands imported so far."""
        return self._commands

    def add_command(self, cmd: click.Command, name: Optional[str] = None) -> None:
        self._commands[name or cmd.name or ""] = cmd

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        for module, names in COMMAND_MODULES.items():
            if cmd_name in names:
                self._load(module)
        command = self._commands.get(cmd_name)
        if command is not None:
            language.translate_summary(command)  # what a list of commands shows of it (--help lists them all)
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]):  # type: ignore[override]
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            language.translate(command)  # the command to run: all its help in the language spoken now; once
        return name, command, rest

    def _load(self, module_name: str) -> None:
        if module_name in self._loaded:
            return
        import importlib

        self._loaded.add(module_name)
        module: Any = importlib.import_module(f"lpsectl.cli.{module_name}")
        for command in module.COMMANDS:
            self.add_command(command)

    # click's own main turns a write into a closed pipe into exit status 1 (whatever standalone_mode says):
    # the commands' and the help's writes raise past it as ReaderGone instead, which is no OSError.
    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError as exc:  # `lpsectl --help | head`
            raise ReaderGone() from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise ReaderGone() from exc

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
        except ReaderGone:  # `lpsectl list | head`
            code = reader_gone()
        except (LpseError, KeyboardInterrupt, Exception) as exc:  # said as the click-free path says it
            line, code = failure(exc)
            click.echo(line, err=True)
        else:
            code = rv if isinstance(rv, int) else 0
        finally:
            i18n.set_language(before)
        if standalone_mode:
            sys.exit(code)
        return code


pass_app = click.make_pass_decorator(App)


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--version``: what ``click.version_option`` prints. Not that decorator: it looks its words up in the
    machine's catalog as the module loads (importing ``locale``), before click speaks ours."""
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"lpsectl, version {__version__}", color=ctx.color)
    ctx.exit()


@click.group(cls=LpseGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--home", metavar="DIR", help="The helpdesk folder (default: nearest folder with lpsectl.yaml, or LPSECTL_HOME).")
@click.option("--operator", metavar="NAME", help="Who acts (default: LPSECTL_OPERATOR, else git's user.name).")
@click.option("--lang", type=click.Choice(["id", "en"], case_sensitive=False), help="Language of messages, help, reports and receipts: id or en (default: LPSECTL_LANG, else language in lpsectl.yaml, else id).")
@click.option("-V", "--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
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


# The command modules, each with the names of the commands its COMMANDS lists
# (tests/cli/test_commands.py checks the two agree): a command imports its own module only.
COMMAND_MODULES = {
    "tickets": ("new", "show", "answer", "escalate", "redirect", "note", "wait", "resume", "close",
                "reopen", "rate", "followup", "edit", "assign", "claim"),
    "lists": ("list",),
    "day": ("today",),
    "admin": ("init", "check", "log", "demo"),
    "reports": ("report", "receipt"),
    "intake": ("import", "import-mail"),
    "sync": ("sync", "merge-file"),
    "mail": ("mail", "outbox"),
    "privacy": ("privacy",),
    "watch": ("watch",),
}

# Every invocation speaks its language (LpseGroup.main): help texts and click's words too.
speak = partial(language.speak, cli)
language.click_speaks_our_language()


def main() -> None:
    cli.main(prog_name="lpsectl")
