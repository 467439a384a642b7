"""git's early look (before click) and the helpdesk find the same helpdesk folder, or both none."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import pytest

from lpsectl import gitlook
from lpsectl.errors import NotFound
from lpsectl.store import find_home


def _found_by_both(start: Path, explicit: Optional[str], monkeypatch: pytest.MonkeyPatch) -> tuple:
    monkeypatch.chdir(start)
    early = gitlook.helpdesk_folder(explicit)
    try:
        late: Optional[str] = str(find_home(Path.cwd(), explicit))
    except NotFound:
        late = None
    return early, late


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    root = tmp_path / "desk"
    (root / "tickets" / "2026" / "05").mkdir(parents=True)
    (root / "lpsectl.yaml").write_text("office: {}\n", encoding="utf-8")
    return root


def test_from_a_folder_deep_inside_both_find_the_helpdesk(desk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    early, late = _found_by_both(desk / "tickets" / "2026" / "05", None, monkeypatch)
    assert early == late == os.path.realpath(desk)


def test_through_a_symlinked_folder_both_find_its_real_path(desk: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "link").symlink_to(desk)
    early, late = _found_by_both(tmp_path / "link" / "tickets", None, monkeypatch)
    assert early == late == os.path.realpath(desk)


def test_a_home_given_by_name_is_found_from_anywhere(desk: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    early, late = _found_by_both(tmp_path, str(desk), monkeypatch)
    assert early == late == os.path.realpath(desk)


def test_a_home_under_the_home_folder_is_expanded(desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    early, late = _found_by_both(tmp_path, "~/desk", monkeypatch)
    assert early == late == os.path.realpath(desk)


def test_a_given_home_that_is_no_helpdesk_is_found_by_neither(desk: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Not the helpdesk above it either: a home given by name is that folder or nothing.
    assert _found_by_both(desk, str(desk / "tickets"), monkeypatch) == (None, None)


def test_outside_any_helpdesk_neither_finds_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elsewhere").mkdir()
    assert _found_by_both(tmp_path / "elsewhere", None, monkeypatch) == (None, None)
