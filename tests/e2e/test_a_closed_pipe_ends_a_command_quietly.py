"""`lpsectl list | head`: a reader that stops early ends the command quietly, with status 0.

The reader of a pipe may close it before the command has written all it
has (`head`, `grep -q`, a pager quit early). Writing then fails with EPIPE:
the command stops writing, says nothing on stderr (no traceback, no
"Exception ignored" from the interpreter's last flush) and exits 0, as the
answer it was asked for was given as far as it was wanted. Each command
runs through the installed `lpsectl` with its stdout a pipe whose reading
end is closed before it starts, so its first write fails, whatever its size.
"""

from __future__ import annotations

import os
import subprocess

import pytest


@pytest.fixture
def desk(run):
    tid = run.new("-c", "telepon", "--name", "Budi", "--phone", "0752 92317", "-s", "Lupa password", "-m", "Tidak bisa masuk", "--at", "2026-08-13T09:00")
    run.new("-c", "kotak-saran", "-s", "Ruang tunggu panas", "--at", "2026-08-14T10:00")
    run("list")  # the index built
    return tid


def into_closed_pipe(lpsectl_cmd, home, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """(exit status, stderr) of ``args`` writing into a pipe nobody reads any more."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([*lpsectl_cmd, *args], cwd=home, env=dict(os.environ, **env), stdout=write_end,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120)
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


@pytest.mark.parametrize("args", [
    ["list"],
    ["list", "--json"],
    ["list", "--csv"],
    ["today", "--json"],
    ["report", "--year", "2026", "--format", "json"],
    ["show", "{id}"],
    ["show", "{id}", "--json"],
    ["--help"],
    ["list", "--help"],
])
@pytest.mark.parametrize("click_only", ["", "1"])
def test_a_command_whose_reader_is_gone_exits_0_and_says_nothing(desk, run, lpsectl_cmd, args, click_only):
    args = [a.format(id=desk) for a in args]
    code, err = into_closed_pipe(lpsectl_cmd, run.home, args, {"LPSECTL_LANG": "en", "LPSECTL_CLICK_ONLY": click_only})
    assert (code, err) == (0, ""), args
