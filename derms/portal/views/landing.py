from django.shortcuts import render

from derms.portal.access import staff_required
from derms.selectors import overview


@staff_required
def landing(request):
    """The first page a dispatcher or handbook administrator sees."""
    waiting_count, waiting = overview.authorizations_needing_action()
    tree, levels = overview.group_tree_summary()
    return render(
        request,
        "portal/landing.html",
        {
            "fleet": overview.fleet_counts(),
            "waiting_count": waiting_count,
            "waiting": waiting,
            "tree": tree,
            "levels": levels,
            "non_topology_groups": overview.non_topology_groups(),
            "programs": overview.programs_by_primacy(),
            "audit": overview.recent_audit(),
        },
    )
