"""Guarantee 11: many processes at once lose nothing, hand out no id twice, commit each change alone.

Every process is the installed program, started together and simply
waited for: nothing here depends on timing.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

from tests.conftest import Run, git
from tests.guarantees.conftest import TIMEOUT, dirty, tickets_committed


def start_all(lpsectl_cmd: list[str], jobs: list[tuple[Path, list[str]]]) -> list[subprocess.CompletedProcess]:
    procs = [(args, subprocess.Popen([*lpsectl_cmd, "--operator", "Rina", *args], cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True))
             for cwd, args in jobs]
    done = []
    for args, p in procs:
        out, err = p.communicate(timeout=TIMEOUT)
        done.append(subprocess.CompletedProcess(args, p.returncode, out, err))
    return done


def all_succeeded(results: list[subprocess.CompletedProcess]) -> None:
    failed = [(r.args, r.returncode, r.stderr) for r in results if r.returncode != 0]
    assert not failed, failed


def commits_since(home: Path, since: str) -> list[tuple[str, list[str]]]:
    """(subject, files) of each non-merge commit after ``since``, oldest first."""
    out = git(home, "log", "--reverse", "--no-merges", "--name-only", "--format=%x00%s", f"{since}..HEAD")
    commits = []
    for chunk in out.split("\0")[1:]:
        subject, _, files = chunk.partition("\n")
        commits.append((subject, [f for f in files.splitlines() if f]))
    return commits


def test_twenty_processes_mixing_new_answer_note_and_escalate_lose_nothing(tmp_path, lp, lpsectl_cmd):
    desk = tmp_path / "desk"
    lp(tmp_path, "init", str(desk))
    setup = Run(desk)  # in this process, quicker; the load is the installed program
    ids = [setup.new("-c", "phone", "--name", "Budi", "--phone", "0752 92317", "-m", f"call {i}")
           for i in range(11)]
    start = git(desk, "rev-parse", "HEAD").strip()
    answered, escalated, busy = ids[:5], ids[5:10], ids[10]  # five notes race for one ticket
    jobs = ([(desk, ["new", "-q", "-c", "kotak-saran", "-m", f"load {i}"]) for i in range(5)]
            + [(desk, ["answer", answered[i], "-m", f"answer {i}"]) for i in range(5)]
            + [(desk, ["note", busy, "-m", f"note {i}"]) for i in range(5)]
            + [(desk, ["escalate", escalated[i], "-m", f"escalate {i}"]) for i in range(5)])
    results = start_all(lpsectl_cmd, jobs)
    all_succeeded(results)

    new_ids = [r.stdout.strip() for r in results[:5]]
    tickets = tickets_committed(desk)
    assert len(set(new_ids)) == 5 and set(new_ids) <= set(tickets), "no id twice, every new ticket kept"
    for i in range(5):
        assert [(e.action, e.message) for e in tickets[answered[i]].history][1:] == [("answer", f"answer {i}")]
        assert [(e.action, e.message) for e in tickets[escalated[i]].history][1:] == [("escalate", f"escalate {i}")]
        assert tickets[escalated[i]].tier == "admin-ppe"
    notes = sorted(e.message for e in tickets[busy].history if e.action == "note")
    assert notes == [f"note {i}" for i in range(5)], "every note on the busy ticket kept, once"

    commits = commits_since(desk, start)
    assert len(commits) == len(jobs), "every change is its own commit"
    assert all(len(files) == 1 and files[0].endswith(".yaml") for _, files in commits), commits
    assert dirty(desk) == ""
    lp(desk, "check")


def test_two_desks_syncing_to_one_remote_while_others_write_converge_with_nothing_lost(tmp_path, lp, lpsectl_cmd):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    a, b = tmp_path / "a", tmp_path / "b"
    lp(tmp_path, "init", str(a))
    git(a, "remote", "add", "origin", str(remote))
    shared = Run(a).new("-c", "kotak-saran", "-m", "shared")
    lp(a, "sync")
    git(tmp_path, "clone", "-q", str(remote), "b")
    lp(b, "init")
    start = git(a, "rev-parse", "HEAD").strip()

    writes = []
    for desk, name in ((a, "a"), (b, "b")):
        writes += [(desk, ["new", "-q", "-c", "kotak-saran", "-m", f"desk {name} new {i}"]) for i in range(3)]
        writes += [(desk, ["note", shared, "-m", f"desk {name} note {i}"]) for i in range(3)]
    syncs = [(a, ["sync"]), (b, ["sync"]), (a, ["sync"]), (b, ["sync"])]
    all_succeeded(start_all(lpsectl_cmd, writes + syncs))
    for desk in (a, b, a):  # what the racing syncs left for later
        lp(desk, "sync")

    tip = git(remote, "rev-parse", "main").strip()
    assert git(a, "rev-parse", "HEAD").strip() == tip == git(b, "rev-parse", "HEAD").strip(), "the desks converged"
    tickets = tickets_committed(a)
    messages = Counter((t.message or "") for t in tickets.values())
    assert all(messages[f"desk {d} new {i}"] == 1 for d in "ab" for i in range(3)), messages
    notes = sorted(e.message for e in tickets[shared].history if e.action == "note")
    assert notes == sorted(f"desk {d} note {i}" for d in "ab" for i in range(3)), "every note once"
    assert len(tickets) == len({t.lower() for t in tickets}) == 7, "no id twice"
    commits = commits_since(a, start)
    assert len(commits) == len(writes), "every change is its own commit (merges aside)"
    assert all(len(files) == 1 for _, files in commits), commits
    for desk in (a, b):
        assert dirty(desk) == ""
        lp(desk, "check")
