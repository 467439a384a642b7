"""Every example in the README and docs/ runs as shown, and every command is documented.

How the examples are written and how to refresh their output after a change
of behaviour: docs/development.md, "Tested examples".
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from lpsectl.cli import cli
from tests.docs.markdown_examples import UPDATE_VAR, Command, parse, report, run_page

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_pages_are_there():
    assert (ROOT / "README.md") in PAGES and len(PAGES) > 5


@pytest.mark.parametrize("page_path", [p for p in PAGES if parse(p).steps or parse(p).problems], ids=_id)
def test_examples_run_as_shown(page_path, tmp_path, lpsectl_cmd):
    home = tmp_path / "home"
    home.mkdir()
    page = parse(page_path)
    assert not page.problems, f"{_id(page_path)}: {page.problems}"
    failures = run_page(page, home, lpsectl_cmd)
    if os.environ.get(UPDATE_VAR) == "1":
        hint = f"\nThe real output is now written into {_id(page_path)}: review `git diff`, then run again without {UPDATE_VAR}."
    else:
        hint = f"\n(set {UPDATE_VAR}=1 to write the real output into the page, then review the diff)"
    assert not failures, report(page, failures) + hint


@pytest.mark.parametrize("page_path", PAGES, ids=_id)
def test_no_session_is_shown_outside_a_tested_block(page_path):
    # A `$ command` with its output in any other block would go untested.
    page = parse(page_path)
    shown = [(line, info) for line, info, body in page.other_blocks if any(b.startswith("$ ") for b in body)]
    assert not shown, f"{_id(page_path)}: make these ```console blocks: {shown}"


def _run_commands() -> set[str]:
    names = set()
    for path in PAGES:
        for step in parse(path).steps:
            if isinstance(step, Command) and step.text.startswith("lpsectl "):
                words = [w for w in step.text.split()[1:]]
                # Skip global options (and the values of those that take one).
                i = 0
                while i < len(words) and words[i].startswith("-"):
                    i += 1 if words[i] in ("-h", "--help", "-V", "--version") or "=" in words[i] else 2
                if i < len(words):
                    names.add(words[i])
    return names


# Commands shown in the docs but not run by them, and why.
NOT_RUN = {
    "demo": "it builds ten tickets dated today in a temporary folder; its output is long and of today",
}


def test_every_command_has_a_tested_example():
    visible = {name for name, cmd in cli.commands.items() if not cmd.hidden}
    missing = sorted(visible - _run_commands() - set(NOT_RUN))
    assert not missing, f"commands with no tested example in README.md or docs/: {missing}"


def test_every_command_not_run_is_still_documented():
    text = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)
    for name in NOT_RUN:
        assert name in cli.commands
        assert re.search(rf"lpsectl {re.escape(name)}\b", text), f"lpsectl {name} is documented nowhere"


def _alias_table() -> dict[str, dict[str, set[str]]]:
    """The table of values and accepted words in docs/desk.md: what -> value -> words."""
    text = (ROOT / "docs" / "desk.md").read_text(encoding="utf-8")
    rows = text.split("| what | value | also accepted | where |", 1)[1].split("\n\n", 1)[0]
    table: dict[str, dict[str, set[str]]] = {}
    what = ""
    for row in rows.strip().split("\n")[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        what = cells[0] or what
        value = re.findall(r"`([^`]+)`", cells[1])[0]
        table.setdefault(what, {})[value] = set(re.findall(r"`([^`]+)`", cells[2]))
    return table


def test_every_value_and_every_word_accepted_for_it_is_in_the_table():
    from lpsectl import model

    vocabularies = [v for v in vars(model).values() if isinstance(v, model.Vocabulary)]
    code = {}
    for v in vocabularies:
        words: dict[str, set[str]] = {value: set() for value in v.values}
        for word, value in v._lookup.items():
            if word != value:
                words[value].add(word)
        code[v.what] = words
    assert _alias_table() == code


def test_every_word_in_the_table_is_accepted():
    from lpsectl import model

    by_what = {v.what: v for v in vars(model).values() if isinstance(v, model.Vocabulary)}
    for what, values in _alias_table().items():
        for value, words in values.items():
            for word in words | {value}:
                assert by_what[what].parse(word.upper()) == value


# Pages other engineers write; linked from the index before they land.
WRITTEN_ELSEWHERE = {"docs/guarantees.md"}
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings."""
    out = set()
    for line in page.read_text(encoding="utf-8").split("\n"):
        m = re.match(r"#{1,6} (.*)", line)
        if m:
            out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


@pytest.mark.parametrize("page_path", PAGES, ids=_id)
def test_every_link_between_the_pages_leads_somewhere(page_path):
    broken = []
    for target in _LINK.findall(page_path.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        file_part, _, anchor = target.partition("#")
        dest = (page_path.parent / file_part).resolve() if file_part else page_path
        if str(dest.relative_to(ROOT)) in WRITTEN_ELSEWHERE and not dest.exists():
            continue
        if not dest.exists() or (anchor and anchor not in _anchors(dest)):
            broken.append(target)
    assert not broken, f"{_id(page_path)}: broken links {broken}"
