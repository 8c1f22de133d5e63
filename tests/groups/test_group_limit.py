"""CSIP 4.3 / 5.2.3: a DER belongs to at most 15 groups, topology and non-topology together."""

import pytest
from django.core.exceptions import ValidationError

from derms.models import AuditEntry, EndDevice, Role
from groups.models import MAX_GROUPS_PER_DER, Group, Level
from groups.selectors import end_devices_in, topology_groups
from groups.services import assign_groups, check_move, create_group, move_subtree
from tests.factories import make_end_device, make_group, make_non_topology_group


def group_count(end_device: EndDevice) -> int:
    return len(topology_groups(end_device)) + end_device.non_topology_groups.count()


def vendors(count: int) -> list[Group]:
    return [make_non_topology_group(f"Enrolment {n}") for n in range(count)]


def test_a_der_may_belong_to_exactly_fifteen_groups(direct_der, topology):
    # The service point sits at depth 4: four topology groups, so eleven non-topology groups fit.
    assign_groups(
        actor=None,
        end_device=direct_der,
        topology_group=topology.service_point,
        non_topology_groups=vendors(11),
    )

    direct_der.refresh_from_db()
    assert group_count(direct_der) == MAX_GROUPS_PER_DER


def test_a_sixteenth_group_is_refused_and_nothing_changes(direct_der, topology):
    with pytest.raises(ValidationError, match="at most 15 groups; this would make 16"):
        assign_groups(
            actor=None,
            end_device=direct_der,
            topology_group=topology.service_point,
            non_topology_groups=vendors(12),
        )

    assert direct_der.non_topology_groups.count() == 0
    assert not AuditEntry.objects.filter(action="assign_groups").exists()


def test_assigning_groups_writes_an_audit_entry_with_before_and_after(
    direct_der, topology, handbook_administrator
):
    vendor = make_non_topology_group("Vendor: Helios")

    assign_groups(
        actor=handbook_administrator,
        end_device=direct_der,
        topology_group=topology.feeder,
        non_topology_groups=[vendor],
    )

    entry = AuditEntry.objects.get(action="assign_groups")
    assert entry.before["topology_group_id"] == topology.service_point.pk
    assert entry.after["topology_group_id"] == topology.feeder.pk
    assert entry.after["non_topology_groups"] == [vendor.pk]
    assert entry.actor_name == "handbook"


def test_a_topology_group_cannot_be_given_as_a_non_topology_group(direct_der, topology):
    with pytest.raises(ValidationError, match="Topology groups cannot"):
        assign_groups(
            actor=None,
            end_device=direct_der,
            topology_group=topology.service_point,
            non_topology_groups=[topology.feeder],
        )


def test_an_aggregator_belongs_to_no_group(aggregator, topology):
    with pytest.raises(ValidationError):
        assign_groups(actor=None, end_device=aggregator, topology_group=topology.feeder)


@pytest.fixture
def crowded_der(topology) -> EndDevice:
    """A DER at the service point (depth 4) in eleven non-topology groups: fifteen groups, the limit."""
    return make_end_device(
        seed="crowded", topology_group=topology.service_point, non_topology_groups=tuple(vendors(11))
    )


def test_a_subtree_move_that_would_push_a_der_over_fifteen_groups_is_refused(topology, crowded_der):
    # Moving the substation under a new sub-transmission area adds one level above every DER below it.
    area = create_group(actor=None, name="SUBTX-A1-B1", level=Level.SUB_TRANSMISSION, parent=topology.system)
    old_path = Group.objects.get(pk=topology.feeder.pk).path

    with pytest.raises(ValidationError) as refused:
        move_subtree(actor=None, node=topology.substation, new_parent=area)

    assert crowded_der.lfdi in refused.value.messages[0]
    assert "16 groups" in refused.value.messages[0]
    assert Group.objects.get(pk=topology.feeder.pk).path == old_path
    assert not AuditEntry.objects.filter(action="move").exists()


