from django.shortcuts import render

from derms.portal.access import staff_required
from notifications.selectors import delivery_overview


@staff_required
def overview(request):
    """Whether subscribers are being told: the feed's backlog, what is owed, and what finally failed."""
    return render(request, "portal/notifications.html", {"overview": delivery_overview()})
