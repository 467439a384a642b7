"""What every command needs, without click: the App, the interface language, how a failure is said.

The click layer (:mod:`lpsectl.cli`) builds on these, and so does the
console script's path for the plainest ``show`` (:mod:`lpsectl.launch`),
which runs without importing click at all: both say the same thing the
same way because they call the same code.
"""

from __future__ import annotations

import gc
import os
import re
from typing import Optional

from lpsectl import i18n
from lpsectl.errors import BadInput, LpseError
from lpsectl.i18n import _
from lpsectl.lazyre import LazyPattern


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
            collect_from_now()  # the command's modules are loaded: its work may make garbage
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


def collect_from_now() -> None:
    """Start the cyclic garbage collector the console script held back while the modules loaded.

    What exists now (modules, classes, the command's objects) is set aside
    for good (``gc.freeze``), so no collection walks it again. Where the
    collector runs already (lpsectl used as a library, the tests), nothing
    changes.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


# -- the interface language ---------------------------------------------------------

# `language:` at the top level of lpsectl.yaml, read without loading the configuration (compiled only
# when neither --lang nor LPSECTL_LANG chose).
_LANGUAGE_LINE = LazyPattern(r"^language:[ \t]*[\"']?([A-Za-z]+)", re.MULTILINE)


def _configured_language(home: Optional[str]) -> Optional[str]:
    """``language`` of the helpdesk's lpsectl.yaml, if there is one and it says (os.path: --help needs no pathlib)."""
    if home:
        candidates = [os.path.expanduser(home)]
    else:
        try:
            here = os.getcwd()
        except OSError:
            return None
        candidates = [here]
        while os.path.dirname(here) != here:
            here = os.path.dirname(here)
            candidates.append(here)
    for folder in candidates:
        try:
            with open(os.path.join(folder, "lpsectl.yaml"), encoding="utf-8", errors="replace") as f:
                text = f.read(65536)
        except OSError:
            continue
        found = _LANGUAGE_LINE.search(text)
        return i18n.normalise(found.group(1)) if found else None
    return None


def interface_language(args: list[str]) -> str:
    """``--lang``, else ``LPSECTL_LANG``, else ``language`` in lpsectl.yaml, else id.

    Chosen before the command line is parsed, so help, usage errors and the
    first messages already speak it.
    """
    from lpsectl.gitlook import global_values

    values = global_values(args)[0]
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


# -- what the commands share --------------------------------------------------------

# Control characters a reporter's text may carry (a mail subject with
# terminal escape codes): shown as \xNN so they cannot drive the terminal.
_CONTROL = LazyPattern("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character but newline and tab made visible."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def index_here(app: App):
    """The helpdesk's index as it stands, or None: bypassed (``LPSECTL_NO_INDEX=1``) or not to be kept here."""
    if os.environ.get("LPSECTL_NO_INDEX") == "1":
        return None
    from lpsectl.index import Index, IndexUnavailable

    try:
        return Index(app.helpdesk())
    except IndexUnavailable:
        return None


def open_calendar_index(app: App):
    """The index for its calendar only (a command on one ticket), or None."""
    ix = index_here(app)
    if ix is not None:
        ix.use_calendar()
    return ix


# -- failures -----------------------------------------------------------------------

def reader_gone() -> int:
    """The exit status once stdout's reader closed the pipe (`lpsectl list | head`): 0, and nothing more said.

    The answer was given as far as it was wanted. What is still in
    stdout's buffer goes to the null device, so the interpreter's last
    flush fails on nothing and says nothing on stderr.
    """
    import sys

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no descriptor to point elsewhere (stdout replaced)
        pass
    return 0


def failure(exc: BaseException) -> tuple[str, int]:
    """The one ``Error: ...`` line and the exit status of a command that raised ``exc`` (not click's own).

    ``LPSECTL_DEBUG=1`` lets an LpseError or a bug raise, with its traceback.
    """
    if isinstance(exc, LpseError):
        if os.environ.get("LPSECTL_DEBUG") == "1":
            raise exc
        return _("Error: {problem}").format(problem=exc), exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return _("Error: interrupted; the ticket files are as before or complete"), 130
    if os.environ.get("LPSECTL_DEBUG") == "1":
        raise exc
    # A bug: say so in one line.
    return (_("Error: internal error ({kind}: {problem}); rerun with LPSECTL_DEBUG=1 and report it")
            .format(kind=type(exc).__name__, problem=exc), 1)

