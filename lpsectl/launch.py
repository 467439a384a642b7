"""The console script: git's look at the tickets starts before anything heavy is imported.

See :mod:`lpsectl.gitlook`; then the click application runs as always.
"""

from __future__ import annotations

import sys


def main() -> None:
    from lpsectl import gitlook

    gitlook.start_early(sys.argv[1:])
    from lpsectl.cli import main as cli_main

    cli_main()
