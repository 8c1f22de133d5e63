"""The group tree in the admin goes through the same services and checks as everything else."""

from django.urls import reverse

from derms.models import AuditEntry
from groups.models import Group, Level
from tests.factories import make_end_device, make_group, make_non_topology_group


def test_a_group_added_in_the_admin_lands_under_its_parent_and_is_audited(admin_client, topology):
    response = admin_client.post(
        reverse("admin:groups_group_add"),
        {"name": "TRANS-A1-C1-D1-F1", "level": Level.SERVICE_TRANSFORMER, "parent": topology.feeder.pk},
    )

    assert response.status_code == 302
    transformer = Group.objects.get(name="TRANS-A1-C1-D1-F1")
    assert Group.objects.get_parent(transformer) == topology.feeder
    assert AuditEntry.objects.get().action == "create"


def test_the_admin_refuses_a_group_above_its_parent_level(admin_client, topology):
    response = admin_client.post(
        reverse("admin:groups_group_add"),
        {"name": "SUB-wrong", "level": Level.SUBSTATION, "parent": topology.feeder.pk},
    )

    assert response.status_code == 200
    assert "deeper level" in response.content.decode()
    assert not Group.objects.filter(name="SUB-wrong").exists()


def test_choosing_a_new_parent_in_the_admin_moves_the_subtree(admin_client, topology):
    other = make_group("SUB-A1-C2", Level.SUBSTATION, Group.objects.get(pk=topology.system.pk))

    response = admin_client.post(
        reverse("admin:groups_group_change", args=[topology.feeder.pk]),
        {"name": "FDR-A1-C1-D1", "parent": other.pk},
    )

    assert response.status_code == 302
    assert Group.objects.get_parent(Group.objects.get(pk=topology.feeder.pk)) == other
    assert Group.objects.get_parent(Group.objects.get(pk=topology.service_point.pk)).pk == topology.feeder.pk
    assert AuditEntry.objects.filter(action="move").exists()


def test_dragging_a_subtree_over_the_group_limit_is_refused_with_a_message(admin_client, topology):
    enrolments = tuple(make_non_topology_group(f"Enrolment {n}") for n in range(11))
    crowded = make_end_device(
        seed="crowded", topology_group=topology.service_point, non_topology_groups=enrolments
    )
    area = make_group("SUBTX-A1-B1", Level.SUB_TRANSMISSION, Group.objects.get(pk=topology.system.pk))

    response = admin_client.post(
        reverse("admin:groups_group_changelist") + "move/",
        {"node": topology.substation.pk, "target": area.pk, "relation": "child"},
    )

    assert response.status_code == 400
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(crowded.lfdi in m and "more than 15 groups" in m for m in messages)
    assert Group.objects.get_parent(Group.objects.get(pk=topology.substation.pk)) == topology.system


def test_dragging_a_subtree_within_the_limit_moves_it(admin_client, topology):
    area = make_group("SUBTX-A1-B1", Level.SUB_TRANSMISSION, Group.objects.get(pk=topology.system.pk))

    response = admin_client.post(
        reverse("admin:groups_group_changelist") + "move/",
        {"node": topology.substation.pk, "target": area.pk, "relation": "child"},
    )

    assert response.status_code == 200
    assert Group.objects.get_parent(Group.objects.get(pk=topology.substation.pk)) == area
