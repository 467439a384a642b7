"""Start-up is a feature: `--help` loads nothing but click, and the index spares `holidays`."""

from __future__ import annotations

import subprocess
import sys
import time

from lpsectl.index import RACY_NS
from tests.conftest import imported_after

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def test_help_loads_neither_the_core_nor_its_parsers():
    heavy = ["yaml", "sqlite3", "json", "csv", "lpsectl.model", "lpsectl.workflow", "lpsectl.clock",
             "lpsectl.store", "holidays", "jinja2"]
    assert imported_after(["--help"], heavy) == []


def test_help_loads_nothing_click_itself_does_not_need():
    """No locale (click's own --version words looked up in the machine's catalog at import), no copy
    (gettext.translation's search for the catalog). (pathlib neither, but an editable install's finder
    imports it before lpsectl runs.)"""
    assert imported_after(["--help"], ["locale", "copy"]) == []
    assert imported_after(["--lang", "en", "--help"], ["locale", "copy"]) == []


def test_show_list_and_report_take_the_holidays_from_the_index(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    assert imported_after([*home, "list"], ["holidays"]) == ["holidays"]  # the first time computes them
    assert imported_after([*home, "show", tid], ["holidays"]) == []
    assert imported_after([*home, "show", tid[5:9], "--json"], ["holidays"]) == []
    assert imported_after([*home, "list", "--overdue", "--json"], ["holidays"]) == []
    assert imported_after([*home, "report", "--month", "2026-08", "--format", "json"], ["holidays"]) == []
    assert imported_after([*home, "new", *PHONE, "-s", "Lagi", "--at", "2026-08-14T09:00"], ["holidays"]) == []


def test_a_reading_command_starts_git_before_click_or_the_core_is_imported(run):
    """The console script starts git's look at the tickets first (lpsectl.gitlook): it runs while the rest loads."""
    code = (
        "import sys\n"
        "from lpsectl import gitlook\n"
        "gitlook.start_early(sys.argv[1:])\n"
        "look = gitlook.take_early(sys.argv[2])\n"
        "print(look.args[0], look.output()[0], *sorted(m for m in ('click', 'yaml', 'sqlite3', 'lpsectl.store')\n"
        "                                               if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, "--home", str(run.home.resolve()), "list", "--json"],
                          capture_output=True, text=True)
    assert proc.stdout.split() == ["status", "0"], proc.stderr


def test_show_of_a_whole_id_imports_neither_the_other_commands_nor_merging(run):
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    run.ok("list")  # the index keeps the holidays
    others = ["lpsectl.cli.intake", "lpsectl.cli.sync", "lpsectl.cli.admin", "lpsectl.cli.privacy",
              "lpsectl.cli.mail", "lpsectl.workflow", "lpsectl.listing", "jinja2", "tabulate", "socket", "tempfile"]
    assert imported_after([*home, "show", tid], others) == []


def test_show_reads_its_ticket_and_the_configuration_without_pyyaml_or_git(run):
    """A ticket file in the writer's own YAML and an unchanged lpsectl.yaml need no YAML parser; show runs no git."""
    tid = run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    run.ok("list")  # the index keeps the holidays, and the parsed configuration, in .lpsectl/
    assert imported_after([*home, "show", tid], ["yaml", "subprocess"]) == []
    assert imported_after([*home, "show", tid, "--json"], ["yaml", "subprocess"]) == []


def test_listings_import_neither_merging_nor_the_actions_nor_openssl(run):
    """A listing checks the merge driver (lpsectl.mergedriver) without the merging code, needs no action of
    lpsectl.workflow, and hashes the index's keys without loading OpenSSL (hashlib's import does)."""
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    # Until the folders' stamps are older than the index trusts, each command updates the index (and
    # an update hashes the files it reads as git does, with hashlib): let them age, then build it.
    time.sleep(RACY_NS / 1e9 + 0.2)
    run.ok("list")
    spared = ["lpsectl.merge", "lpsectl.workflow", "_hashlib"]
    assert imported_after([*home, "list", "--json"], spared) == []
    assert imported_after([*home, "list", "--mine", "--json"], spared) == []
    assert imported_after([*home, "today", "--json"], spared) == []


def test_a_listing_from_an_up_to_date_index_imports_no_reader_recap_or_clock_assessment(run):
    """Nothing is parsed, recapped or assessed when the index answers and no row moves: the YAML reader
    (lpsectl.fastyaml), the recap's codes (lpsectl.recapkey) and the assessment of a ticket (lpsectl.sla)
    stay unimported, the index's code key included (it hashes their source files, unimported)."""
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    time.sleep(RACY_NS / 1e9 + 0.2)  # the index trusts the folders' stamps once they are old enough
    run.ok("list")
    spared = ["lpsectl.fastyaml", "lpsectl.recapkey", "lpsectl.sla"]
    assert imported_after([*home, "list", "--json"], spared) == []
    assert imported_after([*home, "list", "--status", "open", "--json"], spared) == []
    assert imported_after([*home, "today", "--json"], spared) == []


def test_list_imports_the_module_of_list_alone_not_the_actions_on_tickets(run):
    """`list` is a module of its own (lpsectl.cli.lists): it does not make the click commands of the sixteen
    actions on tickets (lpsectl.cli.tickets) to answer."""
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    assert imported_after([*home, "list", "--json"], ["lpsectl.cli.tickets"]) == []
    assert imported_after([*home, "list"], ["lpsectl.cli.tickets"]) == []


def test_a_listing_from_an_up_to_date_index_starts_and_reads_git_without_the_subprocess_module(run):
    """git's look is a child process spawned and read with os alone: a listing the index answers imports
    neither subprocess nor what it brings (signal, selectors, locale), started as the console script starts
    it (the early look) or through click alone (the look started at the index). (A recap imports locale
    with its calendar module.)"""
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    time.sleep(RACY_NS / 1e9 + 0.2)  # the index trusts the folders' stamps once they are old enough
    run.ok("list")
    spared = ["subprocess", "signal", "selectors", "locale"]
    for console in (True, False):
        assert imported_after([*home, "list", "--json"], spared, console=console) == []
        assert imported_after([*home, "list", "--status", "open", "--json"], spared, console=console) == []
        assert imported_after([*home, "today", "--json"], spared, console=console) == []
        assert imported_after([*home, "report", "--format", "json"], spared[:3], console=console) == []


def test_a_listing_from_an_up_to_date_index_makes_no_ticket_objects_and_imports_their_classes_nowhere(run):
    """The index answers with its rows' texts: no Ticket, Event or State is made, so neither their module
    (lpsectl.model: its dataclasses cost more to make than the rest of a listing's modules) nor the ticket
    file's reader and writer (lpsectl.ticketfile) is imported; the words of a filter come from
    lpsectl.vocabulary."""
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    time.sleep(RACY_NS / 1e9 + 0.2)  # the index trusts the folders' stamps once they are old enough
    run.ok("list")
    spared = ["lpsectl.model", "lpsectl.ticketfile"]
    for console in (True, False):
        assert imported_after([*home, "list", "--json"], spared, console=console) == []
        assert imported_after([*home, "list"], spared, console=console) == []
        assert imported_after([*home, "list", "--status", "open", "--kind", "pengaduan", "--json"], spared,
                              console=console) == []
        assert imported_after([*home, "today", "--json"], spared, console=console) == []


def _dataclasses_made(args: list[str]) -> set[str]:
    """The dataclasses of lpsectl a fresh Python has made once the console script ran ``args``."""
    code = (
        "import sys\n"
        f"sys.argv = ['lpsectl', *{args!r}]\n"
        "from lpsectl.launch import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "made = [c.__qualname__ for c in object.__subclasses__()\n"
        "        if c.__module__.startswith('lpsectl') and '__dataclass_fields__' in vars(c)]\n"
        "sys.stderr.write('MADE ' + ' '.join(made))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "MADE" in proc.stderr, proc.stderr
    return set(proc.stderr.rpartition("MADE ")[2].split())


def test_a_listing_from_an_up_to_date_index_makes_no_dataclass_of_a_ticket_or_of_gits_answers(run):
    """Making a dataclass costs about half a millisecond as its module loads: a listing the index answers
    makes none of a ticket's (lpsectl.model), of the records of git's answers (lpsectl.gitrecords), which
    only actions and sync use, of a `mail:` section the configuration does not have (lpsectl.mailconfig), or
    of the helpdesk lock's file and a record's journal (lpsectl.lockfile, lpsectl.journal), which only a
    command that takes the lock reads."""
    run.new(*PHONE, "-s", "Lupa password", "--at", "2026-08-13T09:00")
    home = ["--home", str(run.home), "--operator", "Rina"]
    time.sleep(RACY_NS / 1e9 + 0.2)  # the index trusts the folders' stamps once they are old enough
    run.ok("list")
    unneeded = {"Reporter", "Event", "Ticket", "Conflict", "State", "PathState", "MergedTree", "TreeChange",
                "CommitInfo", "MailConfig", "LockHolder", "RecordingJournal"}
    for args in (["list", "--json"], ["list"], ["today", "--json"]):
        made = _dataclasses_made([*home, *args])
        assert "Config" in made  # the helpdesk was opened
        assert made & unneeded == set(), args
