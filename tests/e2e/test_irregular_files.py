"""Only regular files are tickets or attachments: symlinks, FIFOs and huge files are damage, never read."""

from __future__ import annotations

import os
import json
import subprocess

import pytest

from tests.conftest import git, ticket_file

posix_only = pytest.mark.skipif(os.name == "nt" or not hasattr(os, "mkfifo"), reason="symlinks to /dev/zero and FIFOs are POSIX")

# Guards, not timings: a reader that follows /dev/zero dies of MemoryError
# under this limit instead of taking the machine, and one that waits on a
# FIFO is stopped instead of hanging the suite.
MEMORY_LIMIT = 1 << 30
GUARD_SECONDS = 120


def lpsectl(lpsectl_cmd: list[str], home, *args: str) -> subprocess.CompletedProcess:
    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run([*lpsectl_cmd, "--home", str(home), *args], capture_output=True, text=True,
                          timeout=GUARD_SECONDS, preexec_fn=limit_memory, env={**os.environ, "CI": "true"})


def beside(run):
    """A real ticket, and a path beside it named like another ticket of its month."""
    tid = run.new("-c", "kotak-saran", "-m", "Saran")
    return ticket_file(run.home, tid).parent / f"{tid[:5]}ZZZZZZ.yaml", tid


@posix_only
@pytest.mark.parametrize("make", ["symlink to /dev/zero", "fifo"])
def test_a_symlink_or_fifo_named_like_a_ticket_is_damage_that_no_reader_reads(run, lpsectl_cmd, make):
    path, tid = beside(run)
    if make == "fifo":
        os.mkfifo(path)
        kind = "FIFO"
    else:
        os.symlink("/dev/zero", path)
        kind = "symbolic link"
    rel = path.relative_to(run.home).as_posix()

    check = lpsectl(lpsectl_cmd, run.home, "check")
    assert check.returncode == 1, check.stderr
    assert f"{rel}:1: not a regular file (a {kind})" in check.stdout
    assert "Traceback" not in check.stderr and "internal error" not in check.stderr

    listing = lpsectl(lpsectl_cmd, run.home, "list", "--json")
    assert listing.returncode == 1, listing.stderr
    assert [t["id"] for t in json.loads(listing.stdout)] == [tid]
    assert rel in listing.stderr and "not a regular file" in listing.stderr

    show = lpsectl(lpsectl_cmd, run.home, "show", path.stem)
    assert show.returncode == 1 and show.stderr.startswith("Error: ") and "not a regular file" in show.stderr

    report = lpsectl(lpsectl_cmd, run.home, "report", "--format", "json")
    assert report.returncode == 1, report.stderr
    assert rel in report.stderr and "MemoryError" not in report.stderr


@posix_only
def test_a_symlink_or_fifo_in_an_attachment_folder_is_named_by_check(run):
    tid = run.new("-c", "kotak-saran", "-m", "Saran")
    folder = ticket_file(run.home, tid).parent / "attachments" / tid
    folder.mkdir(parents=True)
    (folder / "scan.pdf").write_bytes(b"%PDF")
    os.symlink("/etc/passwd", folder / "passwd.txt")
    os.mkfifo(folder / "pipe.pdf")
    result = run("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any("passwd.txt:1: not a regular file (a symbolic link)" in ln for ln in lines), lines
    assert any("pipe.pdf:1: not a regular file (a FIFO)" in ln for ln in lines), lines
    assert not any("scan.pdf" in ln for ln in lines)


@posix_only
def test_a_symlinked_month_folder_is_named_by_check_not_silently_skipped(run, tmp_path):
    run.new("-c", "kotak-saran", "-m", "Saran")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, run.home / "tickets" / "2025")
    result = run("check")
    assert result.exit_code == 1
    assert "tickets/2025:1: not a regular file (a symbolic link)" in result.stdout


