"""The click layer: the group, global options, errors turned into exit codes."""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

import click

from lpsectl import __version__
from lpsectl.errors import BadInput, LpseError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LpseGroup(click.Group):
    """Every failure ends as one ``Error: ...`` line on stderr."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        try:
            rv = super().main(args=args, prog_name=prog_name or "lpsectl",
                              complete_var=complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:  # pragma: no cover - standalone_mode=False returns it
            code = exc.exit_code
        except click.exceptions.Abort:
            # Ctrl-D or Ctrl-C at a prompt leaves the cursor after the prompt.
            click.echo(err=True)
            click.echo("Error: aborted; nothing was written", err=True)
            code = 1
        except click.exceptions.NoArgsIsHelpError as exc:  # bare `lpsectl`: help, not an error
            click.echo(exc.format_message(), err=True)
            code = 2
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            click.echo(f"Error: {exc.format_message()}{hint}", err=True)
            code = 2
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            code = exc.exit_code
        except LpseError as exc:
            if os.environ.get("LPSECTL_DEBUG") == "1":
                raise
            click.echo(f"Error: {exc}", err=True)
            code = exc.exit_code
        except KeyboardInterrupt:
            click.echo("Error: interrupted; the ticket files are as before or complete", err=True)
            code = 130
        except BrokenPipeError:  # `lpsectl list | head`
            sys.stderr.close()
            code = 0
        except Exception as exc:  # a bug: say so in one line unless debugging
            if os.environ.get("LPSECTL_DEBUG") == "1":
                raise
            click.echo(
                f"Error: internal error ({type(exc).__name__}: {exc}); "
                "rerun with LPSECTL_DEBUG=1 and report it", err=True,
            )
            code = 1
        else:
            code = rv if isinstance(rv, int) else 0
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
            raise BadInput("who is acting? give --operator NAME, set LPSECTL_OPERATOR, or set git's user.name")
        return name.strip()

    def lang(self) -> str:
        lang = self.lang_opt or self.helpdesk().config.language
        return lang


pass_app = click.make_pass_decorator(App)


@click.group(cls=LpseGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--home", metavar="DIR", help="The helpdesk folder (default: nearest folder with lpsectl.yaml, or LPSECTL_HOME).")
@click.option("--operator", metavar="NAME", help="Who acts (default: LPSECTL_OPERATOR, else git's user.name).")
@click.option("--lang", type=click.Choice(["id", "en"], case_sensitive=False), help="Language of reports and receipts.")
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
COMMAND_MODULES = ("tickets", "day", "admin", "reports", "intake", "sync", "mail", "privacy")


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        module: Any = importlib.import_module(f"lpsectl.cli.{name}")
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli.main(prog_name="lpsectl")
