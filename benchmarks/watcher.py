"""What the watcher (``lpsectl watch on``) saves: git's look and a JSON listing, on and off, back to back.

    python benchmarks/watcher.py HELPDESK [--runs 5]

HELPDESK is a helpdesk made by ``import`` (``benchmarks/run.py --dir``
keeps one); use a copy of your own, as this turns its watcher on (and off
again at the end if it was off). Each round runs git's look at the tickets
(the very ``git status`` of :func:`lpsectl.gitlook.status_args`, as
lpsectl runs it) and ``lpsectl list --status open --json``, first with git
told to ignore the watcher (``core.fsmonitor=false`` for that command
only), then with it, so both see the same machine. Prints a Markdown table
of the medians: wall seconds and CPU seconds (user + system of the command
and every process it waited for, the hook included; the watcher's own few
milliseconds are not).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from lpsectl.gitlook import git_env, status_args
from run import lpsectl as lpsectl_cmd, measure  # benchmarks/run.py, beside this script

OFF = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.fsmonitor", "GIT_CONFIG_VALUE_0": "false"}


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``args`` (:func:`run.measure`, its peak memory left out)."""
    wall, _peak, cpu = measure(args, cwd, env)
    return wall, cpu


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("helpdesk", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args(argv)
    home = opts.helpdesk.resolve()
    cmd = lpsectl_cmd()
    env = dict(os.environ, LPSECTL_LANG="en")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # else every command compiles lpsectl from source
    was_on = "watch: on" in subprocess.run([*cmd, "watch", "status"], cwd=home, env=env, capture_output=True,
                                           text=True, check=True).stdout
    subprocess.run([*cmd, "watch", "on"], cwd=home, env=env, stdout=subprocess.DEVNULL, check=True)
    commands = {
        "git's look at tickets/": (["git", *status_args("tickets", untracked=False)], git_env(env)),
        "`list --status open --json`": ([*cmd, "list", "--status", "open", "--json"], env),
    }
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    try:
        timed(commands["`list --status open --json`"][0], home, env)  # the index brought up to date, once
        for _ in range(opts.runs):
            for name, (args, cmd_env) in commands.items():
                results.setdefault((name, "off"), []).append(timed(args, home, dict(cmd_env, **OFF)))
                results.setdefault((name, "on"), []).append(timed(args, home, cmd_env))
    finally:
        if not was_on:
            subprocess.run([*cmd, "watch", "off"], cwd=home, env=env, stdout=subprocess.DEVNULL)
    print("| command | watcher off: wall s | CPU s | watcher on: wall s | CPU s |")
    print("|---|---:|---:|---:|---:|")
    for name in commands:
        cells = []
        for state in ("off", "on"):
            runs = results[(name, state)]
            cells += [f"{statistics.median(w for w, _ in runs):.2f}", f"{statistics.median(c for _, c in runs):.2f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
