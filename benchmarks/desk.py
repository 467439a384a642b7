"""Speed of the desk commands on a large helpdesk.

    python benchmarks/desk.py [N]        # default 100000 tickets

Builds a helpdesk of N tickets in a temporary folder (written straight
through ticketfile, one git commit), then times the installed `lpsectl`
commands a desk runs all day. Prints one line per command: the median
wall time of a few runs.
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from lpsectl import ticketfile
from lpsectl.clock import zone
from lpsectl.model import Event, Reporter, Ticket
from lpsectl.store import ALPHABET, Helpdesk, atomic_write

WIB = zone("Asia/Jakarta")


def build(root: Path, n: int) -> list[str]:
    subprocess.run([sys.executable, "-m", "lpsectl", "--operator", "bench", "init", str(root)],
                   check=True, stdout=subprocess.DEVNULL)
    hd = Helpdesk(root)
    rnd = random.Random(7)
    start = datetime(2022, 1, 3, 8, 0, tzinfo=WIB)
    ids = []
    seen = set()
    for i in range(n):
        created = start + timedelta(minutes=rnd.randrange(0, 60 * 24 * 365 * 4))
        while True:
            tid = f"{created:%y%m}-" + "".join(rnd.choice(ALPHABET) for _ in range(6))
            if tid not in seen:
                seen.add(tid)
                break
        t = Ticket(id=tid, channel="phone", kind="question", created_at=created,
                   subject=f"Tidak bisa login {i}", reporter=Reporter(name=f"Vendor {i}", phone=f"0752 {i:06d}"))
        t.history.append(Event(at=created, action="open", by="bench", tier="helpdesk"))
        if i % 3:
            t.history.append(Event(at=created + timedelta(hours=2), action="answer", by="bench",
                                   tier="helpdesk", message="Sudah dijawab"))
        if i % 3 == 2:
            t.history.append(Event(at=created + timedelta(days=1), action="close", by="bench",
                                   tier="helpdesk", fields={"resolution": "answered"}))
        atomic_write(hd.path_for(tid), ticketfile.dumps(t).encode())
        ids.append(tid)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "bench tickets"], cwd=root, check=True)
    return ids


def timed(cmd: list[str], cwd: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    exe = shutil.which("lpsectl") or "lpsectl"
    root = Path(tempfile.mkdtemp(prefix="lpsectl-bench-"))
    t0 = time.perf_counter()
    ids = build(root, n)
    print(f"built {n} tickets in {time.perf_counter() - t0:.1f} s ({root})")
    some = ids[n // 2]
    env_cmds = [
        ("--help", [exe, "--help"]),
        ("show ID", [exe, "show", some]),
        ("show PREFIX", [exe, "show", some[5:10]]),
        ("new", [exe, "--operator", "bench", "new", "-q", "-c", "kotak-saran", "-s", "x"]),
        ("note ID", [exe, "--operator", "bench", "note", some, "-m", "n"]),
        ("list", [exe, "list"]),
        ("list --overdue", [exe, "list", "--overdue"]),
        ("check", [exe, "check"]),
    ]
    for name, cmd in env_cmds:
        runs = 1 if name in ("list", "list --overdue", "check") and n > 20_000 else 3
        print(f"{name:<16} {timed(cmd, root, runs):8.2f} s")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
