"""DERPrograms and what they hold, as clients read them: lists, counts for list links, active events.

An event stays in its program's DERControlList until its effective period is over (a cancelled one too,
for its original duration); the ActiveDERControlList holds the events Active now.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from derms.models import DERControl, DERCurve, DERProgram, EventStatus


def _not_over(controls: QuerySet[DERControl], now: dt.datetime) -> QuerySet[DERControl]:
    return controls.filter(effective_end__gt=now)


def listed_controls(program_id: int | OuterRef, now: dt.datetime) -> QuerySet[DERControl]:
    """The program's DERControlList: start ascending, then newer creationTime first."""
    return _not_over(DERControl.objects.filter(program_id=program_id), now).order_by(
        "start", "-creation_time", "-id"
    )


def active_controls(program_id: int | OuterRef, now: dt.datetime) -> QuerySet[DERControl]:
    """Events Active at ``now`` by the rules of derms.events.lifecycle.status_at: their effective period
    has begun, and no cancel or supersede has taken effect yet."""
    not_decided_yet = Q(status=EventStatus.SCHEDULED) | Q(status_time__gt=now)
    return listed_controls(program_id, now).filter(not_decided_yet, effective_start__lte=now)


def curves(program_id: int | OuterRef) -> QuerySet[DERCurve]:
    return DERCurve.objects.filter(program_id=program_id).prefetch_related("points").order_by("id")


def changed_since(controls: QuerySet[DERControl], after: dt.datetime | None) -> QuerySet[DERControl]:
    """The ``a`` query parameter: events created or whose status changed at or after ``after``."""
    if after is None:
        return controls
    return controls.filter(Q(creation_time__gte=after) | Q(status_time__gte=after))


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("program_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), 0)


def with_link_counts(programs: QuerySet[DERProgram], now: dt.datetime) -> QuerySet[DERProgram]:
    """Programs annotated with the ``all`` of their list links, in DERProgramList order (primacy, id)."""
    return programs.annotate(
        active_count=_count(active_controls(OuterRef("pk"), now)),
        control_count=_count(listed_controls(OuterRef("pk"), now)),
        curve_count=_count(DERCurve.objects.filter(program_id=OuterRef("pk"))),
    ).order_by("primacy", "id")


def next_transition(program_ids: list[int], now: dt.datetime) -> dt.datetime | None:
    """The first instant after ``now`` at which the programs' lists change by the clock alone: an event's
    effective start (it turns Active), the end of its effective period (it leaves the lists), or a cancel
    or supersede decided to take effect later (its status time). One query."""
    upcoming = DERControl.objects.filter(program_id__in=program_ids, effective_end__gt=now).aggregate(
        start=Min("effective_start", filter=Q(effective_start__gt=now)),
        end=Min("effective_end"),
        decided=Min("status_time", filter=Q(status_time__gt=now)),
    )
    moments = [moment for moment in upcoming.values() if moment is not None]
    return min(moments, default=None)
