"""Regular expressions compiled on first use: a command pays only for those it uses.

Compiling a pattern costs from a tenth of a millisecond to several (a
character class over a large part of Unicode is expanded into a table), and
every module-level ``re.compile`` runs at import, in every command, used or
not. A :class:`LazyPattern` compiles on its first use, then binds the
compiled pattern's methods onto itself, so later calls cost what a
compiled pattern's do.
"""

from __future__ import annotations

import re
from typing import Any

_METHODS = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer")


class LazyPattern:
    """``re.compile(pattern, flags)``, done when a method is first asked for."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags_given = flags

    def __getattr__(self, name: str) -> Any:  # only for names not bound yet
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags_given)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)
