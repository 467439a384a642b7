"""`import` and `import-mail` say clearly what they cannot read, and never wait on a pipe."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git

# Only so that a regression hangs one test, not the suite: a run takes a second.
GUARD = 120

fifo_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


@pytest.fixture
def desk(tmp_path, lpsectl_cmd) -> Path:
    home = tmp_path / "desk"
    subprocess.run([*lpsectl_cmd, "--operator", "Rina", "init", str(home)], check=True, capture_output=True)
    return home


def lp(lpsectl_cmd, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*lpsectl_cmd, "--home", str(home), "--operator", "Rina", *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=GUARD, stdin=subprocess.DEVNULL)


def one_error(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    assert "internal error" not in proc.stderr
    return lines[0]


@fifo_only
@pytest.mark.parametrize("command, name", [("import", "rekap.csv"), ("import-mail", "inbox.mbox")])
def test_import_of_a_named_pipe_says_it_is_not_a_regular_file(tmp_path, desk, lpsectl_cmd, command, name):
    pipe = tmp_path / name
    os.mkfifo(pipe)
    proc = lp(lpsectl_cmd, desk, command, str(pipe))
    assert proc.returncode == 2
    line = one_error(proc)
    assert "not a regular file" in line and "no such file" not in line


@fifo_only
def test_a_named_pipe_in_a_maildir_is_skipped_as_not_a_mail_and_the_rest_imported(tmp_path, desk, lpsectl_cmd):
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.eml").write_bytes(
        b"From: Budi <budi@penyedia.id>\r\nSubject: Lupa password\r\nMessage-ID: <1@x>\r\n"
        b"Date: Thu, 13 Aug 2026 09:15:00 +0700\r\n\r\nTolong.\r\n")
    os.mkfifo(maildir / "new" / "2.eml")
    proc = lp(lpsectl_cmd, desk, "import-mail", str(maildir))
    assert proc.returncode == 1, proc.stderr
    assert "not a regular file" in proc.stderr
    assert "1 new ticket" in proc.stderr
    assert git(desk, "log", "-1", "--format=%s").startswith("import-mail: 1 ticket")


@pytest.mark.parametrize("rows, line", [
    ("channel,created_at,subject," + "x" * 140_000 + "\nphone,2025-01-01,a,b\n", 1),  # the header
    ("channel,created_at,subject\nkotak-saran,2025-01-01,ok\nkotak-saran,2025-01-02," + "x" * 140_000 + "\n", 3),
], ids=["header", "cell"])
def test_a_csv_field_longer_than_the_csv_field_limit_is_one_clear_error_naming_its_line(tmp_path, desk, lpsectl_cmd,
                                                                                        rows, line):
    big = tmp_path / "rekap.csv"
    big.write_text(rows)
    proc = lp(lpsectl_cmd, desk, "import", str(big))
    assert proc.returncode == 2
    error = one_error(proc)
    assert f"{big}:{line}" in error and "131072" in error.replace(",", "")
    assert git(desk, "rev-list", "--count", "HEAD").strip() == "1", "nothing imported"
