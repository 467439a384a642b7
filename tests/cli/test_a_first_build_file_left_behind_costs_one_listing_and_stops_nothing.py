"""A file a killed first build left is looked for by one listing of .lpsectl, and never stops a command.

What cannot be opened or removed (another user's file, a folder without
write permission) stays, and the command answers as without it. (The tests
run as root in CI, where permissions do not refuse: the refusals are made.)
"""

from __future__ import annotations

import json
import os

import pytest

from lpsectl import index, lifetime
from lpsectl.index import INDEX_NAME, Index
from lpsectl.store import Helpdesk

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def left_by_a_dead_build(home) -> str:
    """A build file of this host whose lock no process holds, as a killed build leaves it."""
    path = home / ".lpsectl" / f"{INDEX_NAME.name}{index.BUILDING}{lifetime.host_tag()}-999999-0badf00d"
    path.write_bytes(b"SQLite format 3\0" + bytes(4080))
    return str(path)


def ids(run, **kw) -> list[str]:
    return [row["id"] for row in json.loads(run.ok("list", "--all", "--json", **kw))]


@pytest.mark.parametrize("refused", ["unlink", "open"])
def test_a_build_file_that_cannot_be_removed_stays_and_the_listing_answers_as_without_it(run, monkeypatch, refused):
    for i in range(3):
        run.new(*PHONE, "-s", f"Tiket {i}", "--at", f"2026-08-1{i}T09:00")
    expected = ids(run, env={"LPSECTL_NO_INDEX": "1"})
    ids(run)  # the index in place
    left = left_by_a_dead_build(run.home)
    real = getattr(os, refused)

    def refuse(path, *a, **k):
        if os.fspath(path) == left:
            raise PermissionError(13, "Permission denied", left)
        return real(path, *a, **k)

    monkeypatch.setattr(os, refused, refuse)
    assert ids(run) == expected
    assert os.path.exists(left)
    monkeypatch.setattr(os, refused, real)
    assert ids(run) == expected  # allowed again: removed at the next open
    assert not os.path.exists(left)


def test_opening_the_index_looks_at_its_folder_once(run, monkeypatch):
    run.new(*PHONE, "-s", "Tiket", "--at", "2026-08-13T09:00")
    ids(run)
    folder = os.fspath(run.home / ".lpsectl")
    looks: list[str] = []
    real_listdir, real_scandir = os.listdir, os.scandir

    def listdir(path="."):
        looks.append(os.fspath(path))
        return real_listdir(path)

    def scandir(path="."):
        looks.append(os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(os, "scandir", scandir)
    ix = Index(Helpdesk(run.home))
    ix.close()
    assert looks.count(folder) <= 1
    left = left_by_a_dead_build(run.home)
    looks.clear()
    ix = Index(Helpdesk(run.home))
    ix.close()
    assert looks.count(folder) <= 1
    assert not os.path.exists(left)  # found by that one look, and removed
