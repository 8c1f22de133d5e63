"""Which feed resources a change to a domain object alters: the services name the change, this says where.

Kept beside the feed so every writer agrees on it. A change to a group's programs or place is recorded on
the group (and the whole topology), not on each of its possibly million DERs: readers of a DER's
FunctionSetAssignments combine the versions of its groups. A subtree move is the exception the CSIP
makes news of for every DER below the moved node, so it names each one's FunctionSetAssignmentsList.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from derms.changefeed.resources import TOPOLOGY, Kind, Resource
from derms.lfdi import sfdi_from_lfdi
from derms.models import Authorization, DERControl, DERCurve, DERProgram, EndDevice, MirrorUsagePoint
from groups.models import Group


def end_device(device: EndDevice, *, former_aggregator_id: int | None = None) -> list[Resource]:
    """The EndDevice and the EndDeviceList that lists it: its aggregator's, or a direct client's own.

    ``former_aggregator_id``: the aggregator it was listed under before this change, if another.
    """
    lists = {device.aggregator_id or device.pk}
    if former_aggregator_id is not None:
        lists.add(former_aggregator_id)
    return [
        Resource(Kind.END_DEVICE, device.pk),
        *(Resource(Kind.END_DEVICE_LIST, pk) for pk in lists),
        client(device.lfdi),
    ]


def client(lfdi: str) -> Resource:
    """Who ``lfdi`` is: its authorization or its EndDevice changed."""
    return Resource(Kind.CLIENT, sfdi_from_lfdi(lfdi))


def mirror_usage_point_list(usage_point: MirrorUsagePoint) -> Resource:
    """The list of its client's MirrorUsagePoints, which one joined or left."""
    return Resource(Kind.MIRROR_USAGE_POINT_LIST, usage_point.client_id)


def mirror_usage_point(usage_point: MirrorUsagePoint) -> list[Resource]:
    """A MirrorUsagePoint changed or deleted: it and its client's list of them."""
    return [Resource(Kind.MIRROR_USAGE_POINT, usage_point.pk), mirror_usage_point_list(usage_point)]


def placement(device: EndDevice, **kwargs) -> list[Resource]:
    """A DER moved to another topology node or given other non-topology groups.

    News on the DER's own resources and its aggregator's list, not on the whole topology: DERs are
    registered and placed all day in a large utility, and every reader of the topology would read again.
    """
    return [*end_device(device, **kwargs), Resource(Kind.FSA_LIST, device.pk)]


def group(group_id: int) -> list[Resource]:
    """A group created, renamed, moved or deleted, or its DERProgram created or removed."""
    return [Resource(Kind.GROUP, group_id), TOPOLOGY]


def subtree(node_id: int, end_device_ids: Iterable[int]) -> list[Resource]:
    """A topology node moved with everything below it: each DER in it now follows other programs."""
    return [*group(node_id), *(Resource(Kind.FSA_LIST, pk) for pk in end_device_ids)]


def program(program: DERProgram) -> list[Resource]:
    """A DERProgram's own fields (primacy, description): every DERProgramList that holds it shows them."""
    return [Resource(Kind.DER_PROGRAM, program.pk)]


def control(control: DERControl) -> list[Resource]:
    """An event and its program's DERControlList (which the ActiveDERControlList is a view of)."""
    return [Resource(Kind.DER_CONTROL, control.pk), Resource(Kind.DER_CONTROL_LIST, control.program_id)]


def default_control(program_id: int) -> list[Resource]:
    return [Resource(Kind.DEFAULT_DER_CONTROL, program_id)]


def curve(curve: DERCurve) -> list[Resource]:
    return [Resource(Kind.DER_CURVE, curve.pk), Resource(Kind.DER_CURVE_LIST, curve.program_id)]


def objects(instances: Iterable[object]) -> list[Resource]:
    """What saving or deleting these objects alters, whatever they are (the admin's generic edits)."""
    return sorted(set(_of_any(instances)))


def _of_any(instances: Iterable[object]) -> Iterator[Resource]:
    for instance in instances:
        if isinstance(instance, EndDevice):
            yield from placement(instance)
        elif isinstance(instance, DERProgram):
            yield from program(instance)
            yield from group(instance.group_id)
        elif isinstance(instance, Group):
            yield from group(instance.pk)
        elif isinstance(instance, DERControl):
            yield from control(instance)
        elif isinstance(instance, DERCurve):
            yield from curve(instance)
        elif isinstance(instance, MirrorUsagePoint):
            yield from mirror_usage_point(instance)
        elif isinstance(instance, Authorization):
            yield client(instance.lfdi)
