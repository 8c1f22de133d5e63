"""Changes to the group tree and to a DER's group memberships, each checked against CSIP's limits.

Every change runs in one transaction and leaves an AuditEntry. The 15-group limit (CSIP 4.3, 5.2.3)
counts a DER's topology node, that node's ancestors and its non-topology groups.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from derms import changefeed
from derms.changefeed import affected
from derms.models import EndDevice, Role
from derms.models.devices import check_group_limit
from derms.services import audit
from groups.models import MAX_GROUPS_PER_DER, Group, check_placement
from groups.selectors import end_devices_in, topology_paths


def group_state(group: Group) -> dict:
    """An audit snapshot of a group, with its parent, which treebeard keeps only inside the path."""
    parent = Group.objects.get_parent(group) if group.depth > 1 else None
    return {**audit.snapshot(group), "parent": parent.pk if parent else None}


@transaction.atomic
def create_group(
    *, actor, name: str, level: int, parent: Group | None = None, description: str = ""
) -> Group:
    """Create a group under ``parent`` (a root when None) at ``level``."""
    if parent is not None:
        parent = Group.objects.select_for_update().get(pk=parent.pk)
    check_placement(level=level, parent=parent)
    group = Group(name=name, level=level, description=description)
    group.clean_fields(exclude=["path", "depth", "numchild"])
    if parent is None:
        group = Group.objects.add_root(instance=group)
    else:
        group = Group.objects.add_child(parent, instance=group)
    changefeed.record("group_created", affected.group(group.pk))
    audit.record(actor=actor, action="create", obj=group, after=group_state(group))
    return group


def check_move(*, node: Group, new_parent: Group | None) -> None:
    """Raise ValidationError unless ``node`` and its subtree may move under ``new_parent``.

    Levels already forbid a move below the node's own descendants (they are all deeper).
    One aggregate query finds the DERs in the subtree that the move would push over the limit:
    each gains (or loses) as many topology groups as the subtree's depth changes.
    """
    check_placement(level=node.level, parent=new_parent)
    if new_parent is None:
        return
    shift = new_parent.depth + 1 - node.depth
    if shift <= 0:
        return
    over = list(
        end_devices_in(node)
        .annotate(group_total=F("topology_group__depth") + shift + Count("non_topology_groups"))
        .filter(group_total__gt=MAX_GROUPS_PER_DER)
        .order_by("sfdi")
        .values_list("lfdi", "group_total")[:5]
    )
    if over:
        examples = ", ".join(f"{lfdi} ({total} groups)" for lfdi, total in over)
        raise ValidationError(
            f"Moving {node.name} under {new_parent.name} would put DERs in more than "
            f"{MAX_GROUPS_PER_DER} groups: {examples}.",
            code="too_many_groups",
        )


@transaction.atomic
def move_subtree(*, actor, node: Group, new_parent: Group) -> Group:
    """Move ``node`` with everything below it under ``new_parent``, in one tree operation."""
    node = Group.objects.select_for_update().get(pk=node.pk)
    new_parent = Group.objects.select_for_update().get(pk=new_parent.pk)
    check_move(node=node, new_parent=new_parent)
    before = group_state(node)
    Group.objects.move(node, new_parent, pos="sorted-child")
    node.refresh_from_db()
    moved = end_devices_in(node).values_list("pk", flat=True).iterator(chunk_size=5000)
    changefeed.record("subtree_moved", affected.subtree(node.pk, moved))
    audit.record(actor=actor, action="move", obj=node, before=before, after=group_state(node))
    return node


def check_assignment(
    *, end_device: EndDevice, topology_group: Group | None, non_topology_groups: Iterable[Group]
) -> None:
    """Raise ValidationError unless the DER may sit at ``topology_group`` and in ``non_topology_groups``."""
    non_topology_groups = set(non_topology_groups)
    if end_device.role == Role.AGGREGATOR and (topology_group is not None or non_topology_groups):
        raise ValidationError("An aggregator is not a DER and belongs to no group.")
    if topology_group is not None and not topology_group.is_topology:
        raise ValidationError(f"{topology_group.name} is not a topology group.")
    if misplaced := sorted(g.name for g in non_topology_groups if g.is_topology):
        raise ValidationError(
            f"Topology groups cannot be added as non-topology groups: {', '.join(misplaced)}."
        )
    check_group_limit(
        topology_depth=topology_group.depth if topology_group is not None else 0,
        non_topology_count=len(non_topology_groups),
    )


@transaction.atomic
def assign_groups(
    *,
    actor,
    end_device: EndDevice,
    topology_group: Group | None,
    non_topology_groups: Iterable[Group] = (),
) -> EndDevice:
    """Place a DER at a topology node and set its non-topology groups.

    The node and its ancestors are locked, so a concurrent subtree move cannot slip past the limit.
    """
    end_device = EndDevice.objects.select_for_update().get(pk=end_device.pk)
    if topology_group is not None:
        branch = Group.objects.filter(path__in=topology_paths(topology_group))
        topology_group = next(g for g in branch.select_for_update() if g.pk == topology_group.pk)
    non_topology_groups = list(non_topology_groups)
    check_assignment(
        end_device=end_device, topology_group=topology_group, non_topology_groups=non_topology_groups
    )
    before = audit.snapshot(end_device)
    end_device.topology_group = topology_group
    # Clients reading the EndDeviceList with ``a`` must see the move.
    end_device.changed_time = timezone.now()
    end_device.save(update_fields=["topology_group", "changed_time"])
    end_device.non_topology_groups.set(non_topology_groups)
    changefeed.record("groups_assigned", affected.placement(end_device))
    audit.record_change(actor=actor, action="assign_groups", obj=end_device, before=before)
    return end_device


@transaction.atomic
def rename_group(*, actor, group: Group, name: str, description: str | None = None) -> Group:
    """Give a group another name (and description); its place in the tree and its members stay."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    before = group_state(group)
    group.name = name
    if description is not None:
        group.description = description
    group.full_clean(exclude=["path", "depth", "numchild"])
    group.save(update_fields=["name", "description"])
    changefeed.record("group_renamed", affected.group(group.pk))
    audit.record(actor=actor, action="rename", obj=group, before=before, after=group_state(group))
    return group


def add_members(*, actor, group: Group, end_devices: Iterable[EndDevice]) -> list[EndDevice]:
    """Add DERs to a non-topology group, all or none, each checked against the 15-group limit."""
    if group.is_topology:
        raise ValidationError(f"{group.name} is a topology group: place DERs in it instead.")
    with transaction.atomic():
        added = []
        for end_device in end_devices:
            current = list(end_device.non_topology_groups.all())
            if group in current:
                continue
            try:
                assign_groups(
                    actor=actor,
                    end_device=end_device,
                    topology_group=end_device.topology_group,
                    non_topology_groups=[*current, group],
                )
            except ValidationError as exc:
                raise ValidationError(f"{end_device.lfdi}: {' '.join(exc.messages)}") from exc
            added.append(end_device)
    return added


@transaction.atomic
def remove_member(*, actor, group: Group, end_device: EndDevice) -> EndDevice:
    """Take one DER out of a non-topology group."""
    current = list(end_device.non_topology_groups.all())
    if group not in current:
        raise ValidationError(f"{end_device.lfdi} is not in {group.name}.")
    return assign_groups(
        actor=actor,
        end_device=end_device,
        topology_group=end_device.topology_group,
        non_topology_groups=[g for g in current if g != group],
    )
