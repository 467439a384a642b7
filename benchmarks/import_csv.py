"""How long `lpsectl import` takes for N CSV rows, in a fresh helpdesk with git.

    python benchmarks/import_csv.py [N]        (default 100000)

Generates N realistic rows (every channel, historic outcomes, Indonesian
text, a quarter of them with long multi-line messages), runs the installed
`lpsectl import` on them once, and prints the wall time, then checks that
one commit holds every ticket.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHANNELS = [
    ("telepon", {"name": "Budi Santoso", "phone": "0752 92317"}),
    ("surel", {"email": "siti@penyedia.co.id", "name": "Siti"}),
    ("portal", {"account": "vendor01", "role": "penyedia"}),
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


def rows(n: int):
    rnd = random.Random(4)
    for i in range(n):
        channel, who = CHANNELS[i % len(CHANNELS)]
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        year = 2020 + (i // 336) % 6
        row = {c: "" for c in COLUMNS}
        row.update({k: v.format(i=i) for k, v in who.items()})
        row.update(channel=channel, created_at=f"{day:02d}/{month:02d}/{year} 09:{i % 60:02d}",
                   subject=rnd.choice(SUBJECTS), message=LONG if i % 4 == 0 else "Mohon bantuan.",
                   kind=rnd.choice(["pertanyaan", "permasalahan", "masukan", "pengaduan"]),
                   category=rnd.choice(["login", "upload", "jadwal", ""]))
        fate = i % 5
        if fate in (1, 2):
            row.update(answer="Sudah dibantu, silakan dicoba kembali.", answered_at=f"{day:02d}/{month:02d}/{year} 14:00")
        if fate == 2:
            row.update(status="selesai", closed_at=f"{day:02d}/{month:02d}/{year} 15:00")
        if fate == 3:
            row.update(tier="lkpp")
        yield row


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    exe = Path(sys.executable).parent / "lpsectl"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "lpsectl"]
    with tempfile.TemporaryDirectory(prefix="lpsectl-bench-") as tmp:
        home = Path(tmp) / "helpdesk"
        env = dict(os.environ, LPSECTL_OPERATOR="Bench", GIT_AUTHOR_EMAIL="b@example.test",
                   GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="b@example.test")
        subprocess.run([*cmd, "init", str(home)], check=True, env=env, stdout=subprocess.DEVNULL)
        data = Path(tmp) / "rekap.csv"
        with open(data, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, COLUMNS, delimiter=";")
            w.writeheader()
            w.writerows(rows(n))
        start = time.perf_counter()
        subprocess.run([*cmd, "--home", str(home), "import", str(data)], check=True, env=env)
        took = time.perf_counter() - start
        count = subprocess.run(["git", "show", "--name-only", "--format=", "HEAD"], cwd=home, check=True,
                               capture_output=True, text=True).stdout.split()
        assert len(count) == n, (len(count), n)
        print(f"{n} rows imported in {took:.1f} s ({n / took:.0f} rows/s), one commit of {len(count)} files")


if __name__ == "__main__":
    main()
