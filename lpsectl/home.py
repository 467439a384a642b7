"""Where the helpdesk is: the folder that holds its configuration.

Standard library only, and little of it: git's early look
(:mod:`lpsectl.gitlook`) finds the helpdesk with it before click and the
core are imported, and :func:`lpsectl.store.find_home` with it afterwards,
so both find the same folder.
"""

from __future__ import annotations

import os
from typing import Optional

CONFIG_NAME = "lpsectl.yaml"


def helpdesk_folder(start: str, explicit: Optional[str] = None) -> Optional[str]:
    """The real path of ``explicit`` if it holds the configuration, else of the nearest folder at or above ``start`` that does; None when there is none."""
    if explicit:
        folder = os.path.expanduser(explicit)
        return os.path.realpath(folder) if os.path.isfile(os.path.join(folder, CONFIG_NAME)) else None
    here = os.path.realpath(start)
    while True:
        if os.path.isfile(os.path.join(here, CONFIG_NAME)):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
