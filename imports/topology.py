"""Topology nodes from CSV: the GIS's feeder model, System down to Service point, and flat groups.

Columns: ``id, level, parent, name``. ``id`` is the GIS's own id, kept (imports.TopologyNode) so later
files, and the authorization file, can name the node; ``level`` is a level's name (``Feeder``,
``Service point``, ``Non-topology``...) or number; ``parent`` is the id of a node in this file or an
earlier one, empty for a System or a non-topology group. A node already imported with the same values
changes nothing; one under another parent is moved there with its subtree; another name or level is
refused (rename it in the portal).

Nodes are created through groups.services.create_group (each takes its place in the tree and is
audited and recorded in the change feed), parents before children, in one transaction.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from groups import services
from groups.models import Group, Level, check_placement
from imports.models import TopologyNode
from imports.rows import PROGRESS_EVERY, Progress, Report, read_rows

COLUMNS = ("id", "level", "parent", "name")
NAME_MAX = Group._meta.get_field("name").max_length
ID_MAX = TopologyNode._meta.get_field("node_id").max_length
_LEVELS = (
    {label.lower(): value for value, label in Level.choices}
    | {str(value): value for value in Level.values}
    | {"non_topology": Level.NON_TOPOLOGY, "service_point": Level.SERVICE_POINT}
)


@dataclass(frozen=True)
class Node:
    line: int
    node_id: str
    level: int
    parent_id: str
    name: str


@dataclass(frozen=True)
class Plan:
    """What applying the file does: nodes to create (parents first) and stored nodes to move."""

    create: list[Node]
    move: list[Node]


def validate(text: str, *, report: Report, progress: Progress) -> Plan:
    stored = {node.node_id: node for node in TopologyNode.objects.select_related("group")}
    by_path = {node.group.path: node.node_id for node in stored.values()}
    rows: dict[str, Node] = {}
    for count, (line, row) in enumerate(read_rows(text, columns=COLUMNS, report=report), start=1):
        node = _node(line, row, report)
        if node is not None:
            if node.node_id in rows:
                report.add(line, "id", f"Listed already on line {rows[node.node_id].line}.")
            else:
                rows[node.node_id] = node
        if count % PROGRESS_EVERY == 0:
            progress(count)

    levels = {node_id: node.group.level for node_id, node in stored.items()} | {
        node_id: node.level for node_id, node in rows.items()
    }
    create, move = [], []
    for node in rows.values():
        if node.parent_id and node.parent_id not in levels:
            report.add(node.line, "parent", f"No node has the id {node.parent_id!r}, in this file or before.")
            continue
        parent = Group(level=levels[node.parent_id]) if node.parent_id else None
        try:
            check_placement(level=node.level, parent=parent)
        except ValidationError as exc:
            report.add(node.line, "parent" if node.parent_id else "level", exc.messages[0])
            continue
        existing = stored.get(node.node_id)
        if existing is None:
            create.append(node)
        elif (existing.group.name, existing.group.level) != (node.name, node.level):
            report.add(
                node.line,
                "name",
                f"Node {node.node_id!r} exists as {existing.group}; rename it in the portal, not by import.",
            )
        elif _parent_node_id(existing.group, by_path) != node.parent_id:
            move.append(node)
    # A child is always at a deeper level than its parent, so level order puts parents first.
    return Plan(create=sorted(create, key=lambda n: n.level), move=move)


def _parent_node_id(group: Group, by_path: dict[str, str]) -> str | None:
    """The imported id of the group's parent: "" for a root, None for a parent no file named."""
    if group.depth <= 1:
        return ""
    return by_path.get(group.path[: -Group.steplen])


def _node(line: int, row: dict, report: Report) -> Node | None:
    bad = report.count
    if not row["id"]:
        report.add(line, "id", "Every node needs an id.")
    elif len(row["id"]) > ID_MAX:
        report.add(line, "id", f"At most {ID_MAX} characters.")
    level = _LEVELS.get(row["level"].lower())
    if level is None:
        report.add(line, "level", f"Expected one of {', '.join(label for _, label in Level.choices)}.")
    if not row["name"]:
        report.add(line, "name", "Every node needs a name.")
    elif len(row["name"]) > NAME_MAX:
        report.add(line, "name", f"At most {NAME_MAX} characters.")
    if row["parent"] == row["id"] and row["id"]:
        report.add(line, "parent", "A node cannot be its own parent.")
    if report.count > bad:
        return None
    return Node(line=line, node_id=row["id"], level=level, parent_id=row["parent"], name=row["name"])


def apply(plan: Plan, *, actor, progress: Progress) -> dict[str, int]:
    """Create and move the plan's nodes; the caller holds the transaction."""
    groups = dict(TopologyNode.objects.values_list("node_id", "group_id"))
    created = []
    for done, node in enumerate(plan.create, start=1):
        parent = Group.objects.get(pk=groups[node.parent_id]) if node.parent_id else None
        group = services.create_group(actor=actor, name=node.name, level=node.level, parent=parent)
        groups[node.node_id] = group.pk
        created.append(TopologyNode(node_id=node.node_id, group=group))
        if done % 100 == 0:
            progress(done)
    TopologyNode.objects.bulk_create(created, batch_size=2000)
    for node in plan.move:
        services.move_subtree(
            actor=actor,
            node=Group.objects.get(pk=groups[node.node_id]),
            new_parent=Group.objects.get(pk=groups[node.parent_id]),
        )
    progress(len(plan.create) + len(plan.move))
    return {"created": len(plan.create), "moved": len(plan.move)}
