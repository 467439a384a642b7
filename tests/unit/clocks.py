"""A clock for the core's unit tests: each officer action ten minutes after the last."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lpsectl import workflow as wf

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 8, 13, 9, 0, tzinfo=WIB)


class Clock:
    """Hands out the :class:`~lpsectl.workflow.Act` of each action, from :data:`T0` on."""

    start = T0
    tz = WIB

    def __init__(self) -> None:
        self.t = T0

    def act(self, by: str = "Rina") -> wf.Act:
        self.t += timedelta(minutes=10)
        return wf.Act(by, self.t, self.t)
