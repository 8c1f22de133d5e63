"""Finding an EndDevice, and its page: where it sits, what it follows, what it will do, what it said."""

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from derms.lfdi import normalize_lfdi
from derms.models import EndDevice
from derms.portal.access import staff_required
from derms.portal.forms import TimelineWindowForm
from derms.selectors import devices, readings, status_history


@staff_required
def device_search(request):
    """LFDI prefix or SFDI; a single match opens its page."""
    query = request.GET.get("q", "").strip()
    found = devices.search_end_devices(query=query) if query else []
    if len(found) == 1:
        return redirect("portal:device", lfdi=found[0].lfdi)
    return render(
        request,
        "portal/device_search.html",
        {"query": query, "found": found, "limit": devices.SEARCH_LIMIT},
    )


@staff_required
def device_page(request, lfdi: str):
    try:
        lfdi = normalize_lfdi(lfdi)
    except ValidationError as exc:
        raise Http404("No EndDevice with this LFDI.") from exc
    end_device = get_object_or_404(
        EndDevice.objects.select_related("aggregator", "topology_group"), lfdi=lfdi
    )
    overview = devices.device_overview(end_device=end_device)
    window = TimelineWindowForm.from_query(request.GET, now=timezone.now())
    shown = window.instants
    timeline = (
        devices.device_timeline(end_device=end_device, programs=overview.programs, **shown)
        if shown is not None and end_device.is_der
        else []
    )
    hours = _reading_hours(request.GET.get("hours"))
    until = timezone.now()
    series = readings.reading_series(end_device, until=until, hours=hours)
    statuses = (
        status_history.status_history(end_device, until=until, hours=hours) if end_device.is_der else None
    )
    context = {
        "device": overview,
        "window": window,
        "timeline": timeline,
        "readings": [asdict(s) for s in series],
        "reading_hours": hours,
        "reading_windows": readings.WINDOWS,
        "status_history": statuses,
        "status_series": [asdict(s) for s in statuses.series] if statuses else [],
        "status_limits": (status_history.MAX_STATUSES, status_history.CHANGES_SHOWN),
    }
    return render(request, "portal/device.html", context, status=200 if shown is not None else 400)


def _reading_hours(value: str | None) -> int:
    """One of the offered windows; anything else is the default day."""
    return int(value) if value in {str(hours) for hours in readings.WINDOWS} else 24
