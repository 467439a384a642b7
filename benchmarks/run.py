"""Speed and memory of every command of issue 10, beside the floors measured in the same run.

    python benchmarks/run.py                        # 1,000, 10,000 and 100,000 tickets
    python benchmarks/run.py --sizes 1000,10000     # while working: quicker
    python benchmarks/run.py --dir /tmp/bench       # keep the helpdesks; a later run reuses them

For each size it builds a helpdesk through ``lpsectl import`` of a generated
CSV (every channel, historic outcomes, Indonesian text, tickets opened from
January 2024 to November 2026), then runs each command as its own process a
few times and prints one table: the median wall time, the peak resident
memory of the process and everything it started (``ru_maxrss`` from
``wait4``), the floor it is compared with, the ratio and the target.

Floors, measured in the same run on the same tickets:

* ``import click``: a Python that imports click and stops (for ``--help``);
* read bytes: a Python that reads every ticket file's bytes;
* CSafeLoader: a Python that parses every ticket file with ``yaml.CSafeLoader``
  (``check`` against it; the first ``list`` in a fresh clone against it
  divided by the cores, the two timed in turn as many times as any command,
  each pair's ratio printed under the table);
* git status of tickets/: the very ``git status`` the index's freshness
  check runs before a reading command answers (``lpsectl.gitlook``), alone;
  the JSON listings are compared with it (the ratio says how many times
  git's look the whole command takes);
* the listing's SQL alone: ``list --status open --json``'s rows as the
  index gives them (``lpsectl.listing.text_from_index``, every chunk read), timed inside a
  Python that has the index open and up to date (CPU seconds);
* start-up: ``list --status open --json`` in a helpdesk of one ticket (the
  fixed part of every listing: Python, click, the core, git's look at one
  file). A JSON listing costs about git's look plus these two;
* with the watcher on (``lpsectl watch on``, docs/speed.md): git's look and
  the JSON listings again, git asking the watcher which files changed;
* git add+commit: a bare ``git add`` and ``git commit`` of one file in the
  same repository (for ``new``, which writes a ticket and commits it);
* ``task list``: Taskwarrior listing 10,000 pending tasks, when ``task`` is
  installed.

Run it from the virtual environment lpsectl is installed in. No test
asserts a duration: the figures live here and in the README.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

CHANNELS = [
    ("telepon", {"name": "Budi Santoso {i}", "phone": "0752 {i:06d}"}),
    ("surel", {"email": "siti{i}@penyedia.co.id", "name": "Siti"}),
    ("portal", {"account": "vendor{i}", "role": "penyedia"}),
    ("datang-langsung", {"name": "Agus", "address": "Jl. Sudirman 1, Payakumbuh", "phone": "0812 3456 789"}),
    ("kotak-saran", {}),
    ("lapor", {"ref": "LAPOR-2024-{i}"}),
    ("wa", {"name": "Dewi", "phone": "+62 812 0000 111"}),
]
SUBJECTS = ["Lupa password akun SPSE", "Gagal unggah dokumen penawaran", "Jadwal pembukaan penawaran",
            "Verifikasi akun penyedia", "Ruang tunggu panas", "Sanggah hasil evaluasi"]
LONG = ("Selamat siang, kami dari CV Maju Jaya mengalami kendala saat mengunggah dokumen penawaran "
        "untuk paket Rehabilitasi Jalan Lingkar Utara.\nPesan galat muncul setelah 90%.\n\nMohon bantuannya.")
COLUMNS = ["channel", "created_at", "kind", "name", "address", "phone", "email", "account", "role",
           "subject", "message", "category", "difficulty", "ref", "tier", "status", "answer",
           "answered_at", "closed_at", "resolution"]
ENV = dict(os.environ, LPSECTL_OPERATOR="Bench", GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="b@example.test",
           GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="b@example.test", LC_ALL="C.UTF-8")
# PYTHONDONTWRITEBYTECODE would make every command compile lpsectl from source
# again (about 0.2 s each): an installed tool runs from its .pyc files.
for _key in ("LPSECTL_NO_INDEX", "LPSECTL_HOME", "PYTHONDONTWRITEBYTECODE"):
    ENV.pop(_key, None)



def _compile_lpsectl() -> None:
    """Byte-compile the installed package once, as pip does for a regular install."""
    import compileall

    import lpsectl

    compileall.compile_dir(str(Path(lpsectl.__file__).parent), quiet=1)


def rows(n: int):
    """N import rows: a third of them in 2026 (January to November), the rest in 2024 and 2025."""
    rnd = random.Random(4)
    for i in range(n):
        channel, who = CHANNELS[i % len(CHANNELS)]
        year = 2024 + i % 3
        month = 1 + (i // 3) % 11
        day = 1 + (i // 33) % 28
        stamp = f"{day:02d}/{month:02d}/{year}"
        row = {c: "" for c in COLUMNS}
        row.update({k: v.format(i=i) for k, v in who.items()})
        row.update(channel=channel, created_at=f"{stamp} 09:{i % 60:02d}",
                   subject=rnd.choice(SUBJECTS), message=LONG if i % 4 == 0 else "Mohon bantuan.",
                   kind=rnd.choice(["pertanyaan", "permasalahan", "masukan", "pengaduan"]),
                   category=rnd.choice(["login", "upload", "jadwal", ""]),
                   difficulty=rnd.choice(["ringan", "sedang", "sedang", "berat"]))
        fate = i % 5
        if fate in (1, 2):
            row.update(answer="Sudah dibantu, silakan dicoba kembali.", answered_at=f"{stamp} 14:00")
        if fate == 2:
            row.update(status="selesai", closed_at=f"{stamp} 15:00")
        if fate == 3:
            row.update(tier="lkpp")
        yield row


def lpsectl() -> list[str]:
    exe = Path(sys.executable).parent / "lpsectl"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "lpsectl"]


def measure(cmd: list[str], cwd: Path, env: Optional[dict[str, str]] = None) -> tuple[float, int, float]:
    """Wall seconds, peak resident KB and CPU seconds (user + system) of ``cmd`` (in ``env``, default ENV).

    Peak memory is the largest of the process and everything it waited for
    (``ru_maxrss`` from ``wait4``); CPU counts them all. On a busy machine
    the CPU seconds say more than the wall time about the command itself.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=ENV if env is None else env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd)} failed (exit {code}) in {cwd}")
    return took, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


