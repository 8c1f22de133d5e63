"""InSubtree is the prefix test on materialized paths, in the form an index serves from an outer query."""

from django.db.models import Exists, F, OuterRef, Value

from groups.models import Group, InSubtree, Level


def _tree():
    """A System with twelve feeders (child steps 1..9, A, B, C), two service points each, and a flat group."""
    system = Group.objects.add_root(create_kwargs={"name": "SYS", "level": Level.SYSTEM})
    for f in range(12):
        feeder = Group.objects.add_child(system, create_kwargs={"name": f"F{f:02}", "level": Level.FEEDER})
        for p in range(2):
            Group.objects.add_child(
                feeder, create_kwargs={"name": f"SP{f:02}{p}", "level": Level.SERVICE_POINT}
            )
    Group.objects.add_root(create_kwargs={"name": "VENDOR", "level": Level.NON_TOPOLOGY})


def test_in_subtree_selects_exactly_the_paths_that_start_with_the_root(db):
    _tree()
    for root in Group.objects.all():
        expected = set(Group.objects.filter(path__startswith=root.path).values_list("pk", flat=True))
        found = set(Group.objects.filter(InSubtree(F("path"), Value(root.path))).values_list("pk", flat=True))
        assert found == expected, root.path


def test_in_subtree_takes_its_root_from_an_outer_query(db):
    _tree()
    for node in Group.objects.all():
        node_below = Group.objects.filter(InSubtree(F("path"), OuterRef("path")), pk=node.pk)
        holders = set(Group.objects.filter(Exists(node_below)).values_list("pk", flat=True))
        ancestors_and_self = {g.pk for g in Group.objects.all() if node.path.startswith(g.path)}
        assert holders == ancestors_and_self, node.path
