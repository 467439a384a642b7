"""A ticket merged by an older lpsectl, whose header states what the rules now forbid."""

from __future__ import annotations

import json

from tests.conftest import git
from tests.unit.test_merge import base_ticket, ev, merged, with_events

from lpsectl import ticketfile


def _old_merged_file() -> str:
    """Closed as invalid on one desk, escalated twice and waiting on LKPP on the other,
    with the header an older lpsectl wrote: waiting on lkpp, still `invalid`."""
    base = base_ticket()
    a = with_events(base, ev(10, "close", by="Andi", resolution="invalid"))
    b = with_events(base, ev(20, "escalate", by="Budi", tier="admin-ppe"), ev(30, "escalate", by="Budi", tier="lkpp"),
                    ev(40, "wait", by="Budi", tier="lkpp", on="lkpp"))
    text = ticketfile.dumps(merged(base, a, b))
    assert "status: closed\ntier: lkpp\nresolution: invalid\n" in text
    return text.replace("status: closed\n", "status: waiting\n")


def test_a_ticket_an_older_version_merged_against_the_rules_is_read_flagged_and_can_be_settled(run, helpdesk):
    path = helpdesk / "tickets" / "2026" / "11" / "2611-ABCDEF.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(_old_merged_file(), encoding="utf-8")
    git(helpdesk, "add", str(path))
    git(helpdesk, "commit", "-q", "-m", "merged by an older lpsectl")

    shown = json.loads(run.ok("show", "2611-ABCDEF", "--json"))
    assert (shown["status"], shown["resolution"], shown["waiting_on"]) == ("closed", "invalid", None)
    assert [c["action"] for c in shown["conflicts"]] == ["escalate", "escalate", "wait"]
    check = run("check")
    assert check.exit_code == 1
    assert [line.split(": ", 2)[1] for line in check.stdout.splitlines()] == ["conflict"] * 3
    assert "says 'waiting'" not in check.stdout + check.stderr

    run.ok("note", "2611-ABCDEF", "-m", "Dicek: tetap tidak valid")
    assert "\nstatus: closed\n" in path.read_text(encoding="utf-8")  # the header follows the rules again
    check = run("check")
    assert (check.exit_code, check.stdout) == (0, "")


def test_a_header_that_disagrees_with_a_history_without_conflicts_is_still_damage(run, helpdesk):
    tid = run.new("-c", "kotak-saran", "-m", "x", "--at", "2026-08-13T09:00")
    path = next(helpdesk.glob(f"tickets/*/*/{tid}.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: closed"), encoding="utf-8")
    check = run("check")
    assert check.exit_code == 1
    assert "status says 'closed' but the history says 'open'" in check.stdout
