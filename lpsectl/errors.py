"""The one exception family of lpsectl; the CLI turns it into exit codes."""

from __future__ import annotations


class LpseError(Exception):
    """Something the user has to act on. ``exit_code`` 1: refused or found problems."""

    exit_code = 1


class BadInput(LpseError):
    """Bad usage or bad input: a missing field, a malformed date, a value out of range."""

    exit_code = 2


class Refused(LpseError):
    """The action is not allowed in the ticket's present state."""


class NotFound(LpseError):
    """No ticket, or no helpdesk folder, matches."""


class Damaged(LpseError):
    """A ticket file cannot be read or contradicts itself."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class LockBusy(LpseError):
    """Another lpsectl process holds the helpdesk lock for too long."""
