"""The installed `lpsectl` as real processes against real git in temporary folders.

Nothing here depends on timing: parallel runs are started together and
simply waited for, with generous timeouts for a slow machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lpsectl.gitrepo import find_root
from tests.conftest import git, ticket_file

TIMEOUT = 300
PARALLEL = 10


@pytest.fixture
def lp(lpsectl_cmd):
    """lp(cwd, *args) runs the installed lpsectl there; check=False returns failures too."""

    def run(cwd: Path, *args: str, check: bool = True, env: dict | None = None,
            operator: str | None = "Rina") -> subprocess.CompletedProcess:
        pre = ["--operator", operator] if operator else []
        proc = subprocess.run([*lpsectl_cmd, *pre, *args], cwd=cwd, capture_output=True, text=True,
                              encoding="utf-8", timeout=TIMEOUT, env=env)
        if check:
            assert proc.returncode == 0, f"lpsectl {args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
            assert "Traceback" not in proc.stderr
        return proc

    return run


@pytest.fixture
def desk(tmp_path, lp) -> Path:
    home = tmp_path / "desk"
    lp(tmp_path, "init", str(home))
    return home


def new(lp, cwd: Path, *args: str, **kw) -> str:
    out = lp(cwd, "new", "-q", *args, **kw).stdout
    assert re.fullmatch(r"\d{4}-[2-9A-HJKMNP-Z]{6}\n", out), out
    return out.strip()


def show(lp, cwd: Path, tid: str) -> dict:
    return json.loads(lp(cwd, "show", tid, "--json").stdout)


def commits(cwd: Path) -> int:
    return int(git(cwd, "rev-list", "--count", "HEAD"))


def clean(cwd: Path) -> bool:
    return git(cwd, "status", "--porcelain", "--untracked-files=all") == ""


def start(cmd: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# -- the walk ----------------------------------------------------------------

def test_init_makes_a_git_tracked_helpdesk_with_one_first_commit(tmp_path, lp):
    out = lp(tmp_path, "init", "desk").stdout
    home = tmp_path / "desk"
    assert "Helpdesk ready" in out
    assert (home / "lpsectl.yaml").is_file() and (home / "tickets").is_dir() and (home / ".git").is_dir()
    assert commits(home) == 1 and clean(home)
    assert git(home, "log", "-1", "--format=%an").strip() == "Rina"
    again = lp(home, "init").stdout
    assert "existing helpdesk: configuration kept" in again and commits(home) == 1


def test_a_full_walk_through_every_channel_and_tier_is_one_commit_per_action(desk, lp):
    steps = 0

    def act(*args: str, by: str = "Rina") -> None:
        nonlocal steps
        lp(desk, *args, operator=by)
        steps += 1

    def opened(*args: str) -> str:
        nonlocal steps
        steps += 1
        return new(lp, desk, *args)

    walkin = opened("-c", "datang-langsung", "-k", "permasalahan", "--name", "Budi", "--address", "Jl. Sudirman 12",
                    "--phone", "0752 92317", "-d", "ringan", "-s", "Tidak bisa login")
    phone = opened("-c", "telepon", "--name", "Siti", "--phone", "+62 812 6600 1234", "-s", "Anggota Pokja")
    portal = opened("-c", "lpse-support", "-k", "problem", "--account", "cv.maju", "-d", "berat",
                    "-s", "Gagal unggah")
    email = opened("-c", "surel", "--email", "dewi@example.test", "-s", "Jadwal pelatihan")
    slip = opened("-c", "kotak-saran", "-k", "masukan", "-m", "Ruang tunggu panas")
    lapor = opened("-c", "lapor", "-k", "pengaduan", "--ref", "LAPOR-4471920", "-s", "Petugas tidak membalas")
    wa = opened("-c", "wa", "-k", "keluhan", "--name", "Hendra", "--phone", "0813-7412-5566", "-s", "Verifikasi lama")

    act("answer", walkin, "-m", "Akun dibuka kembali")
    act("rate", walkin, "4")
    act("close", walkin)
    act("escalate", phone, "-m", "Perlu Admin PPE")
    act("answer", phone, "-m", "Lewat menu Kepanitiaan", by="Andi")
    act("reopen", phone, "-m", "Menu tidak ada", by="Andi")
    act("answer", phone, "-m", "Menu ada setelah login ulang", by="Andi")
    act("close", phone, by="Andi")
    act("escalate", portal)
    act("escalate", portal, "--ref", "LS-118842", by="Andi")
    act("wait", portal, "--on", "lkpp", by="Andi")
    act("resume", portal, "-m", "LKPP menjawab", by="Andi")
    act("answer", portal, "-m", "Pecah dokumen", "--close", by="Andi")
    act("answer", email, "--close", "-m", "Jadwal ada di situs")
    act("answer", slip, "-m", "AC diperbaiki")  # anonymous: the answer closes it
    act("note", lapor, "--head", "-m", "Dikoordinasikan dengan Kepala LPSE")
    act("answer", lapor, "-m", "Mohon maaf")
    act("close", lapor)
    act("wait", wa, "--on", "pelapor", "-m", "Minta NPWP")
    act("followup", wa, "-m", "NPWP dikirim")
    act("edit", wa, "--category", "verifikasi", "-m", "triase")
    act("answer", wa, "-m", "Verifikasi selesai")
    act("rate", wa, "3")
    redirected = opened("-c", "phone", "--name", "Yusuf", "--phone", "0752 93001", "-s", "Data perusahaan")
    act("redirect", redirected, "-m", "Admin PPE tidak dapat dihubungi")
    referred = opened("-c", "walk-in", "-k", "complaint", "--name", "Rudi", "--address", "Jl. A. Yani 5",
                      "--phone", "0811 660 770", "-s", "Keberatan hasil tender")
    act("close", referred, "-r", "dirujuk", "-m", "Sanggah kepada Pokja")

    expect = {
        walkin: ("closed", "helpdesk", "answered", "walk-in"),
        phone: ("closed", "admin-ppe", "answered", "phone"),
        portal: ("closed", "lkpp", "answered", "portal"),
        email: ("closed", "helpdesk", "answered", "email"),
        slip: ("closed", "helpdesk", "answered", "suggestion-box"),
        lapor: ("closed", "helpdesk", "answered", "lapor"),
        wa: ("answered", "helpdesk", None, "whatsapp"),
        redirected: ("closed", "helpdesk", "redirected", "phone"),
        referred: ("closed", "helpdesk", "referred", "walk-in"),
    }
    for tid, (status, tier, resolution, channel) in expect.items():
        d = show(lp, desk, tid)
        assert (d["status"], d["tier"], d["resolution"], d["channel"]) == (status, tier, resolution, channel), tid
    assert show(lp, desk, portal)["refs"]["lpse-support"] == "LS-118842"
    assert show(lp, desk, wa)["category"] == "verifikasi"

    # One commit per action, authored by the operator, naming ticket and action.
    assert commits(desk) == 1 + steps
    assert clean(desk)
    log = git(desk, "log", "--format=%an|%s", f"-{steps}").splitlines()
    for line in log:
        author, subject = line.split("|", 1)
        assert author in ("Rina", "Andi")
        assert re.match(r"(open|answer|escalate|redirect|note|wait|resume|close|reopen|rate|edit|followup) "
                        r"\d{4}-\w{6}", subject), subject
    for sha_line in git(desk, "log", "--format=%H", f"-{steps}").splitlines():
        changed = git(desk, "show", "--name-only", "--format=", sha_line).split()
        assert len(changed) == 1 and changed[0].startswith("tickets/")

    # `log ID` is the audit trail of one ticket, oldest first.
    trail = lp(desk, "log", phone[5:]).stdout
    actions = re.findall(r"\b(open|escalate|answer|reopen|close) " + phone, trail)
    assert actions == ["open", "escalate", "answer", "reopen", "answer", "close"]
    assert "Andi" in trail and "Rina" in trail

    listed = json.loads(lp(desk, "list", "--all", "--json").stdout)
    assert {r["id"] for r in listed} == set(expect)
    assert [r["id"] for r in json.loads(lp(desk, "list", "--json").stdout)] == [wa]
    assert lp(desk, "check").returncode == 0


def test_python_m_lpsectl_is_the_same_program(desk, lp):
    tid = new(lp, desk, "-c", "kotak-saran", "-s", "lewat -m")
    proc = subprocess.run([sys.executable, "-m", "lpsectl", "show", tid, "--json"], cwd=desk,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0 and json.loads(proc.stdout)["id"] == tid
    version = subprocess.run([sys.executable, "-m", "lpsectl", "--version"], capture_output=True, text=True,
                             timeout=TIMEOUT)
    assert version.returncode == 0 and "lpsectl" in version.stdout


def test_help_loads_neither_jinja2_nor_holidays():
    code = (
        "import sys\n"
        "from lpsectl.cli import cli\n"
        "try:\n"
        "    cli.main(['--help'], prog_name='lpsectl')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'holidays', 'openpyxl'})\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT)
    assert "Usage: lpsectl" in proc.stdout
    assert "HEAVY []" in proc.stderr, proc.stderr


# -- parallel processes ---------------------------------------------------------

def test_parallel_processes_creating_tickets_get_distinct_ids_and_one_commit_each(desk, lpsectl_cmd, lp):
    before = commits(desk)
    procs = [start([*lpsectl_cmd, "--operator", f"Desk {i}", "new", "-q", "-c", "kotak-saran",
                    "-s", f"slip {i}"], desk) for i in range(PARALLEL)]
    results = [(p, *p.communicate(timeout=TIMEOUT)) for p in procs]
    for p, out, err in results:
        assert p.returncode == 0, err
    ids = [out.strip() for _, out, _ in results]
    assert len(set(ids)) == PARALLEL
    assert commits(desk) == before + PARALLEL
    assert clean(desk)
    subjects = {show(lp, desk, tid)["subject"] for tid in ids}
    assert subjects == {f"slip {i}" for i in range(PARALLEL)}
    authors = set(git(desk, "log", "--format=%an", f"-{PARALLEL}").splitlines())
    assert authors == {f"Desk {i}" for i in range(PARALLEL)}
    assert lp(desk, "check").returncode == 0


def test_parallel_notes_on_the_same_ticket_lose_no_event(desk, lpsectl_cmd, lp):
    tid = new(lp, desk, "-c", "kotak-saran", "-s", "ramai")
    before = commits(desk)
    procs = [start([*lpsectl_cmd, "--operator", f"Desk {i}", "note", tid, "-m", f"note {i}"], desk)
             for i in range(PARALLEL)]
    for p in procs:
        _, err = p.communicate(timeout=TIMEOUT)
        assert p.returncode == 0, err
    notes = [e["message"] for e in show(lp, desk, tid)["history"] if e["action"] == "note"]
    assert sorted(notes) == sorted(f"note {i}" for i in range(PARALLEL))
    assert commits(desk) == before + PARALLEL
    assert clean(desk)
    assert lp(desk, "check").returncode == 0


# -- locks ------------------------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, timeout=TIMEOUT)
    return int(proc.stdout)


def test_a_stale_lock_of_a_dead_process_is_recovered(desk, lp):
    tid = new(lp, desk, "-c", "kotak-saran", "-s", "x")
    lock = desk / ".git" / "lpsectl.lock"
    lock.write_text(f"{_dead_pid()} {socket.gethostname()} 0\n")
    lp(desk, "note", tid, "-m", "after a crash")
    assert not lock.exists()
    assert clean(desk)


def test_an_empty_lock_left_by_a_crash_mid_write_is_recovered(desk, lp):
    tid = new(lp, desk, "-c", "kotak-saran", "-s", "x")
    lock = desk / ".git" / "lpsectl.lock"
    lock.write_text("")
    os.utime(lock, (1_000_000_000, 1_000_000_000))
    lp(desk, "note", tid, "-m", "after a crash")
    assert not lock.exists()


def test_a_lock_holder_killed_with_sigkill_does_not_block_the_desk(desk, lp):
    tid = new(lp, desk, "-c", "kotak-saran", "-s", "x")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from pathlib import Path\n"
         "from lpsectl.store import Helpdesk\n"
         "with Helpdesk(Path(sys.argv[1])).locked():\n"
         "    print('locked', flush=True)\n"
         "    time.sleep(600)\n", str(desk)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert (desk / ".git" / "lpsectl.lock").exists()
    finally:
        holder.kill()  # SIGKILL: no finally, no cleanup
        holder.wait(timeout=TIMEOUT)
    assert (desk / ".git" / "lpsectl.lock").exists()
    lp(desk, "note", tid, "-m", "after the kill")
    assert [e["action"] for e in show(lp, desk, tid)["history"]] == ["open", "note"]
    assert clean(desk)


def test_an_index_lock_of_another_git_is_waited_out(desk, lpsectl_cmd, lp):
    tid = new(lp, desk, "-c", "kotak-saran", "-s", "x")
    before = commits(desk)
    index_lock = desk / ".git" / "index.lock"
    index_lock.write_text("")
    proc = start([*lpsectl_cmd, "--operator", "Rina", "note", tid, "-m", "while git works"], desk)
    try:
        # The ticket is written once git holds its commit; then lpsectl waits on git's index.
        path = ticket_file(desk, tid)
        for _ in range(TIMEOUT * 10):
            if "while git works" in path.read_text() or proc.poll() is not None:
                break
            time.sleep(0.1)
    finally:
        index_lock.unlink()
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    assert commits(desk) == before + 1 and clean(desk)


# -- git staging ------------------------------------------------------------

def test_dirty_and_staged_unrelated_files_stay_out_of_the_commit(desk, lp):
    (desk / "lpsectl.yaml").write_text((desk / "lpsectl.yaml").read_text() + "# local change\n")
    (desk / "notes.txt").write_text("staged by hand\n")
    git(desk, "add", "notes.txt")
    (desk / "scratch.txt").write_text("untracked\n")
    tid = new(lp, desk, "-c", "kotak-saran", "-s", "x")
    lp(desk, "note", tid, "-m", "y")
    for rev in ("HEAD", "HEAD~1"):
        assert git(desk, "show", "--name-only", "--format=", rev).split() == [
            ticket_file(desk, tid).relative_to(desk).as_posix()]
    status = git(desk, "status", "--porcelain").splitlines()
    assert sorted(status) == sorted([" M lpsectl.yaml", "A  notes.txt", "?? scratch.txt"])


def test_a_commit_stages_its_own_paths_new_changed_or_removed_and_makes_none_for_no_change(desk, lp):
    from lpsectl.gitrepo import GitRepo

    repo = GitRepo(desk)
    tid = new(lp, desk, "-c", "kotak-saran", "-s", "x")
    path = ticket_file(desk, tid)
    before = commits(desk)
    assert repo.commit([path], "nothing", "Rina") is False
    assert commits(desk) == before and clean(desk)
    (desk / "notes.txt").write_text("staged by hand\n")
    git(desk, "add", "notes.txt")
    path.write_text(path.read_text() + "# a hand edit\n")  # tracked, changed, not staged
    assert repo.commit([path], "changed", "Rina") is True
    assert git(desk, "show", "--name-only", "--format=%an %s", "HEAD").split() == [
        "Rina", "changed", path.relative_to(desk).as_posix()]
    assert git(desk, "status", "--porcelain").splitlines() == ["A  notes.txt"]
    fresh = desk / "tickets" / "extra.yaml"
    fresh.write_text("a: 1\n")  # unknown to git
    path.unlink()
    assert repo.commit([path, fresh], "moved", "Rina") is True
    assert sorted(git(desk, "show", "--name-status", "--format=", "HEAD").splitlines()) == sorted([
        f"D\t{path.relative_to(desk).as_posix()}", "A\ttickets/extra.yaml"])
    assert git(desk, "status", "--porcelain").splitlines() == ["A  notes.txt"]


# -- outside git --------------------------------------------------------------

def _no_git_here(path: Path) -> None:
    if find_root(path) is not None:
        pytest.skip(f"{path} is inside a git repository")


def test_outside_a_git_repository_every_command_works_and_warns_once(tmp_path, lp):
    home = tmp_path / "plain"
    home.mkdir()
    _no_git_here(home)
    (home / "lpsectl.yaml").write_text("language: id\n")
    proc = lp(home, "new", "-q", "-c", "kotak-saran", "-s", "tanpa git")
    tid = proc.stdout.strip()
    assert proc.stderr.count("not in a git repository") == 1 and proc.stderr.startswith("Warning: ")
    proc = lp(home, "answer", tid, "-m", "dijawab")
    assert proc.stderr.count("not in a git repository") == 1
    assert show(lp, home, tid)["status"] == "closed"
    assert tid in lp(home, "list", "--all").stdout
    assert lp(home, "check").returncode == 0
    assert not (home / ".git").exists()


def test_init_without_git_installed_makes_a_helpdesk_that_works(tmp_path, lpsectl_cmd):
    no_git = tmp_path / "bin"
    no_git.mkdir()
    env = dict(os.environ, PATH=str(no_git))
    cmd = [sys.executable, "-m", "lpsectl", "--operator", "Rina"]
    home = tmp_path / "plain"
    _no_git_here(tmp_path)
    proc = subprocess.run([*cmd, "init", str(home)], env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert "git is not installed" in proc.stderr and not (home / ".git").exists()
    proc = subprocess.run([*cmd, "new", "-q", "-c", "kotak-saran", "-s", "x"], cwd=home, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("Warning: ") == 1
    assert ticket_file(home, proc.stdout.strip()).is_file()


# -- damage ----------------------------------------------------------------------

PWNED = "lpsectl-pwned"


def _damage(home: Path, lp) -> dict[str, tuple[Path, int, str]]:
    """One healthy ticket and one of each kind of damage, committed; kind -> (file, line, words)."""
    ids = [new(lp, home, "-c", "kotak-saran", "-s", f"slip {i}") for i in range(7)]
    files = [ticket_file(home, tid) for tid in ids]

    def edit(path: Path, old: str, new_text: str) -> int:
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new_text, 1))
        return text[: text.index(old)].count("\n") + 1

    marker = home / PWNED
    damage = {}
    damage["yaml"] = (files[1], edit(files[1], "subject: slip 1", "subject: slip: 1"), "invalid YAML")
    damage["value"] = (files[2], edit(files[2], "channel: suggestion-box", "channel: fax"), "unknown channel 'fax'")
    line = edit(files[3], "category: null",
                f"category: !!python/object/apply:os.system ['touch {marker.as_posix()}']")
    damage["tag"] = (files[3], line, "unsafe or unknown YAML tag")
    damage["history"] = (files[4], edit(files[4], "status: open", "status: closed"),
                         "status says 'closed' but the history says 'open'")
    line = edit(files[5], "subject: slip 5", "<<<<<<< HEAD\nsubject: slip 5\n=======\nsubject: slip five\n>>>>>>> theirs")
    damage["conflict"] = (files[5], line, "git conflict marker")
    copy = home / "tickets" / "2000" / "01" / files[6].name
    copy.parent.mkdir(parents=True)
    shutil.copy(files[6], copy)
    damage["duplicate"] = (copy, 2, f"duplicate id {ids[6]}")
    git(home, "add", "-A")
    git(home, "commit", "-q", "-m", "damage by hand")
    return {"healthy": (files[0], 0, ids[0]), **damage, "original": (files[6], 2, ids[6])}


def test_check_names_every_kind_of_damage_by_path_and_line_and_exits_1(desk, lp):
    damage = _damage(desk, lp)
    proc = lp(desk, "check", check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert all(re.match(r"^tickets/\S+\.yaml:\d+: \S", line) for line in lines), lines
    for kind in ("yaml", "value", "tag", "history", "conflict", "duplicate"):
        path, line, words = damage[kind]
        rel = path.relative_to(desk).as_posix()
        assert any(out.startswith(f"{rel}:{line}: ") and words in out for out in lines), (kind, lines)
    original = damage["original"][0].relative_to(desk).as_posix()
    assert any(out.startswith(f"{original}:") and "duplicate id" in out for out in lines)
    healthy = damage["healthy"][0].relative_to(desk).as_posix()
    assert not any(out.startswith(healthy) for out in lines)
    assert proc.stderr.startswith("Error: ")


def test_no_command_runs_code_from_a_ticket_file(desk, lp):
    damage = _damage(desk, lp)
    tid = damage["tag"][0].stem
    for args in (("check",), ("list", "--all"), ("list", "--json"), ("show", tid), ("show", tid, "--json"),
                 ("note", tid, "-m", "x"), ("log", tid)):
        lp(desk, *args, check=False)
    assert not (desk / PWNED).exists()


def test_list_and_show_keep_working_on_healthy_tickets_and_name_the_damaged(desk, lp):
    damage = _damage(desk, lp)
    healthy_tid = damage["healthy"][2]
    proc = lp(desk, "list", "--all", check=False)
    assert proc.returncode == 1
    assert healthy_tid in proc.stdout and damage["original"][2] in proc.stdout
    assert proc.stdout.count(damage["original"][2]) == 1  # the stray copy is not listed twice
    for kind in ("yaml", "value", "tag", "history", "conflict", "duplicate"):
        rel = damage[kind][0].relative_to(desk).as_posix()
        assert f"Error: {rel}:" in proc.stderr, (kind, proc.stderr)
    assert "Traceback" not in proc.stderr

    assert show(lp, desk, healthy_tid)["id"] == healthy_tid
    lp(desk, "note", healthy_tid, "-m", "masih bisa")
    assert git(desk, "show", "--name-only", "--format=", "HEAD").split() == [
        damage["healthy"][0].relative_to(desk).as_posix()]

    for kind in ("yaml", "value", "tag", "history", "conflict"):
        path, line, _ = damage[kind]
        proc = lp(desk, "show", path.stem, check=False)
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.startswith(f"Error: {path.relative_to(desk).as_posix()}:{line}: ")
        assert len(proc.stderr.splitlines()) == 1