# Lines printed under the table (what a median leaves out).
NOTES: list[str] = []


@dataclass
class Line:
    command: str
    size: int
    seconds: float
    peak_mb: float
    cpu: Optional[float] = None
    floor_name: str = ""
    floor: Optional[float] = None
    ratio: Optional[float] = None
    target: str = ""


def timed(cmd: list[str], cwd: Path, runs: int, before: Optional[Callable[[], None]] = None,
          env: Optional[dict[str, str]] = None) -> tuple[float, float, float]:
    """Median wall seconds, largest peak MB and median CPU seconds of ``runs`` runs."""
    times, peaks, cpus = [], [], []
    for _ in range(runs):
        if before is not None:
            before()
        took, peak, cpu = measure(cmd, cwd, env)
        times.append(took)
        peaks.append(peak)
        cpus.append(cpu)
    return statistics.median(times), max(peaks) / 1024, statistics.median(cpus)


FLOOR_READ = """
import os, sys
for d, _, names in os.walk(sys.argv[1]):
    for n in names:
        if n.endswith('.yaml'):
            with open(os.path.join(d, n), 'rb') as f:
                f.read()
"""
FLOOR_PARSE = """
import os, sys, yaml
for d, _, names in os.walk(sys.argv[1]):
    for n in names:
        if n.endswith('.yaml'):
            with open(os.path.join(d, n), 'rb') as f:
                yaml.load(f.read().decode('utf-8'), Loader=yaml.CSafeLoader)
"""

# The rows of ``list --status open --json`` from the index, timed alone: prints the CPU seconds.
FLOOR_SQL = """
import resource, sys
from lpsectl import clock, listing
from lpsectl.app import App, index_here
app = App(sys.argv[1], None, None)
hd = app.helpdesk()
ix = index_here(app)
ix.refresh()
want = listing.Filters(statuses={"open"}, show_all=False, tier=None, channel=None, kind=None, category=None,
                       overdue=False, since=None, until=None, search=None)
ix.begin_read()
now = clock.now(hd.tz)
before = resource.getrusage(resource.RUSAGE_SELF)
found = sum(map(len, listing.text_from_index(hd, ix, want, now).chunks()))  # read as the command reads them
after = resource.getrusage(resource.RUSAGE_SELF)
ix.end_read()
ix.close()
print(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
"""


