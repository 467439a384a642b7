"""The merge driver's entry in this clone's git config: checked by every command, repaired when stale.

Apart from :mod:`lpsectl.merge` (the merge itself), so that the check every
:class:`lpsectl.store.Helpdesk` makes costs no import of the merging code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from lpsectl.errors import LpseError

if TYPE_CHECKING:
    from lpsectl.store import Helpdesk

DRIVER_NAME = "lpsectl"


# Git runs drivers through sh (Git for Windows ships one); inside double
# quotes only $ ` " and \ are special. (No regular expression: every command
# checks the driver, and would compile one.)
_SH_ESCAPED = str.maketrans({c: "\\" + c for c in '$`"\\'})


def _sh_quote(text: str) -> str:
    return '"' + text.translate(_SH_ESCAPED) + '"'


def _names_our_driver(header: str) -> bool:
    """Whether a config line that starts a section starts ``[merge "lpsectl"]`` (spaces aside)."""
    inside, bracket, _rest = header[1:].partition("]")
    return bool(bracket) and inside.split() == ["merge", f'"{DRIVER_NAME}"']


def driver_command() -> str:
    """The interpreter running now, so a venv or a pipx install needs no PATH.

    If that interpreter moves (a venv re-made elsewhere), the next lpsectl
    command run from the new place notices the difference and rewrites it.
    """
    return f"{_sh_quote(sys.executable)} -m lpsectl merge-file %O %A %B %P"


def _config_file(hd: Helpdesk) -> Optional[Path]:
    if hd.git is None:
        return None
    dot = hd.git.root / ".git"
    return dot / "config" if dot.is_dir() else None


def _unquote(raw: str) -> str:
    """A value as git writes it in its config file: quotes, backslash escapes, comments."""
    out, quoted, i = [], False, 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(raw[i + 1], raw[i + 1]))
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif c in "#;" and not quoted:
            break
        else:
            out.append(c)
        i += 1
    return "".join(out).strip()


def installed_driver(config_text: str) -> Optional[str]:
    """The ``merge.lpsectl.driver`` in a git config file's text, or None."""
    section = False
    found = None
    for line in config_text.splitlines():
        s = line.strip()
        if s.startswith("["):
            section = _names_our_driver(s)
            continue
        if section:
            key, sep, value = s.partition("=")
            if sep and key.strip().lower() == "driver":
                found = _unquote(value)
    return found


def driver_installed(hd: Helpdesk) -> bool:
    cfg = _config_file(hd)
    if cfg is None:
        return False  # no repository, or a worktree or submodule: ask git itself
    try:
        text = cfg.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return installed_driver(text) == driver_command()


def install_driver(hd: Helpdesk) -> None:
    """Set this clone's git config (clones do not copy it, so each desk needs it)."""
    if hd.git is None:
        return
    hd.git.set_config(f"merge.{DRIVER_NAME}.name", "lpsectl: merge ticket histories by rule")
    hd.git.set_config(f"merge.{DRIVER_NAME}.driver", driver_command())


def ensure(hd: Helpdesk) -> None:
    """Repair a clone whose driver is missing or stale; cheap when it is fine.

    Reads ``.git/config`` as text (no git process) and calls git only to
    repair. Never fails a command: sync and init install it strictly.
    """
    if hd.git is None or _config_file(hd) is None or driver_installed(hd):
        return
    try:
        install_driver(hd)
    except LpseError:
        pass
