"""Clock-driven changes to what clients see, recorded in the change feed as they fall due.

Events become Active at their earliest effective start and leave the lists when their effective period is
over without anyone writing anything (derms.events.lifecycle derives the status from the clock); the
notification work still needs a record of each, so Celery beat runs ``record_transitions`` every few
seconds.
"""

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from derms import changefeed
from derms.changefeed import affected
from derms.events.lifecycle import transitions_between
from derms.models import ClockWatermark

JOB = "event transitions"
#: Transitions are recorded this long after they fall due, so an event whose transaction was still
#: committing when the clock passed its start is not skipped.
SETTLE = dt.timedelta(seconds=5)


@shared_task
def record_transitions() -> int:
    """Record every transition due since the watermark in the change feed; return how many.

    Each transition falls in exactly one window [watermark, now - SETTLE), and the watermark row is locked
    while a run writes, so running it twice, at once or after hours of downtime records each one once.
    The first run starts from its own time: what happened before the server ever ran it is not news.
    """
    until = timezone.now() - SETTLE
    with transaction.atomic():
        mark, _ = ClockWatermark.objects.get_or_create(job=JOB, defaults={"reached": until})
        mark = ClockWatermark.objects.select_for_update().get(pk=mark.pk)
        if until <= mark.reached:
            return 0
        transitions = transitions_between(start=mark.reached, end=until)
        for transition in transitions:
            changefeed.record(
                f"control_{transition.kind}", affected.control(transition.control), effective_at=transition.at
            )
        mark.reached = until
        mark.save(update_fields=["reached"])
    return len(transitions)
