"""Topology and non-topology groups (CSIP 4.3, 5.2.3).

Topology groups form one tree in the seven CSIP levels, stored as a materialized path
(django-treebeard's MP_Node): a subtree is one indexed prefix query, the ancestors of a node are read
from its own path, and moving a subtree is one ``move()``. Non-topology groups (vendor, program
enrolment, ...) are roots of their own with no children.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Func
from treebeard.mp_tree import MP_Node

#: A DER may belong to at most this many groups, topology and non-topology together (CSIP 4.3, 5.2.3).
MAX_GROUPS_PER_DER = 15


class Level(models.IntegerChoices):
    SYSTEM = 1, "System"
    SUB_TRANSMISSION = 2, "Sub-transmission"
    SUBSTATION = 3, "Substation"
    FEEDER = 4, "Feeder"
    SEGMENT = 5, "Segment"
    SERVICE_TRANSFORMER = 6, "Service transformer"
    SERVICE_POINT = 7, "Service point"
    NON_TOPOLOGY = 99, "Non-topology"


class InSubtree(Func):
    """Whether the materialized path ``path`` lies in the subtree rooted at path ``root`` (root included).

    The same test as ``path__startswith=root``, written as the byte-order range ``root <= path < root~``
    (path steps are digits and capitals, all below "~"), so that an index on the path serves it even when
    ``root`` comes from an outer query: there LIKE needs a constant pattern. PostgreSQL compares in byte
    order with its pattern operators, which the path's pattern-ops index serves; SQLite's TEXT does.
    """

    output_field = BooleanField()
    arity = 2

    def as_sql(self, compiler, connection, operators=(">=", "<"), **extra_context):
        path, path_params = compiler.compile(self.source_expressions[0])
        root, root_params = compiler.compile(self.source_expressions[1])
        low, high = operators
        sql = f"({path} {low} {root} AND {path} {high} ({root} || '~'))"
        return sql, (*path_params, *root_params, *path_params, *root_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, operators=("~>=~", "~<~"))


class Group(MP_Node):
    """A group of DERs that a DERProgram can target."""

    name = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    description = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    node_order_by = ["level", "name"]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=Level.values), name="group_level_known"),
        ]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self):
        return f"{self.get_level_display()}: {self.name}"

    @property
    def is_topology(self) -> bool:
        return self.level != Level.NON_TOPOLOGY

    def clean(self):
        if not self.depth:
            return  # not in the tree yet: groups.services.create_group checks where it goes
        parent = Group.objects.get_parent(self) if self.depth > 1 else None
        check_placement(level=self.level, parent=parent)


def check_placement(*, level: int, parent: Group | None) -> None:
    """Raise ValidationError unless a group of ``level`` may sit under ``parent``.

    A child is always deeper than its parent (levels may be skipped); only a System sits at the top of
    the topology; non-topology groups are flat.
    """
    if level == Level.NON_TOPOLOGY:
        if parent is not None:
            raise ValidationError("A non-topology group cannot have a parent.")
        return
    if parent is None:
        if level != Level.SYSTEM:
            raise ValidationError("Only a System group can be the root of the topology.")
        return
    if not parent.is_topology:
        raise ValidationError("A non-topology group cannot have children.")
    if level <= parent.level:
        raise ValidationError(
            f"A {Level(level).label} cannot sit under a {Level(parent.level).label}: "
            "a child must be at a deeper level than its parent."
        )
