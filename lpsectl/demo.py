"""`lpsectl demo`: a sample helpdesk walked through every channel and tier."""

from __future__ import annotations

import contextlib
import io
import shlex
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Optional

import click

from lpsectl.i18n import _, language

HELPDESK = "Rina (Helpdesk)"
ADMIN = "Andi (Admin PPE)"


class _Runner:
    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(self, *args: str, by: str = HELPDESK, show: bool = True, capture: bool = False) -> str:
        from lpsectl.cli import cli

        # Each step speaks the language the demo was started in (its --lang, say).
        full = ["--home", str(self.home), "--operator", by, "--lang", language(), *args]
        if show:
            click.echo(f"\n$ lpsectl {shlex.join(args)}")
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = cli.main(args=full, prog_name="lpsectl", standalone_mode=False)
        out = buf.getvalue()
        if show and not capture:
            click.echo(out, nl=False)
        if code not in (0, None):
            raise click.ClickException(_("demo step failed: lpsectl {items}").format(items=shlex.join(args)))
        return out.strip()


def _me() -> str:
    """How to call this lpsectl again: by name when it is on PATH."""
    import shutil
    import sys

    exe = Path(sys.argv[0])
    if exe.name.startswith("lpsectl") and exe.exists() and shutil.which("lpsectl") != str(exe.resolve()):
        return shlex.quote(str(exe.resolve()))
    return "lpsectl"


def _refuse_unless_empty(home: Path) -> None:
    """The demo makes up tickets: it builds only in a new or empty folder, never in a real helpdesk."""
    from lpsectl.errors import BadInput, Refused

    if not home.exists():
        return
    if not home.is_dir():
        raise BadInput(_("{home} is a file; give a new or empty folder for the sample helpdesk").format(home=home))
    try:
        taken = next(iter(home.iterdir()), None) is not None
    except OSError as exc:
        raise BadInput(_("cannot read {home}: {problem}").format(home=home, problem=exc.strerror or exc)) from None
    if taken:
        raise Refused(_("{home} is not empty; the demo builds its made-up tickets only in a new or empty folder "
                        "(leave DIR out to use a temporary one)").format(home=home))


