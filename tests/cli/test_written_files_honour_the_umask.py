"""Files lpsectl writes get the permissions the umask gives, as with any program (not 0600)."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from lpsectl.cli import cli
from tests.conftest import ticket_file

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")


@pytest.fixture
def umask():
    """umask(value) sets the process umask for this test; the old one comes back after."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda value: os.umask(value)
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask,expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_init_report_and_ticket_files_follow_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    home = tmp_path / "desk"
    runner = CliRunner()
    assert runner.invoke(cli, ["--operator", "Rina", "init", str(home)]).exit_code == 0
    assert mode(home / "lpsectl.yaml") == expected
    result = runner.invoke(cli, ["--home", str(home), "--operator", "Rina", "new", "-q", "-c", "kotak-saran",
                                 "-s", "x", "--at", "2025-01-06T09:00"])
    assert result.exit_code == 0, result.stderr
    assert mode(ticket_file(home, result.stdout.strip())) == expected
    out = tmp_path / "rekap.html"
    result = runner.invoke(cli, ["--home", str(home), "report", "--month", "2025-01", "--public", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert mode(out) == expected


def test_rewriting_a_file_keeps_the_permissions_it_was_given(tmp_path, umask):
    from lpsectl.store import atomic_write

    umask(0o022)
    path = tmp_path / "f.txt"
    path.write_text("a")
    os.chmod(path, 0o640)
    atomic_write(path, b"b")
    assert path.read_bytes() == b"b" and mode(path) == 0o640
