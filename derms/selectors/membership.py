"""Which DERPrograms a DER follows: those of every group it belongs to (CSIP 5.2.3.1).

Its FunctionSetAssignments lead to the programs of its topology node and that node's ancestors, and to
the program of each of its non-topology groups.
"""

from django.db.models import Q, QuerySet

from derms.models import DERProgram, EndDevice
from groups.selectors import topology_paths


def _member_group_ids(end_device: EndDevice) -> QuerySet:
    return end_device.non_topology_groups.through.objects.filter(enddevice_id=end_device.pk).values(
        "group_id"
    )


def topology_programs(end_device: EndDevice) -> QuerySet[DERProgram]:
    """The programs of the DER's topology node and its ancestors, by primacy."""
    paths = topology_paths(end_device.topology_group)
    return DERProgram.objects.filter(group__path__in=paths).order_by("primacy", "id")


def non_topology_programs(end_device: EndDevice) -> QuerySet[DERProgram]:
    """The programs of the DER's non-topology groups, by group id."""
    return DERProgram.objects.filter(group_id__in=_member_group_ids(end_device)).order_by("group_id")


def programs_for_device(end_device: EndDevice) -> list[DERProgram]:
    """Every program the DER follows, with its defaults, by primacy, in one query."""
    paths = topology_paths(end_device.topology_group)
    return list(
        DERProgram.objects.filter(Q(group__path__in=paths) | Q(group_id__in=_member_group_ids(end_device)))
        .select_related("default_control")
        .order_by("primacy", "id")
    )