def run(directory: Optional[str]) -> Path:
    from lpsectl.cli import cli

    home = Path(directory).expanduser() if directory else Path(tempfile.mkdtemp(prefix="lpsectl-demo-"))
    _refuse_unless_empty(home)
    # --home names the folder outright, whatever LPSECTL_HOME says.
    code = cli.main(args=["--home", str(home), "--operator", HELPDESK, "--lang", language(), "init", str(home)],
                    prog_name="lpsectl", standalone_mode=False)
    if code not in (0, None):  # init has said why, in one line
        raise click.exceptions.Exit(code)
    home = home.resolve()
    lp = _Runner(home)
    from lpsectl.clock import now as clock_now
    from lpsectl.store import Helpdesk

    # Times: the last weeks of the office's clock (its time zone, and the
    # frozen time of the tested docs), so the clock has something to say.
    today = clock_now(Helpdesk(home).tz).replace(hour=8, minute=30, second=0, tzinfo=None)
    start = today - timedelta(days=today.weekday() + 21)  # a Monday three weeks back

    def at(day: float, hour: int = 9, minute: int = 0) -> str:
        t = start + timedelta(days=day)
        return t.replace(hour=hour, minute=minute).strftime("%Y-%m-%dT%H:%M")

    def new(*args: str, when: str) -> str:
        tid = lp("new", *args, "--at", when, "-q", capture=True)
        click.echo(tid)
        return tid

    # 1. A vendor walks in: cannot log in to SPSE; answered, rated, closed.
    t1 = new("-c", "datang-langsung", "-k", "permasalahan", "--name", "Budi Santoso",
             "--address", "Jl. Sudirman No. 12, Payakumbuh", "--phone", "0752 92317",
             "--role", "penyedia", "--category", "login", "-d", "ringan",
             "-s", "Tidak bisa login ke SPSE", "-m", "Password sudah direset tetapi tetap gagal masuk.",
             when=at(0, 9, 5))
    lp("answer", t1, "-m", "Akun terkunci setelah 3 kali gagal; sudah dibuka kembali.", "--at", at(0, 10, 0))
    lp("rate", t1, "4", "--at", at(1, 9))
    lp("close", t1, "--at", at(1, 9, 5))
    # 2. A caller's question the Admin PPE answers.
    t2 = new("-c", "telepon", "--name", "Siti Rahma", "--phone", "+62 812 6600 1234", "--role", "PPK",
             "--category", "akun", "-s", "Cara menambah anggota Pokja di SPSE", when=at(1, 10, 30))
    lp("escalate", t2, "-m", "Perlu hak akses Admin PPE", "--at", at(1, 11))
    lp("answer", t2, "-m", "Anggota Pokja ditambahkan melalui menu Kepanitiaan.", "--at", at(2, 14), by=ADMIN)
    lp("close", t2, "--at", at(3, 9))
    # 3. A portal problem that climbs to LKPP and waits on it.
    t3 = new("-c", "portal", "-k", "problem", "--account", "cv.maju.jaya", "--role", "penyedia",
             "--category", "upload", "-d", "berat", "-s", "Gagal unggah dokumen penawaran",
             "-m", "Unggah file penawaran selalu berhenti di 99%.", when=at(2, 13, 15))
    lp("escalate", t3, "-m", "Bukan masalah akun", "--at", at(2, 14))
    lp("escalate", t3, "--ref", "LS-2026-118842", "-m", "Diteruskan ke LKPP melalui LPSE Support",
       "--at", at(3, 10), by=ADMIN)
    lp("wait", t3, "--on", "lkpp", "-m", "Menunggu jawaban LKPP", "--at", at(3, 10, 5), by=ADMIN)
    lp("resume", t3, "-m", "LKPP menjawab", "--at", at(8, 9), by=ADMIN)
    lp("answer", t3, "-m", "Batas ukuran file 100 MB; penyedia diminta memecah dokumen.", "--at", at(8, 10), by=ADMIN)
    # 4. An e-mail answered and closed at once.
    t4 = new("-c", "surel", "--email", "admin@cvsentosa.co.id", "--name", "Dewi",
             "-s", "Jadwal pelatihan SPSE 2026", when=at(4, 8, 45))
    lp("answer", t4, "--close", "-m", "Jadwal pelatihan diumumkan di lpse.payakumbuhkota.go.id.", "--at", at(4, 11))
    # 5. An anonymous slip from the suggestion box: the answer closes it.
    t5 = new("-c", "kotak-saran", "-k", "masukan", "-s", "Ruang tunggu panas",
             "-m", "Mohon AC ruang layanan diperbaiki.", when=at(5, 8))
    lp("answer", t5, "-m", "AC sudah diperbaiki; terima kasih atas masukannya.", "--at", at(9, 10))
    # 6. A complaint forwarded from SP4N-LAPOR!: coordinated with the Kepala LPSE.
    t6 = new("-c", "lapor", "-k", "pengaduan", "--ref", "LAPOR-4471920", "-d", "berat",
             "-s", "Petugas helpdesk tidak membalas pesan", when=at(7, 9))
    lp("note", t6, "--head", "-m", "Dikoordinasikan dengan Kepala LPSE; petugas ditegur.", "--at", at(7, 13))
    lp("answer", t6, "-m", "Mohon maaf; jadwal piket WhatsApp sudah diperbaiki.", "--at", at(8, 9))
    lp("close", t6, "--at", at(10, 9))
    # 7. WhatsApp: waits on the reporter, who writes back; rated.
    t7 = new("-c", "wa", "-k", "keluhan", "--name", "Hendra", "--phone", "0813-7412-5566",
             "-s", "Verifikasi berkas lama sekali", when=at(9, 15, 40))
    lp("wait", t7, "--on", "reporter", "-m", "Meminta NPWP yang terbaca", "--at", at(10, 9))
    lp("followup", t7, "-m", "NPWP dikirim ulang.", "--at", at(14, 8, 30))
    lp("answer", t7, "-m", "Verifikasi selesai.", "--at", at(14, 10))
    lp("rate", t7, "3", "--at", at(15, 9))
    # 8. A caller whose question needs the Admin PPE, who cannot be reached.
    t8 = new("-c", "phone", "--name", "Yusuf", "--phone", "0752 93001", "-s", "Perubahan data perusahaan",
             when=at(11, 10))
    lp("redirect", t8, "-m", "Admin PPE tidak dapat dihubungi; diminta mengajukan melalui LPSE Support.",
       "--at", at(11, 10, 20))
    # 9. An objection to a tender result: a sanggah for the Pokja.
    t9 = new("-c", "walk-in", "-k", "complaint", "--name", "Rudi", "--address", "Jl. Ahmad Yani 5",
             "--phone", "0811 660 770", "-s", "Keberatan atas hasil tender jalan lingkungan", when=at(15, 9, 30))
    lp("close", t9, "--resolution", "referred", "-m", "Sanggah disampaikan kepada Pokja Pemilihan.",
       "--at", at(15, 10))
    # 10. A portal problem still open past its due date.
    t10 = new("-c", "portal", "-k", "problem", "--account", "pt.bangun.negeri", "-d", "ringan",
              "--category", "registrasi", "-s", "Registrasi penyedia belum diverifikasi", when=at(12, 14))
    click.echo("\n" + _("(opened {ids})").format(ids=", ".join([t1, t2, t3, t4, t5, t6, t7, t8, t9, t10])))
    lp("list", "--all")
    lp("show", t3)
    lp("list", "--overdue")
    lp("log", t3)
    from lpsectl.cli import cli as group

    if "report" in group.commands:
        lp("report", "--from", at(0)[:10], "--to", today.strftime("%Y-%m-%d"))
    click.echo("\n" + _("The sample helpdesk is in {path}\nTry: cd {quoted} && {me} list --all && git log --oneline")
               .format(path=home, quoted=shlex.quote(str(home)), me=_me()))
    return home
