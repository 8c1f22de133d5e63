"""An event's status as clients see it, derived from the clock when read (2030.5 event rules).

No ticking thread is needed for correctness: a scheduled event whose earliest effective start has passed
reads as Active, and a supersede the server decided takes effect at its status time. What the server
decided (scheduled, cancelled, superseded at a time) is stored; the rest follows from ``now``.
"""

import datetime as dt
from dataclasses import dataclass

from derms.models import DERControl, EventStatus

#: The status a server decided and that the clock does not change.
TERMINAL_STATUSES = (EventStatus.CANCELLED, EventStatus.CANCELLED_WITH_RANDOMIZATION, EventStatus.SUPERSEDED)
#: The widest randomization a RandomizableEvent may carry (OneHourRangeType).
MAX_RANDOMIZATION = dt.timedelta(seconds=3600)


@dataclass(frozen=True)
class StatusView:
    current_status: EventStatus
    date_time: dt.datetime
    potentially_superseded: bool
    potentially_superseded_time: dt.datetime | None
    reason: str
    #: The effective scheduled period has ended: the event no longer affects any client.
    is_over: bool = False


def earliest_start(control: DERControl) -> dt.datetime:
    """The earliest effective start: start moved by a negative randomizeStart."""
    return control.start + dt.timedelta(seconds=min(0, control.randomize_start or 0))


def latest_end(control: DERControl) -> dt.datetime:
    """The end of the effective scheduled period, with the widest randomization a client may pick."""
    spread = max(0, control.randomize_start or 0) + max(0, control.randomize_duration or 0)
    return control.start + dt.timedelta(seconds=control.duration + spread)


def has_randomization(control: DERControl) -> bool:
    return bool(control.randomize_start or control.randomize_duration)


def decided_status_at(control: DERControl, now: dt.datetime) -> EventStatus:
    """The stored status if it has taken effect by ``now``, else Scheduled (a supersede still to come)."""
    if control.status in TERMINAL_STATUSES and control.status_time <= now:
        return EventStatus(control.status)
    return EventStatus.SCHEDULED


def status_at(control: DERControl, now: dt.datetime) -> StatusView:
    """The EventStatus of ``control`` at ``now``."""
    status = decided_status_at(control, now)
    since = control.status_time
    if status == EventStatus.SCHEDULED:
        since = control.creation_time
        if now >= earliest_start(control):
            status, since = EventStatus.ACTIVE, max(earliest_start(control), control.creation_time)
    return StatusView(
        current_status=status,
        date_time=since,
        potentially_superseded=control.potentially_superseded,
        potentially_superseded_time=control.potentially_superseded_time,
        reason=control.reason,
        is_over=now >= latest_end(control),
    )


def is_live_at(control: DERControl, now: dt.datetime) -> bool:
    """Not over, and neither cancelled nor superseded yet: the server may still act on it."""
    return decided_status_at(control, now) == EventStatus.SCHEDULED and now < latest_end(control)


@dataclass(frozen=True)
class Transition:
    """A change of status the clock makes, for the notification work to announce when it is due."""

    control: DERControl
    at: dt.datetime
    #: "started" at the earliest effective start (Scheduled -> Active), "ended" when the effective
    #: scheduled period is over and the event stops affecting clients.
    kind: str


def transitions_between(*, start: dt.datetime, end: dt.datetime) -> list[Transition]:
    """Every time-driven transition in [start, end), in time order, from two indexed range queries."""
    reach = 2 * MAX_RANDOMIZATION
    starting = DERControl.objects.filter(start__gte=start - reach, start__lt=end + reach)
    ending = DERControl.objects.filter(end__gte=start - reach, end__lt=end)
    transitions = [
        Transition(c, earliest_start(c), "started")
        for c in starting.select_related("program")
        if start <= earliest_start(c) < end
        and decided_status_at(c, earliest_start(c)) == EventStatus.SCHEDULED
    ]
    transitions += [
        Transition(c, latest_end(c), "ended")
        for c in ending.select_related("program")
        if start <= latest_end(c) < end
    ]
    return sorted(transitions, key=lambda t: (t.at, t.control.pk))
