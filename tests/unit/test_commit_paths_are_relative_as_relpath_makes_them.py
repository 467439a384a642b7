"""The paths a commit names are those ``os.path.relpath`` gives, however they are spelt.

An import commits 100,000 paths below the helpdesk: they are cut from the
root by string work (relpath costs seconds there), and any path that is not
plainly below the root still goes through relpath.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lpsectl.gitrepo import GitRepo

SPELLINGS = [
    "{root}/tickets/2025/03/2503-225CJG.yaml",
    "{root}/tickets/2025/03/",
    "{root}//tickets/2025/03/x.yaml",
    "{root}/tickets/./2025/x.yaml",
    "{root}/tickets/../tickets/x.yaml",
    "{root}/../elsewhere/x.yaml",
    "{root}/.lpsectl/x",
    "{root}/tickets/.hidden.yaml",
    "{root}",
    "{root}/",
    "{root}x/tickets/y.yaml",
    "tickets/2025/03/relative.yaml",
    "./tickets/x.yaml",
    "../x.yaml",
]


def test_every_spelling_of_a_path_is_taken_relative_as_relpath_takes_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for root in (tmp_path / "helpdesk", Path("helpdesk"), tmp_path / "helpdesk" / ".." / "helpdesk"):
        repo = GitRepo(root)
        paths = [s.format(root=root) for s in SPELLINGS]
        assert repo._relative(paths) == [os.path.relpath(p, root) for p in paths]
        assert repo._relative([Path(p) for p in paths]) == [os.path.relpath(Path(p), root) for p in paths]


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(["tickets", "2025", ".", "..", "", ".x", "a b", "x.yaml", "/"]), max_size=6))
def test_any_path_below_the_root_is_taken_relative_as_relpath_takes_it(parts):
    root = "/srv/helpdesk"
    path = root + "/" + "/".join(parts)
    assert GitRepo(Path(root))._relative([path]) == [os.path.relpath(path, root)]
