"""Several desks, one helpdesk: real clones of a bare remote, real git, real merges."""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.conftest import Run, git

PHONE = ("-c", "phone", "--name", "Budi", "--phone", "0752 92317")


class Desk:
    """One clone of the helpdesk, driven through the CLI in this process."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.name = name
        self.run = Run(root)

    def __call__(self, *args: str):
        return self.run(*args, operator=self.name)

    def ok(self, *args: str) -> str:
        return self.run.ok(*args, operator=self.name)

    def new(self, subject: str, *args: str) -> str:
        return self.run.new(*PHONE, "-s", subject, *args, operator=self.name)

    def sync(self) -> str:
        return self.ok("sync")

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def tickets(self) -> dict[str, str]:
        """Every ticket file, by path, as text."""
        return {str(p.relative_to(self.root)): p.read_text(encoding="utf-8")
                for p in sorted((self.root / "tickets").rglob("*.yaml"))}

    def history(self, tid: str) -> list[dict]:
        path = next((self.root / "tickets").rglob(f"{tid}.yaml"))
        return yaml.safe_load(path.read_text(encoding="utf-8"))["history"]


def make_desk(tmp_path: Path, remote: Path, name: str) -> Desk:
    """A second desk, as the README says: clone, `lpsectl init` inside, ready."""
    root = tmp_path / name
    git(tmp_path, "clone", "-q", str(remote), str(root))
    desk = Desk(root, name)
    out = desk.ok("init", str(root))
    assert "Helpdesk ready" in out
    return desk


@pytest.fixture
def remote(tmp_path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    return bare


@pytest.fixture
def desks(tmp_path, remote, helpdesk) -> list[Desk]:
    """The first desk pushes the helpdesk to an empty remote; two more clone it."""
    first = Desk(helpdesk, "Rina (Helpdesk)")
    first.git("remote", "add", "origin", str(remote))
    first.sync()
    return [first, make_desk(tmp_path, remote, "Budi (Telepon)"), make_desk(tmp_path, remote, "Andi (PPE)")]


def settle(desks: list[Desk]) -> None:
    """Sync until every desk has everything: two passes suffice."""
    for _ in range(2):
        for d in desks:
            d.sync()


def assert_converged(desks: list[Desk]) -> None:
    first = desks[0].tickets()
    for d in desks:
        assert d.tickets() == first, f"{d.name} differs from {desks[0].name}"
        assert d.ok("check") == ""
        assert d.git("status", "--porcelain") == ""
        assert d.git("rev-parse", "HEAD") == desks[0].git("rev-parse", "HEAD")


# -- setting up ------------------------------------------------------------------

def test_first_sync_pushes_a_new_helpdesk_to_an_empty_remote(tmp_path, remote, helpdesk):
    desk = Desk(helpdesk, "Rina")
    tid = desk.new("Lupa password")
    desk.git("remote", "add", "origin", str(remote))
    out = desk.sync()
    assert f"out  new      {tid}" in out
    assert "Synced with origin: nothing in, 1 ticket(s) (1 new, 0 changed) out" in out
    assert git(remote, "rev-parse", "main") == desk.git("rev-parse", "HEAD")
    assert desk.git("rev-parse", "--abbrev-ref", "main@{upstream}").strip() == "origin/main"


def test_a_cloned_desk_gets_the_merge_driver_from_init_and_commits_nothing(desks):
    second = desks[1]
    config = (second.root / ".git" / "config").read_text()
    assert '[merge "lpsectl"]' in config and "merge-file %O %A %B %P" in config
    assert second.git("check-attr", "merge", "tickets/2026/11/2611-ABCDEF.yaml").strip().endswith("lpsectl")
    assert second.git("status", "--porcelain") == ""
    assert second.git("rev-parse", "HEAD") == desks[0].git("rev-parse", "HEAD")


def test_any_command_repairs_a_clone_whose_merge_driver_is_missing(desks):
    desk = desks[1]
    desk.git("config", "--remove-section", "merge.lpsectl")
    desk.ok("list")
    assert "merge-file %O %A %B %P" in desk.git("config", "--get", "merge.lpsectl.driver")
    # A venv that moved: the driver points at an interpreter that is gone.
    desk.git("config", "merge.lpsectl.driver", '"/gone/venv/bin/python" -m lpsectl merge-file %O %A %B %P')
    desk.ok("list")
    assert "/gone/" not in desk.git("config", "--get", "merge.lpsectl.driver")


def test_sync_without_a_remote_says_how_to_add_one_and_changes_nothing(helpdesk):
    desk = Desk(helpdesk, "Rina")
    desk.new("x")
    head = desk.git("rev-parse", "HEAD")
    result = desk("sync")
    assert result.exit_code == 1
    assert result.stderr == "Error: no remote: add one with git remote add origin URL, then sync again\n"
    assert result.stdout == ""
    assert desk.git("rev-parse", "HEAD") == head


def test_sync_with_the_remote_out_of_reach_is_one_error_and_changes_nothing(tmp_path, desks):
    desk = desks[1]
    tid = desk.new("Tiket baru")
    desk.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    head = desk.git("rev-parse", "HEAD")
    result = desk("sync")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach remote 'origin'")
    assert "nothing was changed" in lines[0]
    assert desk.git("rev-parse", "HEAD") == head and desk.git("status", "--porcelain") == ""
    assert tid in desk.ok("list")


def test_an_unknown_remote_name_is_bad_usage(desks):
    result = desks[0]("sync", "--remote", "backup")
    assert result.exit_code == 2
    assert result.stderr == "Error: no remote 'backup'; remotes here: origin (git remote -v lists them)\n"


# -- merging by rule ----------------------------------------------------------------

def test_two_desks_working_one_ticket_end_with_every_event_and_the_latest_edit(desks):
    a, b, _ = desks
    tid = a.new("Lupa password", "--at", "2026-11-02T08:00")
    a.sync()
    b.sync()
    a.ok("note", tid, "-m", "ditelepon balik", "--at", "2026-11-02T09:00")
    a.ok("edit", tid, "--subject", "Akun terkunci", "--at", "2026-11-02T09:05")
    b.ok("escalate", tid, "-m", "ke Admin PPE", "--ref", "LS-1", "--at", "2026-11-02T09:02")
    b.ok("edit", tid, "--subject", "Reset password", "--category", "login", "--at", "2026-11-02T09:10")
    a.sync()
    out = b.sync()
    assert f"in   changed  {tid}" in out and f"out  changed  {tid}" in out
    a.sync()
    assert_converged(desks[:2])
    d = json.loads(a.ok("show", tid, "--json"))
    assert [e["action"] for e in d["history"]] == ["open", "note", "escalate", "edit", "edit"]
    assert (d["subject"], d["category"], d["tier"]) == ("Reset password", "login", "admin-ppe")
    assert d["refs"]["lpse-support"] == "LS-1"


def test_two_desks_assigning_one_ticket_apart_end_with_the_latest_holder_and_both_assigns(desks):
    a, b, _ = desks
    tid = a.new("Lupa password", "--at", "2026-11-02T08:00")
    a.ok("answer", tid, "-m", "Sudah dibuka", "--at", "2026-11-02T08:30")
    a.sync()
    b.sync()
    # Apart: a follow-up and a later claim on one desk, an earlier assign on the other.
    b.ok("followup", tid, "-m", "Masih terkunci", "--at", "2026-11-02T09:00")
    b.ok("assign", tid, "--to", "Sari", "--at", "2026-11-02T09:10")
    a.ok("claim", tid, "--at", "2026-11-02T09:20")
    a.sync()
    b.sync()  # merged on the desk whose own assign is the earlier one: the later claim still wins
    a.sync()
    assert_converged(desks[:2])
    for d in (a, b):
        shown = json.loads(d.ok("show", tid, "--json"))
        assert [(e["action"], e.get("to")) for e in shown["history"][2:]] == [
            ("followup", None), ("assign", "Sari"), ("assign", a.name)]
        assert (shown["holder"], shown["flagged"]) == (a.name, False)
        assert [(r["holder"], r["flagged"]) for r in json.loads(d.ok("list", "--json"))] == [(a.name, False)]


def test_a_plain_git_pull_merges_tickets_with_the_driver_too(desks):
    a, b, _ = desks
    tid = a.new("x")
    a.sync()
    b.sync()
    a.ok("note", tid, "-m", "A")
    b.ok("note", tid, "-m", "B")
    a.sync()
    b.git("pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    assert sorted(e.get("message") for e in b.history(tid)[1:]) == ["A", "B"]
    assert b.ok("check") == ""


def test_interleaved_rounds_on_three_desks_lose_nothing_in_any_sync_order(desks):
    rng = random.Random(5)
    shared = desks[0].new("Tiket bersama")
    settle(desks)
    expected: dict[str, set[str]] = defaultdict(set)
    mine: dict[str, list[str]] = {d.name: [] for d in desks}
    orders = list(itertools.permutations(range(3)))
    for rnd, order in enumerate(orders):
        for i, d in enumerate(desks):
            msg = f"r{rnd} {d.name}"
            tid = d.new(f"baru {msg}")
            mine[d.name].append(tid)
            expected[tid].add("open")
            # Everyone touches the shared ticket and one of the others' tickets each round.
            targets = [shared] + [t for ts in mine.values() for t in ts if t in expected][-3:]
            for target in (shared, rng.choice(targets)):
                action = rng.choice(["note", "note", "answer", "escalate", "followup", "edit"])
                args = {"note": ("note", target, "-m", msg), "followup": ("followup", target, "-m", msg),
                        "answer": ("answer", target, "-m", msg),
                        "escalate": ("escalate", target, "-m", msg),
                        "edit": ("edit", target, "--category", f"cat {msg}", "-m", msg)}[action]
                result = d(*args)
                assert result.exit_code in (0, 1), result.stderr
                if result.exit_code == 0:
                    expected[target].add(msg)
        for i in order:  # this round's sync order
            desks[i].sync()
    settle(desks)
    assert_converged(desks)
    for tid, messages in expected.items():
        got = {e.get("message") or e["action"] for e in desks[0].history(tid)}
        assert messages <= got, f"{tid} lost {messages - got}"


def test_desks_pushing_at_the_same_moment_all_get_through(desks, lpsectl_cmd):
    procs_env = dict(os.environ)
    shared = desks[0].new("Bersama")
    settle(desks)
    made = []
    for d in desks:
        made.append(d.new(f"dari {d.name}"))
        d.ok("note", shared, "-m", f"catatan {d.name}")
    procs = [subprocess.Popen([*lpsectl_cmd, "--operator", d.name, "sync"], cwd=d.root, env=procs_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for d in desks]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "Synced with origin" in out
    settle(desks)
    assert_converged(desks)
    notes = [e.get("message") for e in desks[0].history(shared)]
    assert all(f"catatan {d.name}" in notes for d in desks)
    listed = desks[2].ok("list")
    assert all(tid in listed for tid in made)


# -- ids -----------------------------------------------------------------------------

def test_an_id_collision_keeps_both_tickets_and_says_so(desks):
    a, b, _ = desks
    tid = a.new("Tiket dari A")
    a.sync()
    # Desk B, apart, made a different ticket with the same id (forged: the odds are 1 in 887 million).
    other = b.new("Tiket dari B")
    src = next((b.root / "tickets").rglob(f"{other}.yaml"))
    dest = src.with_name(f"{tid}.yaml")
    dest.write_text(src.read_text().replace(other, tid))
    src.unlink()
    b.git("add", "-A", "tickets")
    b.git("commit", "-q", "-m", "hand-made twin")
    out = b.sync()
    line = next(ln for ln in out.splitlines() if ln.startswith("kept both"))
    new_id = line.rsplit(" ", 1)[1]
    assert line == f"kept both  {tid}: origin's ticket keeps the id, this desk's ticket is now {new_id}"
    assert f"out  new      {new_id}" in out
    settle(desks)
    assert_converged(desks)
    assert json.loads(a.ok("show", tid, "--json"))["subject"] == "Tiket dari A"
    moved = json.loads(a.ok("show", new_id, "--json"))
    assert moved["subject"] == "Tiket dari B"
    assert moved["history"][-1]["former_id"] == tid


def test_a_hand_made_duplicate_arriving_is_reported_by_sync_and_check_and_both_kept(desks):
    a, b, _ = desks
    tid = a.new("asli")
    a.sync()
    b.sync()
    src = next((b.root / "tickets").rglob(f"{tid}.yaml"))
    twin = b.root / "tickets" / "2026" / "01" / f"{tid}.yaml"
    twin.parent.mkdir(parents=True, exist_ok=True)
    twin.write_text(src.read_text())
    b.git("add", "-A", "tickets")
    b.git("commit", "-q", "-m", "copy by hand")
    made = b("sync")  # refused where it was made: a copy in the wrong folder is damage
    assert made.exit_code == 1 and "belongs in" in made.stderr and "nothing was pushed" in made.stderr
    b.git("push", "-q", "origin", "HEAD:main")  # pushed by hand all the same
    result = a("sync")
    assert result.exit_code == 1
    assert f"Error: duplicate id {tid}:" in result.stderr and "both are kept" in result.stderr
    assert (a.root / "tickets" / "2026" / "01" / f"{tid}.yaml").exists()
    assert src.exists()
    check = a("check")
    assert check.exit_code == 1 and f"duplicate id {tid}" in check.stdout


# -- when a merge cannot be done by rule ------------------------------------------------

def test_a_damaged_ticket_that_conflicts_stops_sync_and_leaves_the_clone_as_it_was(desks):
    a, b, _ = desks
    tid = a.new("x")
    a.sync()
    b.sync()
    a.ok("edit", tid, "--subject", "dari A")
    a.sync()
    path = next((b.root / "tickets").rglob(f"{tid}.yaml"))
    path.write_text(path.read_text().replace("subject: x", "subject: [rusak"))
    b.git("commit", "-q", "-am", "broken by hand")
    head = b.git("rev-parse", "HEAD")
    result = b("sync")
    assert result.exit_code == 1
    rel = path.relative_to(b.root).as_posix()
    assert result.stderr.startswith(f"Error: sync stopped: {rel} could not be merged by rule")
    assert b.git("rev-parse", "HEAD") == head
    assert b.git("status", "--porcelain") == ""
    assert not (b.root / ".git" / "MERGE_HEAD").exists()
    check = b("check")
    assert check.exit_code == 1 and rel in check.stdout


def test_check_finds_conflict_markers_left_by_a_merge_gone_wrong(desks):
    a = desks[0]
    tid = a.new("x")
    path = next((a.root / "tickets").rglob(f"{tid}.yaml"))
    path.write_text(path.read_text().replace("subject: x", "<<<<<<< ours\nsubject: x\n=======\nsubject: y\n>>>>>>> theirs"))
    result = a("check")
    assert result.exit_code == 1 and "git conflict marker" in result.stdout


def test_sync_leaves_unrelated_dirty_files_alone_and_commits_a_ticket_left_uncommitted(desks):
    a, b, _ = desks
    tid = b.new("x")
    b.ok("note", tid, "-m", "belum tercatat")
    b.git("reset", "-q", "--soft", "HEAD~1")  # as if lpsectl died between save and commit
    (b.root / "catatan.txt").write_text("draft\n")
    out = b.sync()
    assert f"committed  {tid}" in out
    assert b.git("status", "--porcelain") == "?? catatan.txt\n"
    a.sync()
    assert "belum tercatat" in a.ok("show", tid)


def test_opening_a_clone_whose_driver_is_installed_runs_no_git(desks, monkeypatch):
    from lpsectl import gitrepo
    from lpsectl.store import Helpdesk

    calls = []
    real = gitrepo._run
    monkeypatch.setattr(gitrepo, "_run", lambda args, *a, **kw: calls.append(args) or real(args, *a, **kw))
    Helpdesk(desks[1].root)
    assert calls == []
    desks[1].git("config", "--remove-section", "merge.lpsectl")
    Helpdesk(desks[1].root)
    assert [c[0] for c in calls] == ["config", "config"]


def test_sync_refuses_to_start_in_the_middle_of_a_git_merge(desks):
    desk = desks[1]
    head = desk.git("rev-parse", "HEAD")
    (desk.root / ".git" / "MERGE_HEAD").write_text(head)
    result = desk("sync")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: a git merge is in progress in this clone")
    assert desk.git("rev-parse", "HEAD") == head


def test_sync_sets_up_a_helpdesk_made_before_desks_could_merge(desks):
    desk = desks[0]
    desk.git("rm", "-q", ".gitattributes")
    desk.git("commit", "-q", "-m", "an older helpdesk")
    out = desk.sync()
    assert "committed  .gitattributes (ticket files now merge by rule)" in out
    assert "merge=lpsectl" in (desk.root / ".gitattributes").read_text()
    assert desk.git("status", "--porcelain") == ""
