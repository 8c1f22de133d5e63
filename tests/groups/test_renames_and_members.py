"""groups.services without HTTP: renaming a group, and DERs joining and leaving non-topology groups."""

import pytest
from django.core.exceptions import ValidationError

from derms.changefeed import Kind
from derms.models import AuditEntry
from groups.services import add_members, remove_member, rename_group
from tests.factories import feed_actions, make_non_topology_group


def test_a_rename_keeps_the_node_where_it_is_and_is_audited_and_fed(topology, handbook_administrator):
    path = topology.feeder.path

    renamed = rename_group(actor=handbook_administrator, group=topology.feeder, name="FDR-9")

    assert (renamed.name, renamed.path) == ("FDR-9", path)
    assert AuditEntry.objects.get(action="rename").before["name"] == "FDR-A1-C1-D1"
    assert feed_actions(Kind.GROUP, topology.feeder) == ["group_renamed"]


def test_a_rename_to_an_empty_name_changes_nothing(topology, handbook_administrator):
    with pytest.raises(ValidationError):
        rename_group(actor=handbook_administrator, group=topology.feeder, name="")
    topology.feeder.refresh_from_db()
    assert topology.feeder.name == "FDR-A1-C1-D1"
    assert not AuditEntry.objects.exists()


def test_members_join_all_or_none(direct_der, managed_ders, aggregator, handbook_administrator):
    vendor = make_non_topology_group("Vendor X")

    with pytest.raises(ValidationError, match=aggregator.lfdi):
        add_members(actor=handbook_administrator, group=vendor, end_devices=[direct_der, aggregator])
    assert not vendor.member_end_devices.exists()

    added = add_members(actor=handbook_administrator, group=vendor, end_devices=[direct_der, *managed_ders])
    again = add_members(actor=handbook_administrator, group=vendor, end_devices=[direct_der])

    assert added == [direct_der, *managed_ders] and again == []
    assert set(vendor.member_end_devices.all()) == {direct_der, *managed_ders}


def test_a_topology_group_takes_no_members(topology, direct_der, handbook_administrator):
    with pytest.raises(ValidationError, match="is a topology group"):
        add_members(actor=handbook_administrator, group=topology.feeder, end_devices=[direct_der])


def test_a_member_leaves_and_keeps_its_topology_node(topology, direct_der, handbook_administrator):
    vendor = make_non_topology_group("Vendor X")
    direct_der.non_topology_groups.add(vendor)

    remove_member(actor=handbook_administrator, group=vendor, end_device=direct_der)

    direct_der.refresh_from_db()
    assert not direct_der.non_topology_groups.exists()
    assert direct_der.topology_group == topology.service_point
    with pytest.raises(ValidationError, match="is not in Vendor X"):
        remove_member(actor=handbook_administrator, group=vendor, end_device=direct_der)
