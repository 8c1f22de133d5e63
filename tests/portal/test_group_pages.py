"""The group hierarchy pages: the tree with DER counts and nameplate capacity, creating and renaming
nodes, moving a subtree after a confirm step, and the members of non-topology groups."""

import pytest
from django.urls import reverse

from derms.changefeed import Kind
from derms.models import AuditEntry, DERCapability, EndDevice, Role
from groups.models import Group, Level
from tests.factories import feed_actions, make_end_device, make_group, make_non_topology_group, make_program


def rate(end_device, watts):
    DERCapability.objects.create(
        end_device=end_device, values={}, modes_supported=0, der_type=83, rtg_max_w=watts
    )


@pytest.fixture
def rated_ders(direct_der, managed_ders):
    rate(direct_der, 5000)
    rate(managed_ders[1], 2500)
    return [direct_der, *managed_ders]


@pytest.fixture
def second_substation(topology):
    return make_group("SUB-A1-C2", Level.SUBSTATION, topology.system)


@pytest.fixture
def vendor():
    return make_non_topology_group("Vendor X")


def tree_line(page: str, name: str) -> str:
    """The label of one node of the tree: its name, level, DER count and capacity."""
    start = page.index(f'data-group="{name}"')
    return page[start : page.index("\n", start)]


def test_the_tree_shows_every_node_with_its_ders_and_nameplate_capacity(
    handbook_client, topology, rated_ders
):
    page = handbook_client.get(reverse("portal:groups")).content.decode()

    for name in ("SYS-A1", "SUB-A1-C1", "FDR-A1-C1-D1", "SP-A1-C1-D1-G1"):
        assert f'data-group="{name}"' in page
    assert "3 DERs" in tree_line(page, "FDR-A1-C1-D1")
    assert "7.5 kW" in tree_line(page, "FDR-A1-C1-D1")
    assert "2 DERs" in tree_line(page, "SP-A1-C1-D1-G1")
    assert "5.0 kW" in tree_line(page, "SP-A1-C1-D1-G1")
    assert "<details open>" in page


def test_searching_shows_the_matching_nodes_and_their_ancestors_only(
    handbook_client, topology, second_substation
):
    page = handbook_client.get(reverse("portal:groups"), {"q": "c2"}).content.decode()

    assert 'data-group="SUB-A1-C2"' in page
    assert 'data-group="SYS-A1"' in page
    assert 'data-group="SUB-A1-C1"' not in page
    assert 'class="node match"' in page


def test_a_search_that_matches_nothing_says_so(handbook_client, topology):
    assert (
        "No node is named like"
        in handbook_client.get(reverse("portal:groups"), {"q": "nowhere"}).content.decode()
    )


def test_every_staff_role_reads_the_group_pages_but_only_handbook_administrators_see_the_forms(
    client, handbook_administrator, dispatcher, viewer, topology, vendor
):
    for user, editor in ((handbook_administrator, True), (dispatcher, False), (viewer, False)):
        client.force_login(user)
        for url, form in (
            (reverse("portal:groups"), "Create System"),
            (reverse("portal:group", args=[topology.feeder.pk]), "Review the move"),
            (reverse("portal:group", args=[vendor.pk]), 'id="add-members"'),
        ):
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            assert (form in response.content.decode()) == editor, (user, url)


