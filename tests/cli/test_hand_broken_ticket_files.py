"""Hand-broken ticket files: named by path and line, never a crash, the healthy ones still served."""

from __future__ import annotations

import re

import pytest

from tests.conftest import no_internal_error, ticket_file

AT = "2026-08-13T09:00"


# -- hand-edited `changes` ------------------------------------------------------

@pytest.mark.parametrize("changes", [
    "  changes: [a, b]\n",
    "  changes: 5\n",
    "  changes: category\n",
    "  changes:\n    category: {from: 5, to: b}\n",
    "  changes:\n    category: [1]\n",
    "  changes:\n    difficulty: {from: zzz, to: normal}\n",
])
def test_a_hand_broken_changes_of_an_edit_is_damage_named_by_path_and_line(run, helpdesk, changes):
    good = run.new("-c", "kotak-saran", "-m", "good", "--category", "a", "--at", "2026-07-13T09:00")
    bad = run.new("-c", "kotak-saran", "-m", "bad", "--category", "a", "--at", "2026-07-13T09:00")
    run.ok("edit", bad, "--category", "b", "--at", "2026-08-13T09:00")
    path = ticket_file(helpdesk, bad)
    text = path.read_text(encoding="utf-8")
    broken = re.sub(r"  changes:\n(    .*\n)+", changes, text)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    for args in (("show", bad), ("report", "--month", "2026-07"), ("report", "--month", "2026-07", "-f", "json")):
        result = run(*args)
        no_internal_error(result)
        assert result.exit_code == 1 and bad in result.stderr
    assert good in run("list").stdout
    result = run("check")
    assert result.exit_code == 1
    assert re.search(rf"{bad}\.yaml:3[45]: changes", result.stdout), result.stdout


def test_a_nul_byte_in_a_ticket_file_is_one_line_naming_the_line(run, helpdesk):
    bad = run.new("-c", "kotak-saran", "-m", "bad", "--at", AT)
    path = ticket_file(helpdesk, bad)
    path.write_bytes(path.read_bytes() + b"\x00")
    result = run("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    assert re.match(rf".*{bad}\.yaml:3\d: invalid YAML", lines[0])
    result = run("show", bad)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1, result.stderr


def test_a_ticket_whose_id_has_a_letter_outside_the_alphabet_is_damage(run, helpdesk):
    tid = run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    path = ticket_file(helpdesk, tid)
    bad = tid[:-1] + "O"  # O reads like 0 on the phone: never in an id
    (path.parent / f"{bad}.yaml").write_text(path.read_text(encoding="utf-8").replace(tid, bad), encoding="utf-8")
    path.unlink()
    result = run("check")
    no_internal_error(result)
    assert result.exit_code == 1
    assert f"{bad}.yaml" in result.stdout + result.stderr
