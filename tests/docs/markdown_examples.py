"""Run the examples of a Markdown page as shown, and compare their output.

The conventions the README and docs/ follow (docs/development.md explains
them to writers):

- A ```` ```console ```` block is a session: each ``$ `` line is a command
  (a line ending in ``\\`` continues on the next), the lines after it are
  what it prints, stdout and stderr together. A command whose shown output
  has an ``Error:`` (or ``Galat:``) line must exit non-zero, any other must exit 0. A line
  ``...`` alone stands for any number of lines left out.
- Commands: ``lpsectl ...`` (the installed one), ``git ...``, ``cd DIR`` and
  ``export NAME=VALUE``. Nothing else runs, so no example can do harm.
- A fenced block whose info string has ``file=PATH`` (```` ```csv
  file=rekap-2024.csv ````) writes that file, relative to the current
  folder, when the session reaches it; one with ``shows=PATH`` (```` ```yaml
  shows=lpsectl.yaml ````) must match that file as the session left it.
- Each page is one session in a fresh folder that stands for the home
  folder and is shown as ``~``; the clock is frozen at :data:`NOW` and so
  are git's commit dates.

Only what truly varies is normalised: a ticket id in the shown output
(``2608-CD4JSQ``) stands for whatever id the run made at that place, and
from then on for that id only (one to one); a commit hash stands for any
commit hash the same way. A command argument that is a documented id or an
unambiguous prefix of one (``CD4``) is given the real id.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

NOW = "2026-09-01T09:00:00+07:00"
UPDATE_VAR = "UPDATE_DOC_EXAMPLES"  # not LPSECTL_*: the test fixtures clear those
ELLIPSIS = "..."

_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ID_RE = re.compile(rf"\b\d{{4}}-[{_ID_ALPHABET}]{{4,8}}\b")
# A commit hash as `log` prints it: hex with at least one letter, so that a
# number is never taken for one.
HASH_RE = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b")
_FENCE = re.compile(r"^(\s*)(`{3,})(.*)$")


@dataclass
class Command:
    line: int  # 0-based line of the `$` in the page
    text: str  # as shown, continuation lines joined
    expected: list[str]
    out_start: int  # the page's lines [out_start, out_end) hold the output
    out_end: int
    indent: str = ""


@dataclass
class FileBlock:
    line: int
    path: str
    content: str


@dataclass
class ShowsBlock:
    check: Command  # the file's name as its text, the block as its expected output
    path: str


@dataclass
class Page:
    path: Path
    lines: list[str]
    steps: list[Union[Command, FileBlock, ShowsBlock]] = field(default_factory=list)
    # Fenced blocks that are not console sessions: (line, info, body lines).
    other_blocks: list[tuple[int, str, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse(path: Path) -> Page:
    lines = path.read_text(encoding="utf-8").split("\n")
    page = Page(path, lines)
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, ticks, info = m.group(1), m.group(2), m.group(3).strip()
        start = i + 1
        end = start
        while end < len(lines) and lines[end].strip() != ticks:
            end += 1
        body = [ln[len(indent):] if ln.startswith(indent) else ln.lstrip() for ln in lines[start:end]]
        words = info.split()
        target = next((w[len("file="):] for w in words if w.startswith("file=")), None)
        shows = next((w[len("shows="):] for w in words if w.startswith("shows=")), None)
        if words[:1] == ["console"]:
            page.steps.extend(_commands(body, start, indent, page.problems))
        elif target:
            page.steps.append(FileBlock(i, target, "\n".join(body) + "\n"))
        elif shows:
            page.steps.append(ShowsBlock(Command(i, f"(the file {shows})", body, start, end, indent), shows))
        else:
            page.other_blocks.append((i, info, body))
        i = end + 1
    return page


def _commands(body: list[str], first: int, indent: str, problems: list[str]) -> list[Command]:
    out: list[Command] = []
    j = 0
    while j < len(body):
        if not body[j].startswith("$ "):
            problems.append(f"line {first + j + 1}: a console block starts with a `$ ` command")
            return out
        at = j
        text = body[j][2:]
        while text.endswith("\\") and j + 1 < len(body):
            j += 1
            text = text[:-1].rstrip() + " " + body[j].strip()
        j += 1
        k = j
        while k < len(body) and not body[k].startswith("$ "):
            k += 1
        out.append(Command(first + at, text, body[j:k], first + j, first + k, indent))
        j = k
    return out


class Names:
    """Documented ids and hashes bound, one to one, to the ones a run made."""

    def __init__(self) -> None:
        self.bound: dict[str, str] = {}

    def _pattern(self, line: str) -> tuple[re.Pattern, list[str]]:
        parts, names, pos = [], [], 0
        tokens = sorted([*ID_RE.finditer(line), *HASH_RE.finditer(line)], key=lambda m: m.start())
        for m in tokens:
            if m.start() < pos:
                continue
            parts.append(re.escape(line[pos:m.start()]))
            doc = m.group(0)
            if doc in self.bound:
                parts.append(re.escape(self.bound[doc]))
            elif ID_RE.fullmatch(doc):
                parts.append(f"({re.escape(doc[:5])}[{_ID_ALPHABET}]{{{len(doc) - 5}}})")
                names.append(doc)
            else:
                parts.append("([0-9a-f]{%d})" % len(doc))
                names.append(doc)
            pos = m.end()
        parts.append(re.escape(line[pos:]))
        return re.compile("".join(parts)), names

    def match_line(self, expected: str, actual: str) -> Optional[dict[str, str]]:
        """The new bindings under which ``actual`` is ``expected``, or None."""
        if expected == actual:
            return {}
        pattern, names = self._pattern(expected)
        m = pattern.fullmatch(actual)
        if not m:
            return None
        new: dict[str, str] = {}
        taken = set(self.bound.values())
        for doc, real in zip(names, m.groups()):
            if new.get(doc, real) != real or (doc not in new and real in taken):
                return None
            new[doc] = real
            taken.add(real)
        return new

    def match(self, expected: list[str], actual: list[str]) -> bool:
        """Whether the output matches; binds the names it shows if so."""
        found = self._match(expected, 0, actual, 0, {})
        if found is None:
            return False
        self.bound.update(found)
        return True

    def _match(self, exp: list[str], i: int, act: list[str], j: int, new: dict) -> Optional[dict]:
        if i == len(exp):
            return new if j == len(act) else None
        if exp[i] == ELLIPSIS:
            for k in range(j, len(act) + 1):
                got = self._match(exp, i + 1, act, k, new)
                if got is not None:
                    return got
            return None
        if j == len(act):
            return None
        saved = dict(self.bound)
        self.bound.update(new)
        try:
            step = self.match_line(exp[i], act[j])
        finally:
            self.bound = saved
        if step is None:
            return None
        return self._match(exp, i + 1, act, j + 1, {**new, **step})

    def guess(self, expected: list[str], actual: list[str]) -> None:
        """After a mismatch: pair the ids shown with the ids made, in order."""
        shown = [d for d in dict.fromkeys(ID_RE.findall("\n".join(expected))) if d not in self.bound]
        made = [r for r in dict.fromkeys(ID_RE.findall("\n".join(actual))) if r not in self.bound.values()]
        for doc, real in zip(shown, made):
            self.bound[doc] = real

    def real_arg(self, arg: str) -> str:
        """A command argument naming a documented ticket, given the real id."""
        word = arg.upper()
        if len(word) < 3:
            return arg
        hits = {
            real for doc, real in self.bound.items()
            if ID_RE.fullmatch(doc) and (doc == word or doc[5:].startswith(word) or ("-" in word and doc.startswith(word)))
        }
        return hits.pop() if len(hits) == 1 else arg

    def real_text(self, text: str) -> str:
        return ID_RE.sub(lambda m: self.bound.get(m.group(0), m.group(0)), text)

    def shown_text(self, text: str) -> str:
        back = {real: doc for doc, real in self.bound.items()}
        text = ID_RE.sub(lambda m: back.get(m.group(0), m.group(0)), text)
        return HASH_RE.sub(lambda m: back.get(m.group(0), m.group(0)), text)


@dataclass
class Failure:
    command: Command
    why: str
    actual: list[str]


class Session:
    """One page's examples, run in a fresh home folder."""

    def __init__(self, home: Path, lpsectl: list[str]) -> None:
        self.home = home
        self.cwd = home
        self.lpsectl = lpsectl
        self.names = Names()
        self.env = dict(os.environ)
        self.env.update({
            "HOME": str(home), "PYTHONUNBUFFERED": "1", "LPSECTL_TEST_NOW": NOW,
            "GIT_AUTHOR_DATE": NOW, "GIT_COMMITTER_DATE": NOW,
            # English unless the page says otherwise (`export LPSECTL_LANG=id`, `lpsectl --lang id ...`).
            "LPSECTL_LANG": "en",
        })

    def path(self, text: str) -> Path:
        if text == "~" or text.startswith("~/"):
            return self.home / text[2:]
        return self.cwd / text

    def write(self, block: FileBlock) -> None:
        target = self.path(block.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.names.real_text(block.content), encoding="utf-8")

    def compare(self, block: ShowsBlock) -> Optional[Failure]:
        target = self.path(self.names.real_text(block.path))
        if not target.is_file():
            return Failure(block.check, f"there is no file {block.path}", [])
        actual = self.shown(target.read_text(encoding="utf-8"))
        if not self.names.match(block.check.expected, actual):
            self.names.guess(block.check.expected, actual)
            return Failure(block.check, "the file differs", actual)
        return None

    def run(self, cmd: Command) -> Optional[Failure]:
        try:
            argv = shlex.split(cmd.text)
        except ValueError as exc:
            return Failure(cmd, f"cannot split the command: {exc}", [])
        argv = [str(self.home) + a[1:] if a == "~" or a.startswith("~/") else a for a in argv]
        if argv[0] == "cd" and len(argv) == 2:
            self.cwd = self.path(argv[1]).resolve()
            return None if not cmd.expected else Failure(cmd, "cd prints nothing", [])
        if argv[0] == "export" and len(argv) == 2 and "=" in argv[1]:
            name, value = argv[1].split("=", 1)
            self.env[name] = value
            return None if not cmd.expected else Failure(cmd, "export prints nothing", [])
        if argv[0] == "lpsectl":
            full = [*self.lpsectl, *(self.names.real_arg(a) for a in argv[1:])]
        elif argv[0] == "git":
            full = argv
        else:
            return Failure(cmd, f"{argv[0]!r} is not a command the examples may run (lpsectl, git, cd, export)", [])
        proc = subprocess.run(full, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        actual = self.shown(proc.stdout.decode("utf-8", "replace"))
        wants_error = any(ln.startswith(("Error:", "Galat:")) for ln in cmd.expected)
        if not self.names.match(cmd.expected, actual):
            self.names.guess(cmd.expected, actual)
            return Failure(cmd, "the output differs", actual)
        if wants_error != (proc.returncode != 0):
            return Failure(cmd, f"exit status {proc.returncode}, but the output shown "
                                f"{'has' if wants_error else 'has no'} Error: line", actual)
        return None

    def shown(self, out: str) -> list[str]:
        for folder in {str(self.home.resolve()), str(self.home)}:
            out = out.replace(folder, "~")
        lines = [ln.rstrip() for ln in out.split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        return lines


def run_page(page: Page, home: Path, lpsectl: list[str]) -> list[Failure]:
    session = Session(home, lpsectl)
    failures = []
    for step in page.steps:
        if isinstance(step, FileBlock):
            session.write(step)
            continue
        failure = session.compare(step) if isinstance(step, ShowsBlock) else session.run(step)
        if failure:
            failures.append(failure)
    if failures and os.environ.get(UPDATE_VAR) == "1":
        rewrite(page, failures, session.names)
    return failures


def rewrite(page: Page, failures: list[Failure], names: Names) -> None:
    """Write each failing command's real output into the page, as shown output.

    An output shortened with ``...`` stays shortened: each run of lines
    between the dots is replaced by the real lines where it fits best.
    """
    lines = list(page.lines)
    for f in sorted(failures, key=lambda f: f.command.out_start, reverse=True):
        if not f.actual and f.why not in ("the output differs", "the file differs"):
            continue
        real = names.shown_text("\n".join(f.actual)).split("\n") if f.actual else []
        lines[f.command.out_start:f.command.out_end] = [f.command.indent + ln if ln else ln for ln in refreshed(f.command.expected, real)]
    page.path.write_text("\n".join(lines), encoding="utf-8")


def refreshed(expected: list[str], real: list[str]) -> list[str]:
    """What a refresh writes: ``real``, shortened like ``expected`` when that still matches it."""
    if ELLIPSIS in expected:
        cut = shortened(expected, real)
        if Names().match(cut, real):
            return cut
    return real


def shortened(expected: list[str], actual: list[str]) -> list[str]:
    """``actual`` cut like ``expected``: its runs of lines kept where they fit best, ``...`` between."""
    runs: list[list[str]] = [[]]
    for line in expected:
        if line == ELLIPSIS:
            runs.append([])
        else:
            runs[-1].append(line)
    out: list[str] = []
    at = 0
    for i, run in enumerate(runs):
        rest = sum(len(r) for r in runs[i + 1:])
        if i == 0:
            starts = [0]  # no dots before the first run: it starts the output
        elif i == len(runs) - 1:
            starts = [max(at, len(actual) - len(run))]  # no dots after the last: it ends it
        else:
            starts = list(range(at, max(at, len(actual) - rest - len(run)) + 1))
        best = max(starts, key=lambda p: (_likeness(run, actual[p:p + len(run)]), -p))
        if i > 0:
            out.append(ELLIPSIS)
        out.extend(actual[best:best + len(run)])
        at = best + len(run)
    return out


def _likeness(shown: list[str], real: list[str]) -> float:
    from difflib import SequenceMatcher

    return sum(SequenceMatcher(None, a, b).ratio() for a, b in zip(shown, real))


def report(page: Page, failures: list[Failure]) -> str:
    parts = []
    for f in failures:
        parts.append(
            f"{page.path.name}:{f.command.line + 1}: $ {f.command.text}\n  {f.why}\n"
            + "  shown:\n" + "".join(f"    {ln}\n" for ln in f.command.expected)
            + "  got:\n" + "".join(f"    {ln}\n" for ln in f.actual)
        )
    return "\n".join(parts)
