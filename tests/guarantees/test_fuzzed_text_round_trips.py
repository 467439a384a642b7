"""Guarantee 12: whatever text comes in, it reads back exactly, or is refused in one line.

Hypothesis feeds every text option of ``new`` and an action's message,
every cell of an import, and a mail's headers and body with control
characters, NUL, lone surrogates (what undecodable bytes on a command line
become in Python), very long strings and mixed line endings. Each example
ends one of two ways:

- exit 0, and ``show --json`` reads back what was given, up to the
  documented normalisation (below);
- exit 2 with one ``Error: ...`` line, and nothing written.

Never a traceback, never a ticket file that does not read back.

Documented normalisations: ``new`` and the actions drop blank lines before
and after a text, and a text of blanks only is no text (``null``); an
import also drops the spaces around a cell and reads CRLF and CR as LF; a
mail's subject and sender name are one line with runs of blanks as one
space, its text has LF line ends, no trailing blanks, no control
characters, at most one empty line in a row, and an undecodable character
becomes U+FFFD.

Runs are derandomised and bounded (CliRunner in this process, a real git).
"""

from __future__ import annotations

import csv
import io
import json
from base64 import b64encode
from typing import Optional

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import git

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# Any code point, surrogates and controls included, and the line ends of every system.
CHARS = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None),
    st.sampled_from(["\x00", "\x1b[2J", "\x1b]0;x\x07", "\r\n", "\r", "\n", "\u2028", "\x85", "\ud800", "\udcff",
                     "\ufeff", "\u202e", "\t", " ", "-", ":", "#", "'", '"', "null", "1e3", "0752"]),
)
SHORT = st.lists(CHARS, max_size=30).map("".join)
LONG = st.builds(lambda s, n: (s * n)[:20_000], st.lists(CHARS, min_size=1, max_size=8).map("".join),
                 st.integers(500, 5_000))
TEXT = st.one_of(SHORT, SHORT, SHORT, LONG)


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def kept(text: str) -> Optional[str]:
    """What ``new`` and the actions store of a text: without blank lines around it; blanks are none."""
    text = text.strip("\n")
    return text if text.strip() else None


def state(home) -> tuple[str, str]:
    return git(home, "rev-parse", "HEAD"), git(home, "status", "--porcelain", "--untracked-files=all")


def refused_cleanly(result, home, before) -> None:
    """Exit 2, one Error line, nothing written."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "internal error" not in lines[0], result.stderr
    assert state(home) == before, "a refused command wrote something"


def show(run, tid: str) -> dict:
    return json.loads(run.ok("show", tid, "--json"))


OPTIONS = {  # option -> where show --json has it
    "--subject": ("subject",), "--message": ("message",), "--name": ("reporter", "name"),
    "--address": ("reporter", "address"), "--phone": ("reporter", "phone"), "--email": ("reporter", "email"),
    "--account": ("reporter", "account"), "--role": ("reporter", "role"), "--category": ("category",),
    "--ref": ("refs", "lpse-support"),
}


def lookup(data: dict, where: tuple) -> Optional[str]:
    for key in where:
        data = data[key]
    return data  # type: ignore[return-value]


@FUZZ
@given(option=st.sampled_from(sorted(OPTIONS)), value=TEXT)
@example(option="--message", value="lone \udcff from undecodable bytes")
@example(option="--name", value="\ud800")
@example(option="--subject", value="a\x00b\r\nc\rd\u2028e\x1b[31m")
def test_every_text_option_of_new_reads_back_exactly_or_is_refused(run, helpdesk, option, value):
    before = state(helpdesk)
    other = ["--subject", "s"] if option != "--subject" else ["--message", "m"]
    value_for = value + "@example.test" if option == "--email" else value
    result = run("new", "-q", "-c", "suggestion-box", *other, option, value_for)
    if has_surrogate(value_for):
        refused_cleanly(result, helpdesk, before)
        return
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    assert result.stderr == ""
    tid = result.stdout.strip()
    assert lookup(show(run, tid), OPTIONS[option]) == kept(value_for)
    assert state(helpdesk)[1] == "", "the ticket is committed, nothing left half-written"


@FUZZ
@given(value=TEXT)
@example(value="\udcff")
@example(value="\n\n \n")
def test_the_message_of_an_action_reads_back_exactly_or_is_refused(run, helpdesk, value):
    tid = run.new("-c", "suggestion-box", "-s", "s")
    before = state(helpdesk)
    result = run("note", tid, "-m", value)
    if has_surrogate(value) or kept(value) is None:
        refused_cleanly(result, helpdesk, before)
        return
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    assert show(run, tid)["history"][-1]["message"] == kept(value)
