"""Both desks changed lpsectl.yaml: sync says how to merge it, and `check` sees it at every step."""

from __future__ import annotations

import subprocess

from tests.e2e.test_sync import desks, remote  # noqa: F401  (fixtures)


def set_phone(desk, phone: str) -> None:
    cfg = desk.root / "lpsectl.yaml"
    cfg.write_text(cfg.read_text().replace("  phone: null", f"  phone: '{phone}'"))
    desk.git("commit", "-q", "-am", f"office phone {phone}")


def test_a_config_changed_on_both_desks_is_explained_by_sync_and_seen_by_check(desks):  # noqa: F811
    a, b, _ = desks
    set_phone(a, "0752 111")
    set_phone(b, "0752 222")
    a.sync()

    stopped = b("sync")
    assert stopped.exit_code == 1
    (error,) = stopped.stderr.splitlines()
    assert error.startswith("Error: sync stopped: lpsectl.yaml changed on this desk and on origin")
    assert "`git merge origin/main`" in error and "<<<<<<< ======= >>>>>>>" in error
    assert error.endswith("`git add lpsectl.yaml`; then `git commit` and `lpsectl sync`")

    check = b("check")
    assert check.exit_code == 1
    (line,) = check.stdout.splitlines()
    assert line.startswith("lpsectl.yaml:") or "/lpsectl.yaml:" in line
    assert "changed on this desk and on origin/main in ways git cannot merge" in line

    # Following the advice: the merge stops on lpsectl.yaml with conflict markers in it.
    merging = subprocess.run(["git", "merge", "origin/main"], cwd=b.root, capture_output=True, text=True)
    assert merging.returncode != 0
    check = b("check")
    assert check.exit_code == 1
    (line,) = check.stdout.splitlines()
    assert "lpsectl.yaml:" in line and "git conflict marker: the merge of lpsectl.yaml is not finished" in line
    assert check.stderr.startswith("Error: lpsectl.yaml cannot be used, so no ticket was checked")
    other = b("list")
    assert other.exit_code == 2 and "git conflict marker" in other.stderr

    cfg = b.root / "lpsectl.yaml"
    lines = cfg.read_text().splitlines()
    kept = [ln for ln in lines if not ln.startswith(("<<<<<<<", "=======", ">>>>>>>")) and "0752 111" not in ln]
    cfg.write_text("\n".join(kept) + "\n")
    b.git("commit", "-q", "-am", "merge lpsectl.yaml by hand")
    assert b("check").exit_code == 0
    assert b("sync").exit_code == 0
