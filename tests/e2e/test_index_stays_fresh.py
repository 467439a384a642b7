"""The index follows the ticket files whatever changes them: hands, git, crashes, other processes.

After each change, ``list`` through the index must print what parsing every
file prints (``LPSECTL_NO_INDEX=1``), and show the change itself.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import git, same_size_same_mtime, ticket_file

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")
INDEX = Path(".lpsectl") / "index.sqlite3"


def listing(run, *args: str) -> list[dict]:
    """``list --all --json`` through the index, checked against the files."""
    with_index = run("list", "--all", "--json", *args)
    without = run("list", "--all", "--json", *args, env={"LPSECTL_NO_INDEX": "1"})
    assert (with_index.exit_code, with_index.stdout, with_index.stderr) == \
        (without.exit_code, without.stdout, without.stderr)
    return json.loads(with_index.stdout)


def subjects(run) -> dict[str, str]:
    return {row["id"]: row["subject"] for row in listing(run)}


def test_a_hand_edit_in_place_with_the_same_size_and_mtime_is_seen(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    assert subjects(run) == {tid: "Lupa password"}
    same_size_same_mtime(ticket_file(run.home, tid), "Lupa password", "Lupa passwort")
    assert subjects(run) == {tid: "Lupa passwort"}
    # and again, now that git's own stamps of the file are the edited ones
    same_size_same_mtime(ticket_file(run.home, tid), "Lupa passwort", "Lupa passwurt")
    assert subjects(run) == {tid: "Lupa passwurt"}


def test_a_hand_edit_is_seen_in_a_helpdesk_outside_git(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    import shutil

    shutil.rmtree(run.home / ".git")
    assert subjects(run) == {tid: "Lupa password"}
    same_size_same_mtime(ticket_file(run.home, tid), "Lupa password", "Lupa passwort")
    assert subjects(run) == {tid: "Lupa passwort"}
    ticket_file(run.home, tid).unlink()
    assert subjects(run) == {}


def test_a_ticket_committed_by_git_outside_lpsectl_is_seen(run):
    a = run.new(*PHONE, "-s", "Satu", "--at", "2026-08-13T09:00")
    listing(run)
    b_file = ticket_file(run.home, a).with_name("2608-BBBBBB.yaml")
    b_file.write_text(ticket_file(run.home, a).read_text().replace(a, "2608-BBBBBB").replace("Satu", "Dua"))
    git(run.home, "add", "-A")
    git(run.home, "commit", "-qm", "by hand")
    assert subjects(run) == {a: "Satu", "2608-BBBBBB": "Dua"}


def test_after_a_pull_the_other_desks_tickets_are_listed(run, tmp_path, lpsectl_cmd):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    first = run.new(*PHONE, "-s", "Dari meja satu", "--at", "2026-08-13T09:00")
    git(run.home, "remote", "add", "origin", str(remote))
    git(run.home, "push", "-q", "origin", "HEAD:main")
    other = tmp_path / "desk2"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    env = dict(os.environ, LPSECTL_OPERATOR="Budi")
    subprocess.run([*lpsectl_cmd, "init"], cwd=other, env=env, check=True, capture_output=True)
    second = subprocess.run([*lpsectl_cmd, "new", "-q", *PHONE, "-s", "Dari meja dua", "--at", "2026-08-14T09:00"],
                            cwd=other, env=env, check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([*lpsectl_cmd, "answer", first, "-m", "Dijawab meja dua", "--at", "2026-08-14T10:00"],
                   cwd=other, env=env, check=True, capture_output=True)
    git(other, "push", "-q", "origin", "HEAD:main")
    assert [r["status"] for r in listing(run)] == ["open"]
    git(run.home, "pull", "-q", "--no-rebase", "origin", "main")
    rows = listing(run)
    assert [(r["id"], r["status"]) for r in rows] == [(first, "answered"), (second, "open")]


def test_after_sync_the_other_desks_tickets_are_listed(run, tmp_path, lpsectl_cmd):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(run.home, "remote", "add", "origin", str(remote))
    run.new(*PHONE, "-s", "Dari meja satu", "--at", "2026-08-13T09:00")
    run.ok("sync")
    other = tmp_path / "desk2"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    env = dict(os.environ, LPSECTL_OPERATOR="Budi")
    subprocess.run([*lpsectl_cmd, "init"], cwd=other, env=env, check=True, capture_output=True)
    second = subprocess.run([*lpsectl_cmd, "new", "-q", *PHONE, "-s", "Dari meja dua", "--at", "2026-08-14T09:00"],
                            cwd=other, env=env, check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([*lpsectl_cmd, "sync"], cwd=other, env=env, check=True, capture_output=True)
    assert len(listing(run)) == 1
    run.ok("sync")
    assert second in subjects(run)


def test_after_checking_out_an_older_commit_the_older_tickets_are_listed(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    old = git(run.home, "rev-parse", "HEAD").strip()
    run.ok("answer", tid, "-m", "Sudah direset", "--at", "2026-08-13T10:00")
    later = run.new(*PHONE, "-s", "Baru", "--at", "2026-08-14T09:00")
    assert {r["id"]: r["status"] for r in listing(run)} == {tid: "answered", later: "open"}
    git(run.home, "checkout", "-q", old)
    assert {r["id"]: r["status"] for r in listing(run)} == {tid: "open"}
    git(run.home, "checkout", "-q", "main")
    assert {r["id"]: r["status"] for r in listing(run)} == {tid: "answered", later: "open"}


def test_git_stash_and_stash_pop_are_followed(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    path = ticket_file(run.home, tid)
    path.write_text(path.read_text().replace("Lupa password", "Diubah tangan"))
    assert subjects(run) == {tid: "Diubah tangan"}
    git(run.home, "stash", "-q")
    assert subjects(run) == {tid: "Lupa password"}
    git(run.home, "stash", "pop", "-q")
    assert subjects(run) == {tid: "Diubah tangan"}


def test_a_kill_in_the_middle_of_an_update_leaves_an_index_that_is_still_right(run, tmp_path):
    ids = [run.new(*PHONE, "-s", f"Tiket {i}", "--at", "2026-08-13T09:00") for i in range(6)]
    listing(run)
    for tid in ids:  # six files for the next update to read again
        path = ticket_file(run.home, tid)
        path.write_text(path.read_text().replace("Tiket", "Diubah"))
    script = tmp_path / "killed.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys
        from pathlib import Path
        from lpsectl.index import Index
        from lpsectl.store import Helpdesk

        def track(paths):
            for i, p in enumerate(paths):
                if i == 3:
                    os.kill(os.getpid(), signal.SIGKILL)  # half the files read, the transaction open
                yield p

        Index(Helpdesk(Path(sys.argv[1]))).refresh(track)
    """))
    proc = subprocess.run([sys.executable, str(script), str(run.home)], capture_output=True)
    assert proc.returncode == -9, proc.stderr
    db = sqlite3.connect(run.home / INDEX)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    assert set(subjects(run).values()) == {f"Diubah {i}" for i in range(6)}


