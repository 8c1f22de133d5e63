"""Reads about groups and their members."""

from django.db.models import QuerySet

from derms.models import EndDevice
from groups.models import Group


def end_devices_in(group: Group) -> QuerySet[EndDevice]:
    """The DERs that belong to ``group``: placed in its subtree, or members of the non-topology group."""
    if group.is_topology:
        return EndDevice.objects.filter(topology_group__path__startswith=group.path)
    return EndDevice.objects.filter(non_topology_groups=group)