def test_anonymous_visitors_are_sent_to_the_login_page(client, topology):
    response = client.get(reverse("portal:groups"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_only_handbook_administrators_may_change_groups(
    refused_client, topology, vendor, direct_der, second_substation
):
    posts = [
        (
            reverse("portal:group_new"),
            {"kind": "system", "system-name": "SYS-B", "system-level": Level.SYSTEM},
        ),
        (reverse("portal:group_child_new", args=[topology.feeder.pk]), {"child-name": "X", "child-level": 5}),
        (reverse("portal:group_rename", args=[topology.feeder.pk]), {"name": "Renamed"}),
        (
            reverse("portal:group_move", args=[topology.feeder.pk]),
            {"new_parent": second_substation.pk, "confirm": ""},
        ),
        (reverse("portal:members_add", args=[vendor.pk]), {"lfdis": direct_der.lfdi}),
        (reverse("portal:member_remove", args=[vendor.pk, direct_der.lfdi]), {}),
    ]
    before = list(Group.objects.order_by("pk").values_list("name", "path"))
    for url, data in posts:
        response = refused_client.post(url, data)
        assert response.status_code == 403, url
    assert list(Group.objects.order_by("pk").values_list("name", "path")) == before
    assert not direct_der.non_topology_groups.exists()
    assert not AuditEntry.objects.exists()


def test_a_handbook_administrator_creates_a_system_a_child_and_a_non_topology_group(
    handbook_client, topology
):
    response = handbook_client.post(
        reverse("portal:group_new"), {"kind": "system", "system-name": "SYS-B", "system-level": Level.SYSTEM}
    )
    system = Group.objects.get(name="SYS-B")
    assert response.url == reverse("portal:group", args=[system.pk])

    handbook_client.post(
        reverse("portal:group_child_new", args=[system.pk]),
        {"child-name": "FDR-B1", "child-level": Level.FEEDER},
    )
    feeder = Group.objects.get(name="FDR-B1")
    assert Group.objects.get_parent(feeder) == system

    handbook_client.post(
        reverse("portal:group_new"), {"kind": "flat", "flat-name": "Storage", "flat-level": 99}
    )
    assert Group.objects.get(name="Storage").level == Level.NON_TOPOLOGY
    assert AuditEntry.objects.filter(action="create", object_type="groups.Group").count() == 3


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"child-name": "", "child-level": Level.SEGMENT}, "This field is required."),
        ({"child-name": "X", "child-level": Level.SUBSTATION}, "Select a valid choice."),
        ({"child-name": "X" * 101, "child-level": Level.SEGMENT}, "at most 100 characters"),
    ],
)
def test_a_node_that_cannot_be_created_is_refused_with_the_reason(handbook_client, topology, data, error):
    count = Group.objects.count()

    response = handbook_client.post(reverse("portal:group_child_new", args=[topology.feeder.pk]), data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Group.objects.count() == count


def test_a_system_cannot_be_created_at_another_level(handbook_client, topology):
    response = handbook_client.post(
        reverse("portal:group_new"),
        {"kind": "system", "system-name": "SUB", "system-level": Level.SUBSTATION},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not Group.objects.filter(name="SUB").exists()


def test_renaming_a_node_is_audited_and_reaches_the_change_feed(handbook_client, topology):
    response = handbook_client.post(
        reverse("portal:group_rename", args=[topology.feeder.pk]),
        {"name": "FDR-NEW", "description": "rebuilt"},
    )

    assert response.status_code == 302
    topology.feeder.refresh_from_db()
    assert (topology.feeder.name, topology.feeder.description) == ("FDR-NEW", "rebuilt")
    entry = AuditEntry.objects.get(action="rename")
    assert (entry.before["name"], entry.after["name"]) == ("FDR-A1-C1-D1", "FDR-NEW")
    assert "group_renamed" in feed_actions(Kind.GROUP, topology.feeder)


def test_a_rename_without_a_name_is_refused_and_changes_nothing(handbook_client, topology):
    response = handbook_client.post(reverse("portal:group_rename", args=[topology.feeder.pk]), {"name": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    topology.feeder.refresh_from_db()
    assert topology.feeder.name == "FDR-A1-C1-D1"
    assert not AuditEntry.objects.exists()


def test_a_move_is_confirmed_first_with_the_ders_and_programs_that_change(
    handbook_client, topology, rated_ders, second_substation
):
    make_program(topology.substation, primacy=87, description="Old substation program")
    make_program(second_substation, primacy=87, description="New substation program")
    make_program(topology.system, primacy=89, description="System program")
    url = reverse("portal:group_move", args=[topology.feeder.pk])

    confirm = handbook_client.post(url, {"new_parent": second_substation.pk})

    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "3 DERs" in page
    left, joined = page.split("Programs they join")
    assert "Old substation program" in left and "New substation program" not in left
    assert "New substation program" in joined and "System program" not in page
    assert Group.objects.get_parent(Group.objects.get(pk=topology.feeder.pk)) == topology.substation

    moved = handbook_client.post(url, {"new_parent": second_substation.pk, "confirm": ""})

    assert moved.status_code == 302
    assert Group.objects.get_parent(Group.objects.get(pk=topology.feeder.pk)) == second_substation
    assert AuditEntry.objects.filter(action="move").count() == 1
    assert "subtree_moved" in feed_actions(Kind.GROUP, topology.feeder)


def test_a_move_that_would_put_a_der_in_more_than_15_groups_is_refused(handbook_client, topology, direct_der):
    sub_transmission = make_group("ST-1", Level.SUB_TRANSMISSION, topology.system)
    deeper_substation = make_group("SUB-deep", Level.SUBSTATION, sub_transmission)
    direct_der.non_topology_groups.set([make_non_topology_group(f"NT-{i}") for i in range(11)])
    url = reverse("portal:group_move", args=[topology.feeder.pk])

    for data in ({"new_parent": deeper_substation.pk}, {"new_parent": deeper_substation.pk, "confirm": ""}):
        response = handbook_client.post(url, data)
        assert response.status_code == 400
        assert "more than 15 groups" in response.content.decode()
    assert Group.objects.get_parent(Group.objects.get(pk=topology.feeder.pk)) == topology.substation


def test_a_node_cannot_move_under_a_deeper_node_or_where_it_already_is(handbook_client, topology):
    url = reverse("portal:group_move", args=[topology.feeder.pk])
    for target in (topology.service_point, topology.substation):
        response = handbook_client.post(url, {"new_parent": target.pk, "confirm": ""})
        assert response.status_code == 400
        assert "Select a valid choice." in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_ders_join_a_non_topology_group_one_at_a_time_and_by_a_pasted_list(
    handbook_client, vendor, direct_der, managed_ders
):
    url = reverse("portal:members_add", args=[vendor.pk])

    assert handbook_client.post(url, {"lfdis": direct_der.lfdi.upper()}).status_code == 302
    pasted = f"{managed_ders[0].lfdi}\n{managed_ders[1].lfdi}, {direct_der.lfdi}\n"
    assert handbook_client.post(url, {"lfdis": pasted}).status_code == 302

    assert set(EndDevice.objects.filter(non_topology_groups=vendor)) == {direct_der, *managed_ders}
    assert managed_ders[0].topology_group_id is not None
    managed_ders[0].refresh_from_db()
    assert managed_ders[0].topology_group.name == "SP-A1-C1-D1-G1"
    assert AuditEntry.objects.filter(action="assign_groups").count() == 3
    page = handbook_client.get(reverse("portal:group", args=[vendor.pk])).content.decode()
    assert direct_der.lfdi in page


def test_a_der_leaves_a_non_topology_group(handbook_client, vendor, topology):
    der = make_end_device(seed="member", topology_group=topology.feeder, non_topology_groups=(vendor,))

    response = handbook_client.post(reverse("portal:member_remove", args=[vendor.pk, der.lfdi]))

    assert response.status_code == 302
    assert not der.non_topology_groups.exists()
    der.refresh_from_db()
    assert der.topology_group == topology.feeder
    assert "groups_assigned" in feed_actions(Kind.FSA_LIST, der)


@pytest.mark.parametrize(
    ("lfdis", "error"),
    [
        ("", "This field is required."),
        ("not-an-lfdi", "Not an LFDI (40 hexadecimal digits): not-an-lfdi."),
        ("f" * 40, f"No EndDevice has the LFDI {'f' * 40}."),
    ],
)
def test_a_list_with_a_bad_lfdi_adds_nobody(handbook_client, vendor, direct_der, lfdis, error):
    response = handbook_client.post(
        reverse("portal:members_add", args=[vendor.pk]),
        {"lfdis": f"{direct_der.lfdi}\n{lfdis}" if lfdis else ""},
    )

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not direct_der.non_topology_groups.exists()


def test_an_aggregator_or_a_der_over_the_limit_makes_the_whole_list_fail(
    handbook_client, vendor, direct_der, aggregator
):
    response = handbook_client.post(
        reverse("portal:members_add", args=[vendor.pk]), {"lfdis": f"{direct_der.lfdi} {aggregator.lfdi}"}
    )

    assert response.status_code == 400
    assert "An aggregator is not a DER and belongs to no group." in response.content.decode()
    assert not direct_der.non_topology_groups.exists()

    direct_der.non_topology_groups.set([make_non_topology_group(f"NT-{i}") for i in range(11)])
    response = handbook_client.post(
        reverse("portal:members_add", args=[vendor.pk]), {"lfdis": direct_der.lfdi}
    )
    assert response.status_code == 400
    assert "at most 15 groups" in response.content.decode()
    assert not direct_der.non_topology_groups.filter(pk=vendor.pk).exists()


def test_removing_a_der_that_is_not_a_member_says_so(handbook_client, vendor, direct_der):
    response = handbook_client.post(
        reverse("portal:member_remove", args=[vendor.pk, direct_der.lfdi]), follow=True
    )

    assert f"{direct_der.lfdi} is not in Vendor X." in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_aggregators_are_not_counted_in_the_tree(handbook_client, topology, aggregator):
    assert EndDevice.objects.get(role=Role.AGGREGATOR).topology_group is None
    assert "0 DERs" in tree_line(handbook_client.get(reverse("portal:groups")).content.decode(), "SYS-A1")
