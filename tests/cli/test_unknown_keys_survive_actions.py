"""A ticket file written by a newer version keeps its unknown keys, byte for byte, through the CLI."""

from __future__ import annotations

from tests.conftest import git
from tests.unit.test_unknown_keys_round_trip import FILE


def test_an_action_on_a_newer_versions_file_adds_its_event_and_changes_nothing_else(run, helpdesk):
    path = helpdesk / "tickets" / "2026" / "08" / "2608-ABCDEF.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(FILE, encoding="utf-8")
    git(helpdesk, "add", str(path))
    git(helpdesk, "commit", "-q", "-m", "a ticket from a newer desk")
    run.ok("escalate", "2608-ABCDEF", "--at", "2026-08-13T11:00")
    text = path.read_text(encoding="utf-8")
    expected = FILE.replace("tier: helpdesk\nresolution", "tier: admin-ppe\nresolution", 1)
    assert text.startswith(expected)
    assert text[len(expected):].startswith("- at: '2026-08-13T11:00:00+07:00'\n  action: escalate\n")
    check = run("check")
    assert (check.exit_code, check.stdout) == (0, "")
    assert "1 ticket(s) checked, no problems" in check.stderr


def test_listings_read_a_newer_versions_file_through_the_cache(run, helpdesk):
    path = helpdesk / "tickets" / "2026" / "08" / "2608-ABCDEF.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(FILE, encoding="utf-8")
    for _ in range(2):  # the first builds the cache, the second reads it
        result = run("list", "--json")
        assert result.exit_code == 0, result.stderr
        assert '"id": "2608-ABCDEF"' in result.stdout
