"""Time `privacy erase` of the oldest ticket on a helpdesk with many tickets and many commits.

Usage: python benchmarks/erase.py NEW-FOLDER TICKETS COMMITS (e.g. /tmp/hd 10000 20000). The history
is synthetic: TICKETS imported in one commit, then COMMITS commits that each append a line to
one ticket file, written through git fast-import. The erased ticket is in the first commit,
so the whole history is rewritten: the worst case.
"""
import os, subprocess, sys, time, random
from pathlib import Path
root = Path(sys.argv[1]); n_tickets = int(sys.argv[2]); n_commits = int(sys.argv[3])
bin = str(Path(sys.executable).parent / "lpsectl")
env = dict(os.environ, LPSECTL_OPERATOR="Rina")
subprocess.run([bin, "init", str(root)], check=True, env=env, capture_output=True)
rows = ["channel,created_at,name,phone,subject"] + [f"phone,{2020 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}T09:00,Orang {i},0812{i:07d},Soal {i}" for i in range(n_tickets)]
(root.parent / "t.csv").write_text("\n".join(rows) + "\n")
subprocess.run([bin, "import", str(root.parent / "t.csv")], cwd=root, check=True, env=env, capture_output=True)
files = sorted(str(p.relative_to(root)) for p in root.glob("tickets/*/*/*.yaml"))
# n_commits commits, each appending a comment line to one ticket file (through fast-import: quick).
branch = subprocess.run(["git", "symbolic-ref", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
texts = {f: (root / f).read_bytes() for f in files}
out = bytearray()
random.seed(1)
for i in range(n_commits):
    f = random.choice(files)
    texts[f] += b"# note %d\n" % i
    msg = b"note %d" % i
    out += b"commit %s\n" % branch.encode() + b"committer Rina <r@x> %d +0700\ndata %d\n%s\n" % (1780000000 + i, len(msg), msg)
    if i == 0:
        out += b"from %s\n" % head.encode()
    out += b"M 100644 inline %s\ndata %d\n%s\n" % (f.encode(), len(texts[f]), texts[f])
subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(out), check=True)
subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True)
victim = Path(files[0]).stem
t = time.perf_counter()
subprocess.run([bin, "list"], cwd=root, env=env, capture_output=True)
print(f"first list (index build) {time.perf_counter() - t:.1f}s")
t = time.perf_counter()
p = subprocess.run([bin, "privacy", "erase", victim, "-m", "bench"], cwd=root, env=env, capture_output=True, text=True)
print(f"{n_tickets} tickets, {n_commits} commits: privacy erase {time.perf_counter() - t:.1f}s", p.returncode, p.stderr[-300:])
