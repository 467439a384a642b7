"""A real import process killed while moving its files in: no reader sees any of it; `check` rolls it back."""

from __future__ import annotations

import json
import os
import subprocess
import sys

KILLED_MIDWAY = """
import os, sys
from lpsectl.intake import staging
real, moved = os.replace, []
def replace(src, dst):
    if "files" in str(src):
        if len(moved) == 10:
            os._exit(137)  # as kill -9 would: no rollback, the lock left behind
        moved.append(dst)
    return real(src, dst)
staging.os.replace = replace
from lpsectl.cli import cli
cli.main(["--home", sys.argv[1], "--operator", "Rina", "import", sys.argv[2]])
"""


def test_readers_never_see_an_import_killed_while_moving_in(run, tmp_path, lpsectl_cmd):
    existing = run.new("-c", "kotak-saran", "-m", "Lama")
    csv = tmp_path / "rekap.csv"
    csv.write_text("channel,created_at,subject\n"
                   + "".join(f"suggestion-box,2025-08-{d:02d},saran {d}\n" for d in range(1, 21)))
    # The month's folder is there, so its files move in one by one (a new month's moves in whole).
    (run.home / "tickets" / "2025" / "08").mkdir(parents=True)
    killed = subprocess.run([sys.executable, "-c", KILLED_MIDWAY, str(run.home), str(csv)],
                            capture_output=True, text=True)
    assert killed.returncode == 137, killed.stderr
    assert len(list(run.home.glob("tickets/2025/08/*.yaml"))) == 10  # half of it is in tickets/

    def lpsectl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*lpsectl_cmd, "--home", str(run.home), *args], capture_output=True, text=True,
                              env={**os.environ, "CI": "true"})

    listed = lpsectl("list", "--all", "--json")
    assert listed.returncode == 0 and [t["id"] for t in json.loads(listed.stdout)] == [existing]
    report = lpsectl("report", "--year", "2025", "--format", "json")
    assert report.returncode == 0 and json.loads(report.stdout)["total"] == 0
    check = lpsectl("check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "import 20 tickets from rekap.csv" in check.stderr and "rolled back now" in check.stderr
    assert list(run.home.glob("tickets/2025/08/*.yaml")) == []
    assert lpsectl("check").returncode == 0