def sql_floor(root: Path, runs: int) -> float:
    """Median CPU seconds of the listing's SQL alone (:data:`FLOOR_SQL`) in the helpdesk ``root``."""
    took = [float(subprocess.run([sys.executable, "-c", FLOOR_SQL, str(root)], env=ENV, check=True,
                                 capture_output=True, text=True).stdout) for _ in range(runs)]
    return statistics.median(took)


def one_ticket(root: Path) -> Path:
    """A helpdesk of one ticket beside the others (made once), its index built: the start-up floor runs there."""
    home = root.parent / "helpdesk-1"
    if not (home / "lpsectl.yaml").exists():
        subprocess.run([*lpsectl(), "init", str(home)], env=ENV, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*lpsectl(), "new", "-q", "-c", "kotak-saran", "-s", "Bench"], cwd=home, env=ENV, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run([*lpsectl(), "list"], cwd=home, env=ENV, check=True, stdout=subprocess.DEVNULL)
    return home


def git_look() -> tuple[list[str], dict[str, str]]:
    """The ``git status`` of tickets/ that a reading command's freshness check runs, and its environment."""
    from lpsectl.gitlook import git_env, status_args

    return ["git", *status_args("tickets", untracked=False)], git_env(ENV)


def write_rows(path: Path, n: int) -> Path:
    if not path.exists():
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, COLUMNS, delimiter=";")
            w.writeheader()
            w.writerows(rows(n))
    return path


def imported(root: Path, data: Path, n: int) -> tuple[float, float, float]:
    """``lpsectl init`` in ``root`` and the import of ``data``: the import's wall s, peak MB, CPU s."""
    subprocess.run([*lpsectl(), "init", str(root)], env=ENV, check=True, stdout=subprocess.DEVNULL)
    took, peak, cpu = measure([*lpsectl(), "import", str(data)], root)
    count = len(subprocess.run(["git", "show", "--name-only", "--format=", "HEAD"], cwd=root, check=True,
                               capture_output=True, text=True).stdout.split())
    if count != n:
        sys.exit(f"import of {n} rows failed: {count} files committed")
    return took, peak / 1024, cpu


