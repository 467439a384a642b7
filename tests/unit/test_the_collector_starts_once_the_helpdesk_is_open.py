"""The console script holds the cyclic garbage collector back while modules load (lpsectl.launch);
opening the helpdesk starts it, with what exists then set aside (lpsectl.app.collect_from_now)."""

from __future__ import annotations

import gc
import subprocess
import sys

from lpsectl.app import App


def test_opening_the_helpdesk_starts_the_collector_held_back(run):
    gc.disable()
    try:
        App(str(run.home), "Rina", None).helpdesk()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_where_the_collector_runs_nothing_is_set_aside(run):
    assert gc.isenabled()
    App(str(run.home), "Rina", None).helpdesk()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_console_script_collects_during_a_command_and_not_before(run):
    """As the console script runs: no collection while modules load, collections once the helpdesk is open."""
    code = (
        "import gc, sys\n"
        "from lpsectl import launch\n"
        "seen = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and seen.append('lpsectl.store' in sys.modules\n"
        "                                                                   and gc.get_freeze_count() > 0))\n"
        "sys.argv = ['lpsectl', '--home', sys.argv[1], 'list', '--json']\n"
        "try:\n"
        "    launch.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "gc.collect()\n"
        "sys.stderr.write(f'SEEN {seen}')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(run.home)], capture_output=True, text=True)
    seen = proc.stderr.rpartition("SEEN ")[2]
    assert seen.startswith("[") and "False" not in seen and "True" in seen, proc.stderr
