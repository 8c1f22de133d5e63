"""The live dashboard page; its figures arrive over the websocket of live.consumers."""

import json

from django.shortcuts import get_object_or_404, render

from derms.portal.access import staff_required
from groups.models import Group, Level


@staff_required
def dashboard(request):
    """The whole fleet, or the subtree of the topology node named by ``?node=``."""
    node = None
    if node_id := request.GET.get("node", "").strip():
        node = get_object_or_404(
            Group.objects.exclude(level=Level.NON_TOPOLOGY), pk=int(node_id) if node_id.isdigit() else 0
        )
    subscription = {"subscribe": "fleet"} if node is None else {"subscribe": "node", "id": node.pk}
    return render(
        request,
        "live/dashboard.html",
        {
            "node": node,
            "ancestors": node.get_ancestors() if node else [],
            "subscription": json.dumps(subscription),
        },
    )
