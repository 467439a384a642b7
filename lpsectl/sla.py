"""What the clock says of one ticket at a moment: deadlines, lateness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from lpsectl.clock import Calendar
from lpsectl.config import Config
from lpsectl.model import UNCOUNTED_RESOLUTIONS, State, Ticket

# What became of one deadline as of a moment (SPEC §2, Reports: a deadline
# missed is late, resolved or not).
ON_TIME = "on_time"
LATE = "late"      # met after it, or still unmet while it has passed
PENDING = "pending"  # still unmet, and not yet due


def outcome(done: Optional[datetime], due: datetime, as_of: datetime) -> str:
    """ON_TIME, LATE or PENDING: a deadline met at ``done`` (None: not yet), seen at ``as_of``."""
    if done is not None:
        return ON_TIME if done <= due else LATE
    return LATE if as_of > due else PENDING


@dataclass
class Assessment:
    state: State
    due_at: datetime
    response_due_at: datetime
    overdue: bool
    # Counted in SLA figures: not closed as duplicate, withdrawn or invalid.
    counted: bool
    response_days: Optional[int] = None
    resolution_days: Optional[int] = None
    # Whether the deadline was met in time; None while it is not met.
    response_on_time: Optional[bool] = None
    on_time: Optional[bool] = None
    # ON_TIME, LATE or PENDING as of the moment: what the recap counts.
    response_outcome: str = PENDING
    outcome: str = PENDING
    # Working days the ticket has waited so far; None when it is not waiting.
    waiting_days: Optional[int] = None


def waiting_since(s: State) -> Optional[datetime]:
    """When the present wait began (the ``wait`` that paused the clock); None when not waiting."""
    if s.status == "waiting" and s.pauses and s.pauses[-1][1] is None:
        return s.pauses[-1][0]
    return None


def assess(t: Ticket, cfg: Config, cal: Calendar, as_of: datetime, measure: bool = False,
           state: Optional[State] = None) -> Assessment:
    """The ticket as it stood at ``as_of``; ``measure`` adds working-day counts.

    ``state``: ``t.state(as_of)``, when the caller has it already.
    """
    s = t.state(as_of) if state is None else state  # an indexed ticket knows it without replaying
    days = cfg.resolution_days.get(t.difficulty, cfg.resolution_days["normal"])
    # A wait moves the deadline while it lasts; an answer or a close
    # freezes it where it stood.
    until = as_of
    if s.status in ("answered", "closed") and s.pauses and s.pauses[-1][1] is None:
        until = s.pauses[-1][0]
    due = cal.deadline(t.created_at, days, s.pauses, until=until)
    response_due = cal.deadline(t.created_at, cfg.first_response_days)
    overdue = s.status == "open" and as_of > due
    a = Assessment(
        state=s, due_at=due, response_due_at=response_due, overdue=overdue,
        counted=s.resolution not in UNCOUNTED_RESOLUTIONS,
    )
    if s.first_response_at is not None:
        a.response_on_time = s.first_response_at <= response_due
    if s.resolved_at is not None:
        a.on_time = s.resolved_at <= due
    a.response_outcome = outcome(s.first_response_at, response_due, as_of)
    since = waiting_since(s)
    if since is not None:
        a.waiting_days = cal.working_days_waited(since, as_of)
    a.outcome = outcome(s.resolved_at, due, as_of)
    if measure:
        if s.first_response_at is not None:
            a.response_days = cal.working_days_taken(t.created_at, s.first_response_at)
        if s.resolved_at is not None:
            a.resolution_days = cal.working_days_taken(t.created_at, s.resolved_at, s.pauses)
    return a


def days_late(cal: Calendar, due: datetime, as_of: datetime) -> int:
    """Working days whose office close has passed since ``due``."""
    if as_of <= due:
        return 0
    last = cal.local_date(as_of)
    if cal.close_of(last) > as_of:
        last -= timedelta(days=1)
    return max(cal.working_days_between(cal.local_date(due), last), 1)