def test_a_ticket_file_larger_than_any_ticket_is_damage_and_not_read(run, monkeypatch):
    from lpsectl import store

    tid = run.new("-c", "kotak-saran", "-m", "Saran")
    path = ticket_file(run.home, tid)
    monkeypatch.setattr(store, "MAX_TICKET_BYTES", path.stat().st_size + 10)
    with open(path, "a", encoding="utf-8") as f:
        f.write("# " + "x" * 100 + "\n")
    result = run("check")
    assert result.exit_code == 1
    assert "larger than any ticket" in result.stdout
    show = run("show", tid)
    assert show.exit_code == 1 and "larger than any ticket" in show.stderr


@posix_only
def test_a_symlink_that_appears_after_the_index_was_built_is_not_followed(run, lpsectl_cmd):
    path, tid = beside(run)
    first = lpsectl(lpsectl_cmd, run.home, "list", "--json")  # builds the index
    assert first.returncode == 0 and [t["id"] for t in json.loads(first.stdout)] == [tid]
    os.symlink("/dev/zero", path)  # git status names it; the index must not read through it
    rel = path.relative_to(run.home).as_posix()
    for _ in range(2):  # the index's update, then what it kept
        listing = lpsectl(lpsectl_cmd, run.home, "list", "--json")
        assert listing.returncode == 1, listing.stderr
        assert [t["id"] for t in json.loads(listing.stdout)] == [tid]
        assert rel in listing.stderr and "not a regular file (a symbolic link)" in listing.stderr
        assert "MemoryError" not in listing.stderr and "Traceback" not in listing.stderr


def replace_with(path, make: str) -> str:
    """The ticket file ``path`` replaced by a symlink to /dev/zero or a FIFO; the kind check names."""
    path.unlink()
    if make == "fifo":
        os.mkfifo(path)
        return "FIFO"
    os.symlink("/dev/zero", path)
    return "symbolic link"


@posix_only
@pytest.mark.parametrize("make", ["symlink to /dev/zero", "fifo"])
def test_an_action_on_a_ticket_whose_file_became_a_symlink_or_fifo_fails_in_one_line_without_reading_it(
        run, lpsectl_cmd, make):
    """The check of the file against git (before an action) read it whole: /dev/zero for ever, a FIFO never."""
    tid = run.new("-c", "kotak-saran", "-m", "Saran")
    path = ticket_file(run.home, tid)
    commits = git(run.home, "rev-list", "--count", "HEAD")
    kind = replace_with(path, make)
    result = lpsectl(lpsectl_cmd, run.home, "--operator", "Rina", "note", tid, "-m", "catatan")
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and f"not a regular file (a {kind})" in line
    assert path.relative_to(run.home).as_posix() in line
    assert git(run.home, "rev-list", "--count", "HEAD") == commits, "nothing recorded"


@posix_only
@pytest.mark.parametrize("make", ["symlink to /dev/zero", "fifo"])
def test_an_action_killed_after_its_commit_whose_file_then_became_a_symlink_or_fifo_blocks_no_reader(
        run, lpsectl_cmd, make):
    """Completing a killed record compares the file with git: never by reading a symlink or a FIFO."""
    from tests.e2e.test_interrupted_record_heals_itself import KILLED_AFTER_COMMIT, killed

    tid = run.new("-c", "kotak-saran", "-m", "Saran")
    killed(KILLED_AFTER_COMMIT, run.home, "note", tid, "-m", "dicatat, tidak ditulis")
    path = ticket_file(run.home, tid)
    kind = replace_with(path, make)
    rel = path.relative_to(run.home).as_posix()
    check = lpsectl(lpsectl_cmd, run.home, "check")
    assert check.returncode == 1, check.stderr
    assert f"{rel}:1: not a regular file (a {kind})" in check.stdout
    assert "Traceback" not in check.stderr and "internal error" not in check.stderr
    assert "dicatat, tidak ditulis" in git(run.home, "show", f"HEAD:{rel}"), "the recorded event stays in git"
