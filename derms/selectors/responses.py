"""How the DERs an event targets answered it (2030.5 Response, CSIP 6.2.4): the dispatcher's board.

An event targets the DERs of its program's group (the subtree of a topology group, the members of a
non-topology one), narrowed to its deviceCategory when it names one. Counts come from the latest Response
of each DER, which is flagged, so the board costs the same few queries for ten DERs or a million.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, QuerySet

from derms.models import DERControl, EndDevice, Response, ResponseStatus
from groups.selectors import end_devices_in

SILENT_SHOWN = 50


@dataclass(frozen=True)
class StatusCount:
    status: int | None
    label: str
    count: int


@dataclass(frozen=True)
class ResponseBoard:
    event: DERControl
    targeted: int
    answered: list[StatusCount]
    silent_count: int
    #: The first of the DERs that have not answered at all, by sFDI.
    silent: list[EndDevice]


def targeted_ders(event: DERControl) -> QuerySet[EndDevice]:
    ders = end_devices_in(event.program.group).filter(enabled=True)
    if event.device_category is not None:
        # A DER is targeted when it shares a category bit with the event (2030.5 deviceCategory).
        ders = ders.annotate(shared=F("device_category").bitand(event.device_category)).exclude(shared=0)
    return ders


def response_board(event: DERControl) -> ResponseBoard:
    """Four queries: targeted, latest answers by status, silent count, the first silent DERs."""
    ders = targeted_ders(event)
    latest = Response.objects.filter(control=event, is_latest=True, end_device__in=ders.values("pk"))
    counts = latest.values("status").annotate(n=Count("pk")).order_by("status")
    labels = dict(ResponseStatus.choices)
    answered = [
        StatusCount(row["status"], labels.get(row["status"], "No status given"), row["n"]) for row in counts
    ]
    silent = ders.exclude(Exists(Response.objects.filter(control=event, end_device=OuterRef("pk"))))
    return ResponseBoard(
        event=event,
        targeted=ders.count(),
        answered=answered,
        silent_count=silent.count(),
        silent=list(silent.order_by("sfdi", "pk")[:SILENT_SHOWN]),
    )