def test_the_limit_check_for_a_move_is_one_query(topology, crowded_der, django_assert_num_queries):
    area = make_group("SUBTX-A1-B1", Level.SUB_TRANSMISSION, Group.objects.get(pk=topology.system.pk))
    substation = Group.objects.get(pk=topology.substation.pk)

    with django_assert_num_queries(1), pytest.raises(ValidationError):
        check_move(node=substation, new_parent=area)


def test_a_subtree_moves_in_one_operation_with_its_ders(topology, direct_der, managed_ders, dispatcher):
    other_substation = create_group(
        actor=None, name="SUB-A1-C2", level=Level.SUBSTATION, parent=topology.system
    )

    move_subtree(actor=dispatcher, node=topology.feeder, new_parent=other_substation)

    feeder = Group.objects.get(pk=topology.feeder.pk)
    assert Group.objects.get_parent(feeder) == other_substation
    service_point = Group.objects.get(pk=topology.service_point.pk)
    assert Group.objects.get_parent(service_point) == feeder
    direct_der.refresh_from_db()
    assert [g.name for g in topology_groups(direct_der)] == [
        "SYS-A1",
        "SUB-A1-C2",
        "FDR-A1-C1-D1",
        "SP-A1-C1-D1-G1",
    ]
    assert set(end_devices_in(other_substation)) == {direct_der, *managed_ders}
    assert not end_devices_in(Group.objects.get(pk=topology.substation.pk)).exists()
    entry = AuditEntry.objects.get(action="move")
    assert (entry.before["parent"], entry.after["parent"]) == (topology.substation.pk, other_substation.pk)
    assert entry.actor == dispatcher


def test_a_move_that_makes_the_tree_shallower_skips_the_device_check(topology, crowded_der):
    segment = create_group(actor=None, name="SEG-A1-C1-D1-E1", level=Level.SEGMENT, parent=topology.feeder)
    point = create_group(actor=None, name="SP-A1-C1-D1-E1-G9", level=Level.SERVICE_POINT, parent=segment)
    crowded = make_end_device(seed="deep", topology_group=point, non_topology_groups=tuple(vendors(10)[:10]))

    move_subtree(actor=None, node=point, new_parent=topology.feeder)

    crowded.refresh_from_db()
    assert group_count(crowded) == 14


def test_a_group_cannot_move_below_its_own_descendant(topology):
    with pytest.raises(ValidationError, match="deeper level"):
        move_subtree(actor=None, node=topology.substation, new_parent=topology.feeder)


def test_a_move_must_respect_the_levels(topology):
    with pytest.raises(ValidationError, match="deeper level"):
        move_subtree(actor=None, node=topology.feeder, new_parent=topology.service_point)


def test_a_non_topology_group_counts_its_members(topology, direct_der, managed_ders):
    vendor = make_non_topology_group("Vendor: Northwind")
    managed_ders[0].non_topology_groups.add(vendor)

    assert list(end_devices_in(vendor)) == [managed_ders[0]]
    assert set(end_devices_in(topology.feeder)) == {direct_der, *managed_ders}
    assert EndDevice.objects.filter(role=Role.MANAGED).count() == 2


def test_a_subtree_move_that_deepens_within_the_limit_adds_the_new_ancestor(topology, direct_der):
    area = create_group(actor=None, name="SUBTX-A1-B1", level=Level.SUB_TRANSMISSION, parent=topology.system)

    move_subtree(actor=None, node=topology.substation, new_parent=area)

    direct_der.refresh_from_db()
    assert [g.level for g in topology_groups(direct_der)] == [
        Level.SYSTEM,
        Level.SUB_TRANSMISSION,
        Level.SUBSTATION,
        Level.FEEDER,
        Level.SERVICE_POINT,
    ]
    assert Group.objects.find_problems() == ([], [], [], [], [])
