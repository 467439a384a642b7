"""Fixtures of the CLI tests: an import killed while it moves its files into tickets/."""

from __future__ import annotations

import json
import os
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from lpsectl.intake import staging
from lpsectl.store import Helpdesk
from tests.conftest import Run


@dataclass
class KillImport:
    """Runs an import in ``run``'s helpdesk that dies part-way, leaving everything as a kill -9 would."""

    run: Run
    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch

    def csv(self, rows: int = 20, moves: int = 10) -> tuple[Path, list[str]]:
        """An import of ``rows`` slips of August 2025 killed after ``moves`` files: (the CSV, its files)."""
        csv = self.tmp_path / "rekap.csv"
        csv.write_text("channel,created_at,subject\n"
                       + "".join(f"suggestion-box,2025-08-{d:02d},saran {d}\n" for d in range(1, rows + 1)))
        # The month's folder is there, so its files move in one by one (a new
        # month's folder moves in whole, in one rename).
        (self.run.home / "tickets" / "2025" / "08").mkdir(parents=True, exist_ok=True)
        self._killed("import", csv, moves)
        entries = self.journal()
        assert sum((self.run.home / rel).exists() for rel in entries) == moves
        return csv, entries

    def reply(self, tid: str) -> Path:
        """A reply mail to ``tid`` ("Akun terkunci", from budi@example.test) killed with its new version in place."""
        reply = self.tmp_path / "reply.eml"
        reply.write_text(f"From: budi@example.test\nSubject: Re: [{tid}] Akun terkunci\n"
                         "Date: Thu, 13 Aug 2026 10:00:00 +0700\nMessage-ID: <r1@example.test>\n\nSudah bisa?\n")
        self._killed("import-mail", reply, 1)  # the import never got to its marker
        return reply

    def journal(self) -> list[str]:
        """The files (from the helpdesk folder) the killed import's journal lists."""
        (folder,) = list((self.run.home / ".lpsectl").glob("import-*"))
        return [rel for rel, _ in json.loads((folder / "journal.json").read_text())["entries"]]

    @contextmanager
    def still_at_work(self) -> Iterator[None]:
        """The helpdesk lock held by a live lpsectl meanwhile, as the import would hold it."""
        lock = Helpdesk(self.run.home).lock_path()
        lock.write_text(f"{os.getpid()} {socket.gethostname()} {time.time():.0f}\n")
        try:
            yield
        finally:
            lock.unlink()

    def _killed(self, command: str, source: Path, moves: int) -> None:
        real = os.replace
        done: list[str] = []

        def replace(src, dst):
            if os.path.basename(dst) == staging.MOVED:
                raise KeyboardInterrupt  # every file moved, killed before the marker
            if {".lpsectl", "files"} <= set(Path(src).parts):  # a staged file moving in (os is shared)
                if len(done) == moves:
                    raise KeyboardInterrupt
                done.append(dst)
            return real(src, dst)

        with self.monkeypatch.context() as m:
            m.setattr(staging.os, "replace", replace)
            m.setattr(staging.Staging, "rollback", lambda self: None)
            m.setattr(staging.Staging, "discard", lambda self: None)
            assert self.run(command, str(source)).exit_code != 0


@pytest.fixture
def kill_import(run, tmp_path, monkeypatch) -> KillImport:
    return KillImport(run, tmp_path, monkeypatch)
