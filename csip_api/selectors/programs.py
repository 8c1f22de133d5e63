"""DERPrograms and what they hold, as clients read them: lists, counts for list links, active events.

An event stays in its program's DERControlList until its end has passed; the ActiveDERControlList holds
the scheduled events whose interval contains now (cancelled and superseded events are not active).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from csip_api.xml import time_value
from derms.models import DERControl, DERCurve, DERProgram, EventStatus


class EpochSeconds(Func):
    """A datetime column as Unix epoch seconds, so ``start + duration`` can be compared in SQL."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # unixepoch() needs SQLite 3.38 (Debian 12 ships 3.40); strftime('%s') would clash with placeholders.
        return self.as_sql(compiler, connection, template="unixepoch(%(expressions)s)")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS BIGINT)"
        )


def _not_ended(controls: QuerySet[DERControl], now: dt.datetime) -> QuerySet[DERControl]:
    return controls.alias(ends=EpochSeconds("start") + F("duration")).filter(ends__gt=time_value(now))


def listed_controls(program_id: int | OuterRef, now: dt.datetime) -> QuerySet[DERControl]:
    """The program's DERControlList: start ascending, then newer creationTime first."""
    return _not_ended(DERControl.objects.filter(program_id=program_id), now).order_by(
        "start", "-creation_time", "-id"
    )


def active_controls(program_id: int | OuterRef, now: dt.datetime) -> QuerySet[DERControl]:
    return listed_controls(program_id, now).filter(status=EventStatus.SCHEDULED, start__lte=now)


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
