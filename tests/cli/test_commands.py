import json
import re

import pytest
import yaml

from tests.conftest import git

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def show(run, tid):
    return json.loads(run.ok("show", tid, "--json"))


def test_new_quiet_prints_exactly_the_id_and_a_newline(run):
    result = run("new", "-q", *PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    assert result.exit_code == 0
    assert re.fullmatch(r"2608-[2-9A-HJKMNP-Z]{6}\n", result.stdout)
    assert result.stderr == ""


def test_new_without_quiet_says_what_was_opened_and_when_it_is_due(run):
    out = run.ok("new", *PHONE, "-s", "Lupa password", "-d", "ringan", "--at", "2026-08-13T09:00")
    assert re.match(r"2608-\w{6}  opened: question via phone, easy, due 2026-08-18 16:00 WIB", out)


def test_the_ticket_file_is_sharded_by_year_and_month_and_readable(run, helpdesk):
    tid = run.new(*PHONE, "-s", "yes", "--at", "2026-08-13T09:00")
    path = helpdesk / "tickets" / "2026" / "08" / f"{tid}.yaml"
    data = yaml.safe_load(path.read_text())
    assert data["subject"] == "yes" and data["reporter"]["phone"] == "0752 92317"
    assert data["history"][0]["action"] == "open" and data["history"][0]["by"] == "Rina"


def test_show_json_has_every_field_of_the_spec(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "-m", "Sudah reset", "--category", "login",
                  "--at", "2026-08-13T09:00")
    run.ok("escalate", tid, "--ref", "LS-77", "-m", "perlu admin", "--at", "2026-08-13T10:00")
    d = show(run, tid)
    for key in ("id", "channel", "kind", "status", "tier", "created_at", "subject", "message", "category",
                "difficulty", "resolution", "reporter", "refs", "due_at", "response_due_at", "overdue", "history"):
        assert key in d
    assert set(d["reporter"]) == {"name", "address", "phone", "email", "account", "role"}
    assert set(d["refs"]) >= {"lapor", "lpse-support", "message-id"}
    assert d["refs"]["lpse-support"] == "LS-77" and d["refs"]["lapor"] is None
    assert d["reporter"]["address"] is None
    assert (d["tier"], d["status"], d["created_at"]) == ("admin-ppe", "open", "2026-08-13T09:00:00+07:00")
    assert d["due_at"] == "2026-08-21T16:00:00+07:00"
    assert d["response_due_at"] == "2026-08-14T16:00:00+07:00"
    esc = d["history"][1]
    assert {k: esc[k] for k in ("at", "action", "by", "tier", "message", "ref")} == {
        "at": "2026-08-13T10:00:00+07:00", "action": "escalate", "by": "Rina", "tier": "admin-ppe",
        "message": "perlu admin", "ref": "LS-77"}


def test_show_prints_the_ticket_and_its_history_for_people(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    run.ok("note", tid, "--head", "-m", "dibahas dengan Kepala", "--at", "2026-08-13T09:30")
    out = run.ok("show", tid)
    assert f"{tid}  question via phone  [open, helpdesk]" in out
    assert "Due:         2026-08-21 16:00 WIB" in out
    assert "note      helpdesk   by Rina  (with the Kepala LPSE)" in out
    assert "dibahas dengan Kepala" in out


def test_an_unambiguous_prefix_selects_a_ticket_case_insensitively(run):
    tid = run.new(*PHONE, "-s", "x", "--at", "2026-08-13T09:00")
    rand = tid.split("-")[1]
    assert show(run, rand[:3].lower())["id"] == tid
    assert show(run, tid[:7])["id"] == tid
    assert show(run, tid.lower())["id"] == tid


def test_an_ambiguous_prefix_lists_the_matches_and_exits_1(run):
    a = run.new(*PHONE, "-s", "x", "--at", "2026-08-13T09:00")
    b = run.new(*PHONE, "-s", "y", "--at", "2026-08-13T09:05")
    result = run("show", "2608")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: '2608' matches 2 tickets:")
    assert a in result.stderr and b in result.stderr


def test_every_action_is_one_commit_authored_by_the_operator_naming_ticket_and_action(run, helpdesk):
    before = int(git(helpdesk, "rev-list", "--count", "HEAD"))
    tid = run.new(*PHONE, "-s", "x", "--at", "2026-08-13T09:00")
    run.ok("escalate", tid, "--at", "2026-08-13T09:10", operator="Andi")
    run.ok("answer", tid, "-m", "ok", "--at", "2026-08-13T09:20", operator="Andi")
    log = git(helpdesk, "log", "--format=%an|%s", f"-{3}").splitlines()
    assert int(git(helpdesk, "rev-list", "--count", "HEAD")) == before + 3
    assert log == [f"Andi|answer {tid}", f"Andi|escalate {tid} to admin-ppe", f"Rina|open {tid} (phone, question)"]


def test_log_prints_the_audit_trail_of_one_ticket(run):
    tid = run.new(*PHONE, "-s", "x", "--at", "2026-08-13T09:00")
    run.new(*PHONE, "-s", "other", "--at", "2026-08-13T09:01")
    run.ok("answer", tid, "-m", "ok", operator="Andi")
    out = run.ok("log", tid).splitlines()
    assert out[0].split() == ["commit", "time", "author", "action"]
    assert "Rina" in out[2] and f"open {tid} (phone, question)" in out[2]
    assert "Andi" in out[3] and f"answer {tid}" in out[3]
    assert len(out) == 4


def _store(run):
    ids = {}
    ids["walk"] = run.new("-c", "datang-langsung", "--name", "Sari", "--address", "Jl. A", "--phone",
                          "+62 752 92317", "-k", "pengaduan", "-s", "Upload gagal", "--category", "upload",
                          "--at", "2026-08-03T09:00")
    ids["portal"] = run.new("-c", "portal", "--account", "cv.maju", "-k", "masalah", "-s", "Registrasi",
                            "-m", "Belum diverifikasi sejak minggu lalu", "--category", "registrasi",
                            "--at", "2026-08-10T09:00")
    ids["mail"] = run.new("-c", "surel", "--email", "dewi@example.test", "-s", "Jadwal pelatihan",
                          "--at", "2026-08-12T09:00")
    ids["box"] = run.new("-c", "kotak-saran", "-k", "masukan", "-s", "AC", "--at", "2026-08-14T09:00")
    run.ok("answer", ids["mail"], "-m", "ok", "--at", "2026-08-12T10:00")
    run.ok("close", ids["mail"], "--at", "2026-08-12T11:00")
    run.ok("escalate", ids["portal"], "--at", "2026-08-10T10:00")
    run.ok("wait", ids["portal"], "--on", "reporter", "--at", "2026-08-10T11:00")
    return ids


def _ids(out: str) -> list[str]:
    return [row["id"] for row in json.loads(out)]


def test_list_leaves_closed_tickets_out_unless_asked_and_is_oldest_first(run):
    ids = _store(run)
    assert _ids(run.ok("list", "--json")) == [ids["walk"], ids["portal"], ids["box"]]
    assert _ids(run.ok("list", "--all", "--json")) == [ids["walk"], ids["portal"], ids["mail"], ids["box"]]
    assert _ids(run.ok("list", "--status", "closed", "--status", "menunggu", "--json")) == [ids["portal"], ids["mail"]]


def test_list_filters_by_tier_channel_kind_category_and_dates(run):
    ids = _store(run)
    assert _ids(run.ok("list", "--tier", "admin-ppe", "--json")) == [ids["portal"]]
    assert _ids(run.ok("list", "--channel", "datang-langsung", "--json")) == [ids["walk"]]
    assert _ids(run.ok("list", "--kind", "masukan", "--json")) == [ids["box"]]
    assert _ids(run.ok("list", "--category", "UPLOAD", "--json")) == [ids["walk"]]
    assert _ids(run.ok("list", "--all", "--since", "2026-08-10", "--until", "2026-08-12", "--json")) == [
        ids["portal"], ids["mail"]]


def test_list_search_matches_text_and_phone_digits_with_62_read_as_0(run):
    ids = _store(run)
    assert _ids(run.ok("list", "--search", "diverifikasi", "--json")) == [ids["portal"]]
    assert _ids(run.ok("list", "--search", "sari", "--json")) == [ids["walk"]]
    assert _ids(run.ok("list", "--search", "0752-92317", "--json")) == [ids["walk"]]
    assert _ids(run.ok("list", "--search", "+6275292317", "--json")) == [ids["walk"]]
    assert _ids(run.ok("list", "--all", "--search", "dewi@", "--json")) == [ids["mail"]]


def test_list_overdue_shows_open_tickets_past_due(run):
    ids = _store(run)
    rows = json.loads(run.ok("list", "--overdue", "--json"))
    # The walk-in (due 10 August) and the slip (due 21 August) are open and late; the portal ticket waits.
    assert [r["id"] for r in rows] == [ids["walk"], ids["box"]]
    assert all(r["overdue"] for r in rows)


def test_list_json_and_csv_have_the_spec_columns(run):
    _store(run)
    row = json.loads(run.ok("list", "--json"))[0]
    for key in ("id", "channel", "kind", "status", "tier", "created_at", "subject", "category", "due_at", "overdue",
                "holder", "flagged"):
        assert key in row
    csv_lines = run.ok("list", "--csv").splitlines()
    assert csv_lines[0] == "id,created_at,channel,kind,status,tier,due_at,overdue,subject,holder,flagged,waiting_days"
    assert len(csv_lines) == 4


def test_list_table_is_a_tabulate_table(run):
    ids = _store(run)
    out = run.ok("list").splitlines()
    assert out[0].split()[:3] == ["id", "created", "channel"]
    assert set(out[1]) <= {"-", " "}
    assert out[2].startswith(ids["walk"])


def test_edit_records_changes_and_prints_them(run):
    tid = run.new(*PHONE, "-s", "x", "--at", "2026-08-13T09:00")
    out = run.ok("edit", tid, "--difficulty", "berat", "--category", "login", "-m", "triase")
    assert out.strip() == f"{tid}  edited: difficulty, category"
    d = show(run, tid)
    assert d["difficulty"] == "hard" and d["category"] == "login"
    assert d["history"][-1]["changes"] == {"difficulty": {"from": "normal", "to": "hard"},
                                           "category": {"from": None, "to": "login"}}


def test_lapor_ticket_keeps_its_tracking_number(run):
    tid = run.new("-c", "lapor", "--ref", "LAPOR-123", "-k", "pengaduan", "-s", "x", "--at", "2026-08-13T09:00")
    assert show(run, tid)["refs"]["lapor"] == "LAPOR-123"


def test_waiting_ticket_due_date_moves_with_the_wait(run):
    tid = run.new(*PHONE, "-s", "x", "-d", "easy", "--at", "2026-08-13T09:00")
    run.ok("wait", tid, "--on", "reporter", "--at", "2026-08-13T10:00")
    run.ok("followup", tid, "-m", "data dikirim", "--at", "2026-08-19T09:00")
    d = show(run, tid)
    # Closes of 14 and 18 August fell inside the wait: due two working days later than 18 August.
    assert d["status"] == "open" and d["due_at"] == "2026-08-20T16:00:00+07:00"


def test_help_is_available_for_every_command_with_h(run):
    from lpsectl.cli import cli

    for name, command in cli.commands.items():
        # prog_name: as the installed command names itself (CliRunner says "cli").
        result = run.runner.invoke(cli, [name, "-h"], prog_name="lpsectl", catch_exceptions=False)
        assert result.exit_code == 0, name
        assert result.stdout.startswith(f"Usage: lpsectl {name} "), result.stdout
        assert command.get_short_help_str(limit=200).split()[0] in result.stdout, name
        assert "-h, --help" in result.stdout, name


def test_check_passes_on_a_healthy_store(run):
    _store(run)
    result = run("check")
    assert result.exit_code == 0
    assert "4 ticket(s) checked, no problems" in result.stderr


def test_demo_builds_a_sample_helpdesk_through_every_channel_and_tier(tmp_path, run):
    result = run.runner.invoke(__import__("lpsectl.cli", fromlist=["cli"]).cli,
                               ["demo", str(tmp_path / "demo")], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    home = tmp_path / "demo"
    from lpsectl.store import Helpdesk

    loaded = Helpdesk(home).load_all()
    assert not loaded.damaged
    tickets = loaded.tickets
    assert {t.channel for t in tickets} == {"portal", "phone", "walk-in", "email", "suggestion-box", "lapor", "whatsapp"}
    assert {t.state().highest_tier for t in tickets} == {"helpdesk", "admin-ppe", "lkpp"}
    assert f"The sample helpdesk is in {home}" in result.stdout
    assert git(home, "status", "--porcelain") == ""


def test_demo_dates_its_tickets_by_the_office_clock(tmp_path, run, monkeypatch):
    # The office's "now" (frozen here as the tested docs freeze it), not the
    # machine's: every event of the demo lies in the weeks before it.
    monkeypatch.setenv("LPSECTL_TEST_NOW", "2026-09-01T09:00:00+07:00")
    result = run.runner.invoke(__import__("lpsectl.cli", fromlist=["cli"]).cli,
                               ["demo", str(tmp_path / "demo")], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    from datetime import datetime

    from lpsectl.store import Helpdesk

    now = datetime.fromisoformat("2026-09-01T09:00:00+07:00")
    events = [e.at for t in Helpdesk(tmp_path / "demo").load_all().tickets for e in t.history]
    assert len(events) > 10
    assert all(now.replace(month=8) <= at <= now for at in events)


@pytest.mark.parametrize("word,value", [("telepon", "phone"), ("WA", "whatsapp"), ("Surel", "email"),
                                        ("lpse-support", "portal"), ("kotak-saran", "suggestion-box")])
def test_indonesian_channel_words_are_stored_in_english(run, word, value):
    args = {"phone": ("--name", "a", "--phone", "1"), "whatsapp": ("--name", "a", "--phone", "1"),
            "email": ("--email", "a@b.c"), "portal": ("--account", "a"), "suggestion-box": ()}[value]
    tid = run.new("-c", word, *args, "-s", "x")
    assert show(run, tid)["channel"] == value


def test_a_file_whose_id_is_no_ticket_id_is_damage_not_an_error(run, helpdesk):
    tid = run.new("-c", "kotak-saran", "-s", "x", "--at", "2026-08-13T09:00")
    text = (helpdesk / "tickets" / "2026" / "08" / f"{tid}.yaml").read_text()
    (helpdesk / "tickets" / "foo.yaml").write_text(text.replace(f"id: {tid}", "id: FOO"))
    result = run("list", "--json")
    assert result.exit_code == 1
    assert [r["id"] for r in json.loads(result.stdout)] == [tid]
    assert "foo.yaml:2: id 'FOO' is not a valid ticket id" in result.stderr
    check = run("check")
    assert check.exit_code == 1 and "foo.yaml:2: id 'FOO' is not a valid ticket id" in check.stdout


def test_terminal_escape_codes_a_reporter_wrote_are_shown_not_obeyed(run):
    evil = "Login \x1b[2J\x1b]0;pwned\x07 gagal \u202e"
    tid = run.new("-c", "kotak-saran", "-s", evil, "-m", f"baris satu\n{evil}", "--at", "2026-08-13T09:00")
    for args in (("show", tid), ("list",), ("receipt", tid), ("report", "--month", "2026-08")):
        out = run.ok(*args)
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, args
    shown = run.ok("show", tid)
    assert "Login \\x1b[2J\\x1b]0;pwned\\x07 gagal \\u202e" in shown
    assert "baris satu\n" in shown
    # The data itself is kept exactly: JSON carries the very text.
    assert json.loads(run.ok("show", tid, "--json"))["subject"] == evil


def test_the_table_of_command_modules_names_each_modules_commands():
    """A command is found by the module the table names; one missing there could not be run."""
    import importlib

    from lpsectl.cli import COMMAND_MODULES

    for module, names in COMMAND_MODULES.items():
        listed = importlib.import_module(f"lpsectl.cli.{module}").COMMANDS
        assert tuple(c.name for c in listed) == names, module
