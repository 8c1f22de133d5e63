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
    return control.effective_period()[0]


def latest_end(control: DERControl) -> dt.datetime:
    """The end of the effective scheduled period, with the widest randomization a client may pick."""
    return control.effective_period()[1]


def has_randomization(control: DERControl) -> bool:
    return bool(control.randomize_start or control.randomize_duration)


def decided_status_at(control: DERControl, now: dt.datetime) -> EventStatus:
    """The stored status if it has taken effect by ``now``, else Scheduled (a supersede still to come)."""
    if control.status in TERMINAL_STATUSES and control.status_time <= now:
        return EventStatus(control.status)
    return EventStatus.SCHEDULED


def status_at(control: DERControl, now: dt.datetime) -> StatusView:
    """The EventStatus of ``control`` at ``now``, for as long as clients can read the event.

    2030.5 has no status for an event that ran to its end: the EventStatus annotation in sep.xsd has the
    server keep an event in its collection for its (effective) scheduled period only, and a dateTime must
    be when the status changed, never a time to come. So once the effective scheduled period is over
    (``is_over``) the event leaves the server's collection: the lists drop it and its href answers 404
    (``csip_api.selectors.programs.listed_controls`` serves both). Reading its status later, as staff
    tools do, gives the status it ended with: Active since its start, or the cancel or supersede.
    """
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
        # An event created at or after its start was Active from birth: its creation was the news.
        and earliest_start(c) > c.creation_time
        and decided_status_at(c, earliest_start(c)) == EventStatus.SCHEDULED
    ]
    transitions += [
        Transition(c, latest_end(c), "ended")
        for c in ending.select_related("program")
        if start <= latest_end(c) < end
    ]
    return sorted(transitions, key=lambda t: (t.at, t.control.pk))
