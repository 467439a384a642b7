"""What `sync` lets in and out: no damaged ticket leaves a desk, no symlink reaches one."""

from __future__ import annotations

import os

import pytest

from tests.conftest import git
from tests.e2e.test_sync import desks, remote  # noqa: F401  (fixtures)

posix_only = pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")


def remote_head(remote) -> str:  # noqa: F811
    return git(remote, "rev-parse", "refs/heads/main").strip()


def break_by_hand(desk, tid: str) -> str:
    path = next((desk.root / "tickets").rglob(f"{tid}.yaml"))
    path.write_text(path.read_text().replace("status: open", "status: [rusak"))
    desk.git("commit", "-q", "-am", "edited by hand")
    return path.relative_to(desk.root).as_posix()


def test_sync_refuses_to_push_a_ticket_broken_by_hand_on_this_desk(desks, remote):  # noqa: F811
    a, b, _ = desks
    tid = a.new("x")
    a.sync()
    b.sync()
    rel = break_by_hand(a, tid)
    before = remote_head(remote)

    result = a("sync")
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("Error: ") and f"{rel}:7: invalid YAML" in errors[0], errors
    assert "this desk's file: nothing was pushed" in errors[0] and "came in" not in errors[0]
    assert remote_head(remote) == before

    other = b("sync")
    assert other.exit_code == 0 and "Error" not in other.stderr
    assert b("check").exit_code == 0


def test_damage_made_here_and_merged_with_the_other_desks_change_is_not_said_to_come_in(desks, remote):  # noqa: F811
    a, b, _ = desks
    tid = a.new("x")
    a.sync()
    b.sync()
    b.ok("note", tid, "-m", "dari B")
    b.sync()
    rel = break_by_hand(a, tid)
    before = remote_head(remote)

    result = a("sync")
    assert result.exit_code == 1
    assert f"{rel}:" in result.stderr and "this desk's file" in result.stderr
    assert "came in" not in result.stderr
    assert remote_head(remote) == before


def test_a_healthy_sync_after_the_repair_pushes_again(desks, remote):  # noqa: F811
    a, b, _ = desks
    tid = a.new("x")
    a.sync()
    break_by_hand(a, tid)
    assert a("sync").exit_code == 1
    a.git("revert", "--no-edit", "HEAD")
    a.ok("note", tid, "-m", "diperbaiki")
    assert a("sync").exit_code == 0
    b.sync()
    assert "diperbaiki" in next((b.root / "tickets").rglob(f"{tid}.yaml")).read_text()


@posix_only
def test_sync_refuses_to_push_a_symlink_committed_on_this_desk(desks, remote):  # noqa: F811
    a = desks[0]
    tid = a.new("x")
    a.sync()
    folder = next((a.root / "tickets").rglob(f"{tid}.yaml")).parent
    link = folder / f"{tid[:5]}ZZZZZZ.yaml"
    os.symlink("/dev/zero", link)
    a.git("add", str(link))
    a.git("commit", "-q", "-m", "a link")
    before = remote_head(remote)

    result = a("sync")
    assert result.exit_code == 1
    assert "not a regular file (a symbolic link)" in result.stderr
    assert link.name in result.stderr and "nothing was pushed" in result.stderr
    assert remote_head(remote) == before


@posix_only
def test_sync_refuses_to_bring_in_a_symlink_another_desk_pushed(desks, remote, tmp_path):  # noqa: F811
    a, b, _ = desks
    tid = a.new("x")
    a.sync()
    b.sync()
    # A desk with an older lpsectl (or plain git) pushes a symlink named like a ticket.
    rogue = tmp_path / "rogue"
    git(tmp_path, "clone", "-q", str(remote), str(rogue))
    folder = next((rogue / "tickets").rglob(f"{tid}.yaml")).parent
    link = folder / f"{tid[:5]}ZZZZZZ.yaml"
    os.symlink("/dev/zero", link)
    git(rogue, "add", str(link))
    git(rogue, "commit", "-q", "-m", "a link")
    git(rogue, "push", "-q", "origin", "HEAD:main")
    head = b.git("rev-parse", "HEAD")

    result = b("sync")
    assert result.exit_code == 1
    rel = link.relative_to(rogue).as_posix()
    assert f"{rel} (a symbolic link): not a regular file" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert b.git("rev-parse", "HEAD") == head
    assert not os.path.lexists(b.root / rel)
    assert b("check").exit_code == 0
