"""Groups through the API: create, walk the tree, move a subtree, list a group's DERs."""

from django.urls import reverse

from derms.changefeed import Kind
from groups.models import Group, Level
from tests.factories import feed_actions


def test_a_handbook_administrator_creates_a_group_under_a_parent(handbook_api, system):
    response = handbook_api.post(
        reverse("api:groups"),
        {"name": "Substation 7", "level": Level.SUBSTATION, "parent": system.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["level_name"], body["parent"], body["is_topology"]) == (
        "Substation 7",
        "Substation",
        system.pk,
        True,
    )
    assert feed_actions(Kind.GROUP, body["id"]) == ["group_created"]


def test_a_group_the_tree_forbids_gets_400_and_nothing_is_created(handbook_api, feeder):
    response = handbook_api.post(
        reverse("api:groups"),
        {"name": "Upside down", "level": Level.SYSTEM, "parent": feeder.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    malformed = handbook_api.post(reverse("api:groups"), {"level": 42}, content_type="application/json")
    assert set(malformed.json()) == {"name", "level"}
    assert not Group.objects.filter(name="Upside down").exists()


def test_children_and_ancestors_walk_the_tree(viewer_api, system, feeder, service_point):
    children = viewer_api.get(reverse("api:group-children", args=[feeder.pk])).json()["results"]
    ancestors = viewer_api.get(reverse("api:group-ancestors", args=[service_point.pk])).json()
    assert [g["name"] for g in children] == ["SP 4711"]
    assert [(g["name"], g["parent"]) for g in ancestors] == [("System", None), ("Feeder 12", system.pk)]


def test_a_subtree_moves_under_another_parent(handbook_api, system, feeder, service_point, der):
    other = Group.objects.add_child(system, {"name": "Feeder 14", "level": Level.FEEDER})
    response = handbook_api.post(
        reverse("api:group-move", args=[service_point.pk]),
        {"parent": other.pk},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["parent"]) == (200, other.pk)
    assert feed_actions(Kind.FSA_LIST, der) == ["subtree_moved"]


def test_groups_filter_by_level_and_topology(viewer_api, system, feeder, vendor_group):
    feeders = viewer_api.get(reverse("api:groups"), {"level": Level.FEEDER}).json()["results"]
    flat = viewer_api.get(reverse("api:groups"), {"topology": "false"}).json()["results"]
    assert [g["name"] for g in feeders] == ["Feeder 12"]
    assert [g["name"] for g in flat] == ["Vendor A fleet"]


def test_a_groups_end_devices_are_its_subtrees_or_its_members(viewer_api, system, vendor_group, der):
    in_system = viewer_api.get(reverse("api:group-end-devices", args=[system.pk])).json()["results"]
    in_vendor = viewer_api.get(reverse("api:group-end-devices", args=[vendor_group.pk])).json()["results"]
    assert [d["lfdi"] for d in in_system] == [d["lfdi"] for d in in_vendor] == [der.lfdi]
