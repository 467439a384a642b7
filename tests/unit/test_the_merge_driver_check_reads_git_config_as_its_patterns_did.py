"""Every command checks the merge driver in .git/config without a regular expression, and reads what its patterns read.

The patterns it used (``^\\[\\s*merge\\s+"lpsectl"\\s*\\]`` for the section,
``re.sub(r'([$`"\\\\])', r"\\\\\\1", ...)`` for the shell quoting) are the
oracle here.
"""

from __future__ import annotations

import re

import pytest

from lpsectl import mergedriver

HEADERS = [
    '[merge "lpsectl"]', '[ merge  "lpsectl" ]', '[merge\t"lpsectl"]\t# ours', '[merge "lpsectl"] x',
    '[merge"lpsectl"]', '[merge "lpsectl" x]', '[merge "lpsectl"', '[merge "other"]', '[merge]', '[core]',
    '[Merge "lpsectl"]', '[merge "LPSECTL"]', '[merge "lp]sectl"]', '[]', '[', '[ ]', '[merge "lpsectl"]]',
    '[merge \'lpsectl\']', '[merge lpsectl]', '[ merge "lpsectl"]',
]


@pytest.mark.parametrize("header", HEADERS)
def test_a_section_header_names_our_driver_as_the_pattern_said(header: str) -> None:
    said = re.match(r'^\[\s*merge\s+"lpsectl"\s*\]', header) is not None
    assert mergedriver._names_our_driver(header) is said
    config = f"[core]\n\tbare = false\n{header}\n\tdriver = lpsectl-driver %O\n"
    assert mergedriver.installed_driver(config) == ("lpsectl-driver %O" if said else None)


@pytest.mark.parametrize("path", ["/usr/bin/python3", "/v env/bin/python", 'C:\\Py "3"\\python.exe', "/a/$HOME/`x`/py"])
def test_an_interpreter_path_is_quoted_for_sh_as_the_pattern_quoted_it(path: str) -> None:
    assert mergedriver._sh_quote(path) == '"' + re.sub(r'([$`"\\])', r"\\\1", path) + '"'
