"""Reads about groups and their members: THE place that says which groups a DER belongs to."""

from django.db.models import QuerySet

from derms.models import EndDevice
from groups.models import Group


def topology_paths(node: Group | None) -> list[str]:
    """The materialized paths of a topology node and all its ancestors, System first (no query)."""
    if node is None:
        return []
    return [node.path[:end] for end in range(Group.steplen, len(node.path) + 1, Group.steplen)]


def topology_groups(end_device: EndDevice) -> list[Group]:
    """The DER's topology node and all its ancestors, System first (one query; none without a node)."""
    paths = topology_paths(end_device.topology_group)
    return list(Group.objects.filter(path__in=paths).order_by("path")) if paths else []


def belongs_to(*, end_device: EndDevice, group: Group) -> bool:
    """Whether the DER is in ``group``: at or under a topology group, or a member of a non-topology one."""
    if group.is_topology:
        return group.path in topology_paths(end_device.topology_group)
    return end_device.non_topology_groups.filter(pk=group.pk).exists()


def end_devices_in(group: Group) -> QuerySet[EndDevice]:
    """The DERs that belong to ``group``: placed in its subtree, or members of the non-topology group."""
    if group.is_topology:
        return EndDevice.objects.filter(topology_group__path__startswith=group.path)
    return EndDevice.objects.filter(non_topology_groups=group)