def test_two_processes_updating_the_index_at_once_both_answer_right(run, lpsectl_cmd):
    ids = [run.new(*PHONE, "-s", f"Tiket {i}", "--at", "2026-08-13T09:00") for i in range(4)]
    expected = run.ok("list", "--all", "--json", env={"LPSECTL_NO_INDEX": "1"})
    for _ in range(3):
        (run.home / INDEX).unlink(missing_ok=True)
        procs = [subprocess.Popen([*lpsectl_cmd, "--home", str(run.home), "list", "--all", "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate() for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        assert [o for o, _ in outs] == [expected, expected]
        assert all(err == "" for _, err in outs)
    assert sorted(r["id"] for r in listing(run)) == sorted(ids)


def test_a_changed_configuration_gives_new_deadlines(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    assert listing(run)[0]["due_at"] == "2026-08-21T16:00:00+07:00"  # five working days, 17 August a holiday
    config = run.home / "lpsectl.yaml"
    config.write_text(config.read_text().replace("normal: 5", "normal: 3"))
    assert listing(run)[0]["due_at"] == "2026-08-19T16:00:00+07:00"
    config.write_text(config.read_text().replace("closed_days: []", "closed_days: ['2026-08-18']"))
    assert listing(run)[0]["due_at"] == "2026-08-20T16:00:00+07:00"
    assert "2026-08-20 16:00" in run.ok("show", tid)


def test_holidays_kept_from_another_holidays_version_are_computed_again(run):
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    assert listing(run)[0]["due_at"] == "2026-08-21T16:00:00+07:00"
    db = sqlite3.connect(run.home / INDEX)
    with db:
        # As an older holidays might have had it: an extra holiday on Friday 14 August.
        db.execute("INSERT OR REPLACE INTO holidays VALUES ('2026-08-14', 'Hari lama')")
        db.execute("UPDATE meta SET value = 'holidays-0.1.dist-info 1' WHERE key = 'holidays'")
    db.close()
    assert listing(run)[0]["due_at"] == "2026-08-21T16:00:00+07:00"
    db = sqlite3.connect(run.home / INDEX)
    assert db.execute("SELECT count(*) FROM holidays WHERE name = 'Hari lama'").fetchone() == (0,)
    db.close()


def test_an_index_that_is_no_database_is_made_again(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    listing(run)
    for suffix in ("-wal", "-shm"):
        Path(str(run.home / INDEX) + suffix).unlink(missing_ok=True)
    (run.home / INDEX).write_bytes(b"this is no SQLite file at all" * 100)
    assert subjects(run) == {tid: "Lupa password"}


def test_an_index_written_by_other_code_is_built_again(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    listing(run)
    db = sqlite3.connect(run.home / INDEX)
    with db:
        db.execute("UPDATE tickets SET subject = 'stale'")
        db.execute("UPDATE meta SET value = 'other' WHERE key = 'code'")
    db.close()
    assert subjects(run) == {tid: "Lupa password"}


def test_the_index_leaves_git_status_clean(run):
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    listing(run)
    assert (run.home / INDEX).exists()
    assert git(run.home, "status", "--porcelain", "--untracked-files=all") == ""


def test_the_index_is_ignored_even_where_the_helpdesk_gitignore_lacks_it(run):
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    (run.home / ".gitignore").write_text("")
    git(run.home, "commit", "-qam", "no ignores")
    listing(run)
    assert (run.home / INDEX).exists()
    assert git(run.home, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_first_build_in_several_processes_gives_the_same_index(run, monkeypatch):
    from lpsectl import index

    for i in range(5):
        run.new(*PHONE, "-s", f"Tiket {i}", "--at", f"2026-08-1{i}T09:00")
    expected = listing(run)
    (run.home / INDEX).unlink()
    monkeypatch.setattr(index, "PARALLEL_FROM", 1)
    assert listing(run) == expected


# -- files added while git is asked about tracked files only ----------------------
# When no folder below tickets/ changed since the last update, git is asked
# only about the files it tracks (walking 100,000 names for untracked ones
# is most of a `git status`). A folder stamp is trusted once it is older
# than index.RACY_NS; here that is made 0, with a pause between steps so
# every change lands in a later tick of the file system's clock.

def settled(monkeypatch) -> list[bool]:
    """RACY_NS made 0; the ``untracked`` argument of every git status the index asks for."""
    import time as _time

    from lpsectl import gitrepo, index

    monkeypatch.setattr(index, "RACY_NS", 0)
    asked: list[bool] = []
    real = gitrepo.GitRepo.start_status

    def spy(self, under, untracked=True):
        asked.append(untracked)
        return real(self, under, untracked)

    monkeypatch.setattr(gitrepo.GitRepo, "start_status", spy)
    _time.sleep(0.05)
    return asked


def test_with_nothing_added_git_is_asked_about_tracked_files_only(run, monkeypatch):
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    asked = settled(monkeypatch)
    listing(run)
    listing(run)
    assert asked[-1] is False


def test_an_untracked_ticket_file_added_by_hand_is_seen(run, monkeypatch):
    import time as _time

    a = run.new(*PHONE, "-s", "Satu", "--at", "2026-08-13T09:00")
    settled(monkeypatch)
    listing(run)
    _time.sleep(0.05)
    b_file = ticket_file(run.home, a).with_name("2608-BBBBBB.yaml")
    b_file.write_text(ticket_file(run.home, a).read_text().replace(a, "2608-BBBBBB").replace("Satu", "Dua"))
    assert subjects(run) == {a: "Satu", "2608-BBBBBB": "Dua"}
    _time.sleep(0.05)
    b_file.write_text(b_file.read_text().replace("Dua", "Tiga"))  # an untracked file edited: still seen
    assert subjects(run) == {a: "Satu", "2608-BBBBBB": "Tiga"}


def test_a_ticket_file_in_an_ignored_folder_is_seen(run):
    # git status names an ignored folder, not the files in it.
    a = run.new(*PHONE, "-s", "Satu", "--at", "2026-08-13T09:00")
    (run.home / ".gitignore").write_text((run.home / ".gitignore").read_text() + "tickets/2026/09/\n")
    git(run.home, "commit", "-qam", "ignore a month")
    listing(run)
    folder = run.home / "tickets" / "2026" / "09"
    folder.mkdir()
    text = ticket_file(run.home, a).read_text().replace(a, "2609-CCCCCC").replace("2026-08-13", "2026-09-14")
    (folder / "2609-CCCCCC.yaml").write_text(text)
    assert set(subjects(run)) == {a, "2609-CCCCCC"}
    (folder / "2609-CCCCCC.yaml").unlink()
    assert set(subjects(run)) == {a}


def test_a_ticket_file_added_in_a_new_folder_is_seen(run, monkeypatch):
    import time as _time

    a = run.new(*PHONE, "-s", "Satu", "--at", "2026-08-13T09:00")
    settled(monkeypatch)
    listing(run)
    _time.sleep(0.05)
    folder = run.home / "tickets" / "2026" / "09"
    folder.mkdir()
    text = ticket_file(run.home, a).read_text().replace(a, "2609-CCCCCC").replace("2026-08-13", "2026-09-14")
    (folder / "2609-CCCCCC.yaml").write_text(text)
    assert set(subjects(run)) == {a, "2609-CCCCCC"}


def test_an_index_of_another_version_with_other_columns_is_made_again(run):
    # Emptying its tables is not enough: every insert would fail, and every
    # command would read the files for good.
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    listing(run)
    db = sqlite3.connect(run.home / INDEX)
    with db:
        db.execute("DROP INDEX tickets_recap")  # SQLite drops no column an index holds
        db.execute("ALTER TABLE tickets DROP COLUMN resolution_days")  # as a version without it wrote it
        db.execute("UPDATE meta SET value = 'other' WHERE key = 'code'")
    db.close()
    assert subjects(run) == {tid: "Lupa password"}
    db = sqlite3.connect(run.home / INDEX)
    assert "resolution_days" in [c[1] for c in db.execute("PRAGMA table_info(tickets)")]
    assert db.execute("SELECT id FROM tickets").fetchall() == [(tid,)]
    db.close()
