"""Speed of the desk commands on a large helpdesk.

    python benchmarks/desk.py [N] [--dir DIR]     # default 100000 tickets

Builds a helpdesk of N tickets (written straight through ticketfile, one git
commit), then times the installed `lpsectl` commands a desk runs all day.
Prints one line per command: the median wall time of a few runs.

Without ``--dir`` the helpdesk is built in a temporary folder and removed
afterwards. With ``--dir DIR`` it is built there once and kept, so later
runs (another version of lpsectl, before and after a change) time the very
same tickets; a DIR that already holds a helpdesk is reused as it is.

``list (cold)`` runs with the ticket cache removed (``.lpsectl/cache``): it
is what the first command after a clone or an upgrade costs. Every other
command runs with whatever cache the previous ones left (warm).
"""

from __future__ import annotations

import argparse
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
# The tickets are opened over these four years; the report times one month of them.
FIRST_DAY = datetime(2022, 1, 3, 8, 0, tzinfo=WIB)
REPORT_MONTH = "2024-06"


def build(root: Path, n: int) -> list[str]:
    subprocess.run([sys.executable, "-m", "lpsectl", "--operator", "bench", "init", str(root)],
                   check=True, stdout=subprocess.DEVNULL)
    hd = Helpdesk(root)
    rnd = random.Random(7)
    ids = []
    seen = set()
    for i in range(n):
        created = FIRST_DAY + timedelta(minutes=rnd.randrange(0, 60 * 24 * 365 * 4))
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
    (root / ".lpsectl").mkdir(exist_ok=True)
    (root / ".lpsectl" / "bench-ids").write_text("\n".join(ids) + "\n")
    return ids


def timed(cmd: list[str], cwd: Path, runs: int = 3, before=None) -> float:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=100_000, help="tickets (default 100000)")
    ap.add_argument("--dir", help="build the helpdesk here and keep it; reuse it if it exists")
    args = ap.parse_args()
    n = args.n
    exe = shutil.which("lpsectl") or "lpsectl"
    root = Path(args.dir).resolve() if args.dir else Path(tempfile.mkdtemp(prefix="lpsectl-bench-"))
    marker = root / ".lpsectl" / "bench-ids"
    if marker.is_file():
        ids = marker.read_text().split()
        print(f"reusing {len(ids)} tickets in {root}")
    else:
        t0 = time.perf_counter()
        ids = build(root, n)
        print(f"built {n} tickets in {time.perf_counter() - t0:.1f} s ({root})")
    n = len(ids)
    some = ids[n // 2]
    big = n > 20_000

    def drop_cache() -> None:
        shutil.rmtree(root / ".lpsectl" / "cache", ignore_errors=True)

    cmds = [
        ("--help", [exe, "--help"], None),
        ("show ID", [exe, "show", some], None),
        ("show PREFIX", [exe, "show", some[5:10]], None),
        ("new", [exe, "--operator", "bench", "new", "-q", "-c", "kotak-saran", "-s", "x"], None),
        ("note ID", [exe, "--operator", "bench", "note", some, "-m", "n"], None),
        ("list (cold)", [exe, "list"], drop_cache),
        ("list", [exe, "list"], None),
        ("list --overdue", [exe, "list", "--overdue"], None),
        ("list --search", [exe, "list", "--all", "--search", "Vendor 4242"], None),
        ("report --month", [exe, "report", "--month", REPORT_MONTH, "--format", "json"], None),
        ("check", [exe, "check"], None),
    ]
    for name, cmd, before in cmds:
        runs = 1 if big and (name.startswith(("list", "report", "check"))) else 3
        print(f"{name:<16} {timed(cmd, root, runs, before):8.2f} s", flush=True)
    if not args.dir:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
