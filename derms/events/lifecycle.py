"""An event's status as clients see it, derived from the clock when read (2030.5 event rules).

No ticking thread is needed for correctness: a scheduled event whose start has passed reads as Active.
"""

import datetime as dt
from dataclasses import dataclass

from derms.models import DERControl, EventStatus


@dataclass(frozen=True)
class StatusView:
    current_status: EventStatus
    date_time: dt.datetime
    potentially_superseded: bool
    potentially_superseded_time: dt.datetime | None
    reason: str


def status_at(control: DERControl, now: dt.datetime) -> StatusView:
    """The EventStatus of ``control`` at ``now``."""
    status, since = EventStatus(control.status), control.status_time
    if status == EventStatus.SCHEDULED and now >= control.start:
        status, since = EventStatus.ACTIVE, control.start
    return StatusView(
        current_status=status,
        date_time=since,
        potentially_superseded=control.potentially_superseded,
        potentially_superseded_time=control.potentially_superseded_time,
        reason=control.reason,
    )
