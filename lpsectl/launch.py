"""The console script: git's look starts first, and the plainest ``show`` runs without click.

git's look at the tickets (:mod:`lpsectl.gitlook`) starts before anything
heavy is imported; then the click application runs as always.

Importing click costs about as much as the rest of ``show`` together, so
``lpsectl [--home DIR] [--operator NAME] [--lang id|en] show ID [--json]``,
exactly those forms (:func:`plain_show`), is answered here without it:
the same :func:`lpsectl.showing.show_text` prints the same text, and a
failure is said by the same :func:`lpsectl.app.failure`. Everything else
(help, any other option or command, an odd form, shell completion, a
console that is not plainly UTF-8 or ASCII-safe) goes to click untouched.
``LPSECTL_CLICK_ONLY=1`` sends every command line to click (the tests
compare both paths).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NamedTuple, Optional, Sequence, TextIO

from lpsectl.gitlook import GLOBAL_OPTIONS  # the global options the plain form may carry, each with a value


class PlainShow(NamedTuple):
    home: Optional[str]
    operator: Optional[str]
    lang: Optional[str]
    ticket_id: str
    as_json: bool


def plain_show(args: Sequence[str]) -> Optional[PlainShow]:
    """``args`` as the plain form of ``show``, or None for anything else (click's to parse)."""
    values: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, eq, value = args[i].partition("=")
        if name not in GLOBAL_OPTIONS or name in values:
            return None
        if not eq:
            i += 1
            if i == len(args):
                return None
            value = args[i]
        if not value or value.startswith("-"):
            return None
        values[name] = value
        i += 1
    if args[i:i + 1] != ["show"]:
        return None
    rest = list(args[i + 1:])
    flags = rest.count("--json")
    ids = [a for a in rest if a != "--json"]
    if flags > 1 or len(ids) != 1 or not ids[0] or ids[0].startswith("-"):
        return None
    lang = values.get("--lang")
    if lang is not None and lang.lower() not in ("id", "en"):
        return None
    return PlainShow(values.get("--home"), values.get("--operator"), lang.lower() if lang else None,
                     ids[0], flags == 1)


def _plain_stream(stream: Optional[TextIO]) -> bool:
    """A text stream click would write to as it is (not missing, not ASCII: click re-encodes those)."""
    if stream is None:
        return False
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name != "ascii"
    except LookupError:
        return False


def _echo(text: str, stream: TextIO) -> None:
    """``click.echo(text)``: a newline after it, ANSI escapes dropped when the stream is no terminal."""
    out = text + "\n"
    if "\x1b" in out and not stream.isatty():
        import re

        out = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", out)  # click's strip_ansi
    stream.write(out)
    stream.flush()


def show_without_click(form: PlainShow, args: Sequence[str]) -> int:
    """Run ``show`` as the click command would (``LpseGroup.main`` included); its exit status."""
    from lpsectl import i18n
    from lpsectl.app import App, failure, interface_language, reader_gone
    from lpsectl.showing import show_text

    try:
        i18n.set_language(interface_language(list(args)))
        text = show_text(App(form.home, form.operator, form.lang), form.ticket_id, form.as_json)
    except (KeyboardInterrupt, Exception) as exc:
        line, code = failure(exc)
        _echo(line, sys.stderr)
        return code
    try:
        _echo(text, sys.stdout)
    except BrokenPipeError:  # `lpsectl show ID | head`
        return reader_gone()
    return 0


def main() -> None:
    # Start-up makes tens of thousands of objects (modules, classes, functions) and no garbage: the
    # cyclic collector would only walk them again and again. It starts once the helpdesk is opened
    # (lpsectl.app.collect_from_now), with what exists then set aside for good.
    gc.disable()
    args = sys.argv[1:]
    from lpsectl import gitlook

    gitlook.start_early(args)
    form = plain_show(args)
    if (form is not None and os.name != "nt" and os.environ.get("LPSECTL_CLICK_ONLY") != "1"
            and "_LPSECTL_COMPLETE" not in os.environ and _plain_stream(sys.stdout) and _plain_stream(sys.stderr)):
        sys.exit(show_without_click(form, args))
    from lpsectl.cli import main as cli_main

    cli_main()
