"""The whole topology tree for the group pages: every node with the DERs and nameplate watts under it,
and what moving a subtree would change."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from derms.models import DERProgram, EndDevice
from groups.models import Group, Level
from groups.selectors import end_devices_in, topology_paths


@dataclass
class TreeNode:
    group: Group
    der_count: int
    #: The sum of rtgMaxW (DERCapability, in W) of the DERs in the subtree that reported one.
    capacity_w: float
    children: list["TreeNode"] = field(default_factory=list)
    #: Whether the node answers the search (when there is one).
    match: bool = False

    @property
    def capacity_kw(self) -> float:
        return self.capacity_w / 1000


def _subtree_totals(prefix: str = "") -> tuple[dict[str, int], dict[str, float]]:
    """DERs and rtgMaxW per subtree path: one query per node placed at, summed up to every ancestor."""
    counts: dict[str, int] = defaultdict(int)
    watts: dict[str, float] = defaultdict(float)
    rows = (
        EndDevice.objects.filter(topology_group__path__startswith=prefix)
        .order_by()
        .values("topology_group__path")
        .annotate(n=Count("id"), w=Sum("der_capability__rtg_max_w"))
    )
    for row in rows:
        for path in topology_paths(Group(path=row["topology_group__path"])):
            counts[path] += row["n"]
            watts[path] += row["w"] or 0.0
    return counts, watts


def topology_tree(*, search: str = "") -> list[TreeNode]:
    """The System roots with every node below them; with ``search``, only matches and their ancestors."""
    counts, watts = _subtree_totals()
    groups = list(Group.objects.exclude(level=Level.NON_TOPOLOGY).order_by("path"))
    return _nest(groups, counts, watts, search)


def subtree(group: Group) -> TreeNode:
    """One topology node with everything below it."""
    counts, watts = _subtree_totals(group.path)
    (node,) = _nest(list(Group.objects.filter(path__startswith=group.path).order_by("path")), counts, watts)
    return node


def _nest(groups: list[Group], counts, watts, search: str = "") -> list[TreeNode]:
    wanted = None
    needle = search.casefold()
    if needle:
        matches = {g.path for g in groups if needle in g.name.casefold()}
        wanted = {path for match in matches for path in topology_paths(Group(path=match))}
    by_path: dict[str, TreeNode] = {}
    roots = []
    for group in groups:
        if wanted is not None and group.path not in wanted:
            continue
        match = bool(needle) and needle in group.name.casefold()
        node = TreeNode(group, counts[group.path], watts[group.path], match=match)
        by_path[group.path] = node
        parent = by_path.get(group.path[: -Group.steplen])
        (parent.children if parent else roots).append(node)
    return roots


def non_topology_groups() -> list[Group]:
    return list(
        Group.objects.filter(level=Level.NON_TOPOLOGY)
        .annotate(
            members=Count("member_end_devices"),
            capacity_w=Sum("member_end_devices__der_capability__rtg_max_w"),
        )
        .order_by("name")
    )


@dataclass(frozen=True)
class MoveImpact:
    """What moving ``node`` under ``new_parent`` changes: its DERs leave some programs and join others."""

    der_count: int
    programs_left: list[DERProgram]
    programs_joined: list[DERProgram]


def move_impact(*, node: Group, new_parent: Group) -> MoveImpact:
    """The subtree's own programs stay; the old ancestors' it leaves and the new ones' it joins change."""
    old_parent = Group.objects.get_parent(node) if node.depth > 1 else None
    old_paths, new_paths = set(topology_paths(old_parent)), set(topology_paths(new_parent))
    programs = DERProgram.objects.select_related("group").order_by("primacy", "id")
    return MoveImpact(
        der_count=end_devices_in(node).count(),
        programs_left=list(programs.filter(group__path__in=old_paths - new_paths)),
        programs_joined=list(programs.filter(group__path__in=new_paths - old_paths)),
    )
