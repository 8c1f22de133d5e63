"""What a dispatcher or handbook administrator sees first: the fleet, what waits, the grid, the programs."""

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import Substr

from derms.models import AuditEntry, Authorization, DERProgram, EndDevice, Role
from groups.models import Group, Level


@dataclass(frozen=True)
class RoleCount:
    role: str
    label: str
    total: int
    enabled: int


def fleet_counts() -> list[RoleCount]:
    """EndDevices per role, with how many are enabled; one query."""
    rows = {
        row["role"]: row
        for row in EndDevice.objects.order_by()
        .values("role")
        .annotate(total=Count("id"), enabled=Count("id", filter=Q(enabled=True)))
    }
    return [
        RoleCount(role, label, rows.get(role, {}).get("total", 0), rows.get(role, {}).get("enabled", 0))
        for role, label in Role.choices
    ]


def authorizations_needing_action(*, limit: int = 10) -> tuple[int, list[Authorization]]:
    """Entries pending a decision or seen from unknown certificates, most recently seen first."""
    waiting = Authorization.objects.filter(
        status__in=[Authorization.Status.PENDING, Authorization.Status.SEEN]
    ).select_related("aggregator", "topology_group")
    ordered = waiting.order_by(F("last_seen").desc(nulls_last=True), "lfdi")
    return waiting.count(), list(ordered[:limit])


@dataclass(frozen=True)
class TreeRow:
    group: Group
    der_count: int


def group_tree_summary(*, max_depth: int = 3) -> tuple[list[TreeRow], list[dict]]:
    """The top of the topology tree with the DERs under each node, and how many groups each level has.

    DERs are counted once per subtree prefix in the database, then summed up the tree: three queries
    whatever the size of the grid.
    """
    nodes = list(
        Group.objects.filter(depth__lte=max_depth).exclude(level=Level.NON_TOPOLOGY).order_by("path")
    )
    prefix_length = Group.steplen * max_depth
    counts = (
        EndDevice.objects.filter(topology_group__isnull=False)
        .order_by()
        .values(prefix=Substr("topology_group__path", 1, prefix_length))
        .annotate(n=Count("id"))
    )
    per_prefix = {row["prefix"]: row["n"] for row in counts}
    rows = [
        TreeRow(node, sum(n for prefix, n in per_prefix.items() if prefix.startswith(node.path)))
        for node in nodes
    ]
    levels = [
        {"level": Level(row["level"]).label, "groups": row["groups"]}
        for row in Group.objects.order_by("level").values("level").annotate(groups=Count("id"))
    ]
    return rows, levels


def non_topology_groups() -> list[Group]:
    """Vendor, program enrolment and other flat groups, with their member counts."""
    return list(
        Group.objects.filter(level=Level.NON_TOPOLOGY)
        .annotate(members=Count("member_end_devices"))
        .select_related("der_program")
        .order_by("name")
    )


def programs_by_primacy() -> list[dict]:
    """DERPrograms grouped by primacy and group level, highest priority (lowest primacy) first."""
    rows = (
        DERProgram.objects.order_by("primacy", "group__level")
        .values("primacy", "group__level")
        .annotate(programs=Count("id", distinct=True), events=Count("controls", distinct=True))
    )
    return [{**row, "level": Level(row["group__level"]).label} for row in rows]


def recent_audit(*, limit: int = 10) -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("-at", "-id")[:limit])
