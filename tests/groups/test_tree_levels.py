import pytest
from django.core.exceptions import ValidationError

from derms.models import AuditEntry
from groups.models import Group, Level, check_placement
from groups.services import create_group
from tests.factories import make_non_topology_group


def test_a_child_may_skip_levels_but_must_sit_deeper_than_its_parent(topology):
    check_placement(level=Level.SERVICE_TRANSFORMER, parent=topology.substation)
    with pytest.raises(ValidationError, match="deeper level"):
        check_placement(level=Level.SUBSTATION, parent=topology.feeder)
    with pytest.raises(ValidationError, match="deeper level"):
        check_placement(level=Level.FEEDER, parent=topology.feeder)


def test_only_a_system_is_the_root_of_the_topology(db):
    with pytest.raises(ValidationError, match="Only a System"):
        create_group(actor=None, name="FDR-lonely", level=Level.FEEDER)
    assert not Group.objects.exists()


def test_non_topology_groups_are_flat(topology):
    vendor = make_non_topology_group("Vendor: Helios")
    with pytest.raises(ValidationError, match="cannot have a parent"):
        create_group(actor=None, name="Vendor: sub", level=Level.NON_TOPOLOGY, parent=topology.system)
    with pytest.raises(ValidationError, match="cannot have children"):
        create_group(actor=None, name="SP-odd", level=Level.SERVICE_POINT, parent=vendor)


def test_creating_a_group_places_it_in_the_tree_and_is_audited(topology, dispatcher):
    segment = create_group(
        actor=dispatcher, name="SEG-A1-C1-D1-E1", level=Level.SEGMENT, parent=topology.feeder
    )

    assert Group.objects.get_parent(segment) == topology.feeder
    assert list(Group.objects.get_descendants(topology.system).filter(level=Level.SEGMENT)) == [segment]
    entry = AuditEntry.objects.get(action="create", object_type="groups.Group")
    assert entry.actor == dispatcher
    assert entry.after["parent"] == topology.feeder.pk
    assert entry.after["name"] == "SEG-A1-C1-D1-E1"


def test_ancestors_and_subtree_each_take_one_query(topology, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert [g.level for g in Group.objects.get_ancestors(topology.service_point)] == [
            Level.SYSTEM,
            Level.SUBSTATION,
            Level.FEEDER,
        ]
    with django_assert_num_queries(1):
        assert len(Group.objects.get_descendants(topology.system)) == 3