def build(root: Path, n: int, again: bool) -> Optional[tuple[float, float, float]]:
    """A helpdesk of ``n`` imported tickets in ``root``, and the import's figures.

    A helpdesk kept from an earlier run is reused as it is (never changed
    but for its disposable index); with ``again`` the import is timed once
    more into a throwaway helpdesk beside it. None: no import was timed.
    """
    data = write_rows(root.parent / f"rows-{n}.csv", n)
    if not (root / "lpsectl.yaml").exists():
        return imported(root, data, n)
    if not again:
        return None
    scratch = Path(tempfile.mkdtemp(prefix=f"import-{n}-", dir=root.parent))
    try:
        return imported(scratch / "helpdesk", data, n)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def taskwarrior_floor(tmp: Path, runs: int) -> Optional[float]:
    """`task list` over 10,000 pending tasks, when Taskwarrior is installed."""
    if shutil.which("task") is None:
        return None
    data = tmp / "taskdata"
    data.mkdir(exist_ok=True)
    rc = tmp / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\n")
    env = dict(ENV, TASKRC=str(rc), TASKDATA=str(data))
    tasks = [{"description": f"Tidak bisa login {i}", "status": "pending", "entry": "20260101T000000Z",
              "uuid": f"00000000-0000-4000-8000-{i:012d}"} for i in range(10_000)]
    subprocess.run(["task", "import"], input=json.dumps(tasks), text=True, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(["task", "rc.detection=off", "rc.defaultwidth=120", "list"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(root: Path, n: int, runs: int, imported: Optional[tuple[float, float, float]]) -> list[Line]:
    cmd = lpsectl()
    tickets = str(root / "tickets")
    index = root / ".lpsectl" / "index.sqlite3"
    cores = os.cpu_count() or 1
    few = 1 if n > 20_000 else runs

    def drop_index() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(index) + suffix).unlink(missing_ok=True)

    out: list[Line] = []
    click_s, _, _ = timed([sys.executable, "-c", "import click"], root, runs)
    read_s, _, read_cpu = timed([sys.executable, "-c", FLOOR_READ, tickets], root, few)
    # The first build and its floor in turn, as many times as any command: one of each moved by 9 %.
    parse, first = [], []
    for _ in range(runs):
        parse.append(measure([sys.executable, "-c", FLOOR_PARSE, tickets], root))
        drop_index()
        first.append(measure([*cmd, "list"], root))
    parse_s, parse_cpu = statistics.median(p[0] for p in parse), statistics.median(p[2] for p in parse)
    NOTES.append(f"first list (no index) at {n:,} against CSafeLoader ÷ {cores} cores, pair by pair: "
                 + ", ".join(f"{f[0]:.1f} s / {p[0] / cores:.1f} s = {f[0] / (p[0] / cores):.2f} ×"
                             for p, f in zip(parse, first)))
    look, look_env = git_look()
    git_s, git_mb, git_cpu = timed(look, root, runs, env=look_env)
    some_id = sorted((root / "tickets" / "2026" / "08").glob("*.yaml"))[0].stem

    s, mb, cpu = timed([*cmd, "--help"], root, runs)
    out.append(Line("--help", n, s, mb, cpu, "import click", click_s, s / click_s, "≤ 1.5 ×"))
    s, mb, cpu = (statistics.median(f[0] for f in first), max(f[1] for f in first) / 1024,
                  statistics.median(f[2] for f in first))
    out.append(Line("first list (no index)", n, s, mb, cpu, f"CSafeLoader ÷ {cores} cores", parse_s / cores,
                    s / (parse_s / cores), "≤ 1 ×"))
    # The JSON listings beside git's look, which each of them waits for before it answers.
    beside_git = ("git status of tickets/", git_s)
    for label, args, target, floor in (
        ("list --status open --json", ["list", "--status", "open", "--json"], "≤ 0.3 s", beside_git),
        ("list --overdue --json", ["list", "--overdue", "--json"], "≤ 0.3 s", beside_git),
        ("list (table)", ["list"], "≤ 1 s", None),
        ("list --due week --sort due --json", ["list", "--due", "week", "--sort", "due", "--json"], "≤ 0.3 s",
         beside_git),
        ("list --waiting-over 5 --json", ["list", "--waiting-over", "5", "--json"], "≤ 0.3 s", beside_git),
        ("today --json", ["today", "--json"], "≤ 0.3 s", beside_git),
        ("today", ["today"], "≤ 0.5 s", None),
        ("show ID", ["show", some_id], "≤ 0.15 s", None),
        ("show PREFIX", ["show", some_id[5:10]], "", None),
        ("report --year 2026 --format json", ["report", "--year", "2026", "--format", "json"], "≤ 1 s", None),
        ("report --year 2026 --format html", ["report", "--year", "2026", "--format", "html"], "≤ 1.5 s", None),
    ):
        s, mb, cpu = timed([*cmd, *args], root, runs)
        if floor is None:
            out.append(Line(label, n, s, mb, cpu, target=target))
        else:
            out.append(Line(label, n, s, mb, cpu, floor[0], floor[1], s / floor[1], target))
    out += with_the_watcher_on(cmd, root, n, runs, look, look_env)
    s, mb, cpu = timed([*cmd, "check"], root, few)
    out.append(Line("check", n, s, mb, cpu, "CSafeLoader", parse_s, s / parse_s, "≤ 1.2 ×"))
    out.append(Line("(floor) read every ticket's bytes", n, read_s, 0, read_cpu))
    out.append(Line("(floor) CSafeLoader parse of every ticket", n, parse_s, 0, parse_cpu))
    out.append(Line("(floor) git status of tickets/", n, git_s, git_mb, git_cpu))
    sql_cpu = sql_floor(root, runs)
    out.append(Line("(floor) the listing's SQL alone (cpu)", n, sql_cpu, 0, sql_cpu))
    s, mb, cpu = timed([*cmd, "list", "--status", "open", "--json"], one_ticket(root), runs)
    out.append(Line("(floor) start-up: list --status open --json of 1 ticket", n, s, mb, cpu))

    # new with its commit, against a bare add+commit of one file in the same repository
    bare = []
    for _ in range(runs):
        f = root / f"bare-{time.time_ns()}.txt"  # new every time, also in a helpdesk kept from a run before
        f.write_text("x\n")
        start = time.perf_counter()
        subprocess.run(["git", "add", f.name], cwd=root, env=ENV, check=True)
        subprocess.run(["git", "commit", "-q", "-m", "bare"], cwd=root, env=ENV, check=True)
        bare.append(time.perf_counter() - start)
    bare_s = statistics.median(bare)
    s, mb, cpu = timed([*cmd, "new", "-q", "-c", "telepon", "--name", "Budi", "--phone", "0752 1", "-s", "Bench"],
                       root, runs)
    out.append(Line("new (with its commit)", n, s, mb, cpu, "git add+commit", bare_s, s / bare_s, "≤ 1.3 ×"))
    if imported is not None:
        took, peak, cpu = imported
        out.append(Line(f"import of {n:,} CSV rows", n, took, peak, cpu, target="≤ 60 s at 100,000"))
    return out


# The JSON listings timed again with the watcher on (docs/speed.md), beside git's look with it on.
WATCHED = (
    ("list --status open --json", ["list", "--status", "open", "--json"]),
    ("list --overdue --json", ["list", "--overdue", "--json"]),
    ("list --due week --sort due --json", ["list", "--due", "week", "--sort", "due", "--json"]),
    ("list --waiting-over 5 --json", ["list", "--waiting-over", "5", "--json"]),
    ("today --json", ["today", "--json"]),
)


def with_the_watcher_on(cmd: list[str], root: Path, n: int, runs: int, look: list[str],
                        look_env: dict[str, str]) -> list[Line]:
    """The :data:`WATCHED` listings with ``lpsectl watch on``; the helpdesk's watcher is off again after.

    CPU seconds are the command's and its children's (git and the hook git
    runs); the watcher is a process of its own, about half a millisecond a
    question.
    """
    subprocess.run([*cmd, "watch", "on"], cwd=root, env=ENV, check=True, stdout=subprocess.DEVNULL)
    out = []
    try:
        measure([*cmd, *WATCHED[0][1]], root, None)  # git's index takes the watcher's first token
        git_s, git_mb, git_cpu = timed(look, root, runs, env=look_env)
        floor = ("git status, watcher on", git_s)
        out.append(Line("(floor) git status of tickets/, watcher on", n, git_s, git_mb, git_cpu))
        for label, args in WATCHED:
            s, mb, cpu = timed([*cmd, *args], root, runs)
            out.append(Line(f"{label}, watcher on", n, s, mb, cpu, floor[0], floor[1], s / floor[1], "≤ 0.3 s"))
    finally:
        subprocess.run([*cmd, "watch", "off"], cwd=root, env=ENV, check=True, stdout=subprocess.DEVNULL)
    return out


def table(lines: list[Line], task_s: Optional[float]) -> str:
    head = ["tickets", "command", "median s", "cpu s", "peak MB", "floor", "floor s", "ratio", "target"]
    body = []
    for ln in lines:
        body.append([f"{ln.size:,}", ln.command, f"{ln.seconds:.2f}", f"{ln.cpu:.2f}" if ln.cpu is not None else "",
                     f"{ln.peak_mb:.0f}" if ln.peak_mb else "",
                     ln.floor_name, f"{ln.floor:.2f}" if ln.floor is not None else "",
                     f"{ln.ratio:.2f} ×" if ln.ratio is not None else "", ln.target])
    if task_s is not None:
        body.append(["10,000", "(floor) task list (Taskwarrior)", f"{task_s:.2f}", "", "", "", "", "", ""])
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines_out = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
                 "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines_out += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in body]
    return "\n".join(lines_out)


def git_version() -> str:
    return subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.split()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated ticket counts")
    ap.add_argument("--dir", help="keep the helpdesks here (reused by later runs)")
    ap.add_argument("--runs", type=int, default=3, help="runs per command (one for long ones above 20,000)")
    ap.add_argument("--import-again", action="store_true",
                    help="time the import also where the helpdesk is reused (into a throwaway copy beside it)")
    args = ap.parse_args()
    _compile_lpsectl()
    sizes = [int(s) for s in args.sizes.split(",")]
    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="lpsectl-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    lines: list[Line] = []
    load_at_start = os.getloadavg()
    try:
        for n in sizes:
            root = base / f"helpdesk-{n}"
            print(f"building {n:,} tickets in {root} ...", file=sys.stderr)
            figures = build(root, n, args.import_again)
            print(f"timing {n:,} ...", file=sys.stderr)
            lines += bench(root, n, args.runs, figures)
        task_s = taskwarrior_floor(base, args.runs)
        print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, git {git_version()}, load average "
              f"{' '.join(f'{x:.1f}' for x in load_at_start)} at the start, "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end\n")
        print(table(lines, task_s))
        if NOTES:
            print("\n" + "\n".join(f"- {note}" for note in NOTES))
    finally:
        if not args.dir:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
