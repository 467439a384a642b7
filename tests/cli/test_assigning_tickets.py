"""`assign` and `claim`: who holds a ticket, shown wherever the ticket is."""

from __future__ import annotations

import json

import pytest

from tests.conftest import git, ticket_file

PHONE = ("-c", "telepon", "--name", "Budi", "--phone", "0752 92317")


@pytest.fixture
def tid(run) -> str:
    return run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")


def last_commit(run) -> tuple[str, str]:
    return tuple(git(run.home, "log", "-1", "--format=%an%x00%s").strip().split("\0"))  # type: ignore[return-value]


def commits(run) -> int:
    return int(git(run.home, "rev-list", "--count", "HEAD"))


def test_assign_prints_the_holder_and_records_one_event_in_one_commit(run, tid):
    before = commits(run)
    assert run.ok("assign", tid, "--to", "Ani Rahma", "--at", "2026-08-13T10:00") == f"{tid}  held by Ani Rahma\n"
    assert commits(run) == before + 1
    assert last_commit(run) == ("Rina", f"assign {tid} to Ani Rahma")
    event = json.loads(run.ok("show", tid, "--json"))["history"][-1]
    assert (event["action"], event["to"], event["by"], event["at"]) == \
        ("assign", "Ani Rahma", "Rina", "2026-08-13T10:00:00+07:00")
    assert "  to: Ani Rahma\n" in ticket_file(run.home, tid).read_text(encoding="utf-8")


def test_claim_assigns_the_ticket_to_the_operator(run, tid):
    assert run.ok("claim", tid, operator="Dewi") == f"{tid}  held by Dewi\n"
    assert last_commit(run) == ("Dewi", f"assign {tid} to Dewi")
    assert json.loads(run.ok("show", tid, "--json"))["holder"] == "Dewi"


def test_assign_to_nothing_releases_the_ticket_with_to_null(run, tid):
    run.ok("assign", tid, "--to", "Ani")
    assert run.ok("assign", tid, "--to", "") == f"{tid}  released: held by no one\n"
    assert last_commit(run) == ("Rina", f"assign {tid} (released)")
    d = json.loads(run.ok("show", tid, "--json"))
    assert d["holder"] is None and d["history"][-1]["to"] is None
    assert "  to: null\n" in ticket_file(run.home, tid).read_text(encoding="utf-8")


@pytest.mark.parametrize("setup,args,error", [
    ((), ("assign", "{tid}", "--to", ""), "Error: ticket {tid} is held by no one: there is nothing to release\n"),
    ((("assign", "{tid}", "--to", "Ani"),), ("assign", "{tid}", "--to", "Ani"),
     "Error: ticket {tid} is already held by Ani: nothing to do\n"),
    ((("claim", "{tid}"),), ("claim", "{tid}"), "Error: ticket {tid} is already held by Rina: nothing to do\n"),
    ((("close", "{tid}", "-r", "duplicate"),), ("assign", "{tid}", "--to", "Ani"),
     "Error: ticket {tid} is closed: reopen it before assigning it to anyone\n"),
    ((("close", "{tid}", "-r", "duplicate"),), ("claim", "{tid}"),
     "Error: ticket {tid} is closed: reopen it before assigning it to anyone\n"),
])
def test_an_assign_that_would_change_nothing_or_lands_on_a_closed_ticket_is_refused(run, tid, setup, args, error):
    for step in setup:
        run.ok(*(a.format(tid=tid) for a in step))
    before = commits(run)
    result = run(*(a.format(tid=tid) for a in args))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", error.format(tid=tid))
    assert commits(run) == before


def test_assign_needs_to_and_an_at_before_the_latest_event_is_bad_input(run, tid):
    result = run("assign", tid)
    assert result.exit_code == 2 and "Missing option '--to'" in result.stderr
    result = run("assign", tid, "--to", "Ani", "--at", "2026-08-13T08:00")
    assert result.exit_code == 2 and "before the ticket's latest event" in result.stderr


def test_show_names_the_holder_and_each_assign_in_the_history(run, tid):
    assert "Holder:      no one\n" in run.ok("show", tid)
    run.ok("assign", tid, "--to", "Ani", "--at", "2026-08-13T10:00")
    run.ok("assign", tid, "--to", "", "--at", "2026-08-13T11:00")
    run.ok("claim", tid, "--at", "2026-08-13T12:00")
    out = run.ok("show", tid)
    assert "Holder:      Rina\n" in out
    assert "  2026-08-13 10:00 WIB  assign    helpdesk   by Rina  (to Ani)\n" in out
    assert "  2026-08-13 11:00 WIB  assign    helpdesk   by Rina  (released)\n" in out


def test_list_shows_the_holder_in_a_column_and_in_json_and_csv(run, tid):
    other = run.new(*PHONE, "-s", "Gagal unggah", "--at", "2026-08-13T09:30")
    run.ok("assign", tid, "--to", "Ani Rahma")
    table = run.ok("list").splitlines()
    assert table[0].split() == ["id", "created", "channel", "kind", "status", "tier", "holder", "due", "waited",
                                "subject"]
    assert "  Ani Rahma  " in table[2] and tid in table[2]
    assert table[3].split()[8] == "-" and other in table[3]
    rows = json.loads(run.ok("list", "--json"))
    assert [(r["id"], r["holder"]) for r in rows] == [(tid, "Ani Rahma"), (other, None)]
    csv = run.ok("list", "--csv").splitlines()
    assert csv[0].endswith(",subject,holder,flagged,waiting_days")
    assert csv[1].endswith(",Lupa password,Ani Rahma,false,") and csv[2].endswith(",Gagal unggah,,false,")


@pytest.mark.parametrize("lang,fmt,label", [
    ("id", "txt", "Ditangani oleh: Ani <Rahma>"), ("en", "txt", "Handled by  : Ani <Rahma>"),
    ("id", "html", "<th>Ditangani oleh</th><td>Ani &lt;Rahma&gt;</td>"),
    ("en", "html", "<th>Handled by</th><td>Ani &lt;Rahma&gt;</td>"),
])
def test_every_receipt_names_the_holder_in_its_language(run, tid, lang, fmt, label):
    plain = run.ok("--lang", lang, "receipt", tid, "--format", fmt)
    assert "Ani" not in plain  # held by no one: no such line
    run.ok("assign", tid, "--to", "Ani <Rahma>")
    out = run.ok("--lang", lang, "receipt", tid, "--format", fmt)
    assert label in out
    if fmt == "txt":
        assert all(len(line) <= 40 for line in out.splitlines())
