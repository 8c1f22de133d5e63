"""The EndDeviceList as a client pages through it: sFDI order, an aggregator's own EndDevice among its DERs.

An aggregator's list can hold tens of thousands of DERs and is read deep (``s`` near the end), so the page
is found on the (aggregator, sfdi, id) index alone and only its rows are then read; the aggregator's own
EndDevice, which is not one of its DERs, is slotted in at its place in sFDI order.
"""

from __future__ import annotations

from django.db.models import Count, Q

from csip_api.paging import Page, PageRequest, paginate_sequence
from csip_api.scope import Scope
from derms.models import EndDevice

ORDER = ("sfdi", "id")


def end_device_page(scope: Scope, request: PageRequest) -> Page[EndDevice]:
    """One page of the client's EndDeviceList and the list's size (two queries for an aggregator)."""
    own = scope.end_device
    own_listed = own is not None and (request.after is None or own.changed_time >= request.after)
    if not scope.client.is_aggregator:
        return paginate_sequence([own] if own_listed else [], request)
    managed = scope.managed()
    if request.after is not None:
        managed = managed.filter(changed_time__gte=request.after)
    ahead_of_own = Q(sfdi__lt=own.sfdi) | Q(sfdi=own.sfdi, pk__lt=own.pk)
    counts = managed.aggregate(total=Count("pk"), ahead=Count("pk", filter=ahead_of_own))
    total = counts["total"] + own_listed
    start, end = request.start, min(request.start + request.limit, total)
    if start >= end:
        return Page(items=[], all=total)
    # Positions at or after the aggregator's own place belong to the DER one place earlier.
    rank = counts["ahead"] if own_listed else total
    first, last = start - (start > rank), end - (end > rank)
    page_ids = managed.order_by(*ORDER).values("pk")[first:last]
    items = list(EndDevice.objects.filter(pk__in=page_ids).order_by(*ORDER))
    if start <= rank < end:
        items.insert(rank - start, own)
    return Page(items=items, all=total)
