"""EndDevices and aggregators through the API: filters, placement under CSIP's limits, cursor pages."""

from django.urls import reverse

from derms.changefeed import Kind
from derms.models import Role
from groups.models import Group, Level
from tests.factories import feed_actions, make_end_device


def test_end_devices_filter_by_group_role_and_lfdi_prefix(viewer_api, system, feeder, der):
    other = make_end_device(seed="on-feeder", topology_group=feeder)
    url = reverse("api:end-devices")
    in_feeder = viewer_api.get(url, {"group": feeder.pk}).json()["results"]
    by_prefix = viewer_api.get(url, {"lfdi": der.lfdi[:6].upper()}).json()["results"]
    aggregators = viewer_api.get(url, {"role": Role.AGGREGATOR}).json()["results"]
    assert {d["lfdi"] for d in in_feeder} == {der.lfdi, other.lfdi}
    assert [d["lfdi"] for d in by_prefix] == [der.lfdi]
    assert aggregators == []


def test_lists_are_cursor_paginated(viewer_api, feeder):
    made = {make_end_device(seed=f"der-{i}", topology_group=feeder).lfdi for i in range(5)}
    seen, url, pages = set(), reverse("api:end-devices") + "?page_size=2", 0
    while url:
        page = viewer_api.get(url).json()
        seen |= {d["lfdi"] for d in page["results"]}
        url, pages = page["next"], pages + 1
    assert (seen, pages) == (made, 3)


def test_a_der_is_placed_and_the_placement_is_in_the_change_feed(handbook_api, feeder, vendor_group, der):
    response = handbook_api.put(
        reverse("api:end-device-groups", args=[der.lfdi]),
        {"topology_group": feeder.pk, "non_topology_groups": [vendor_group.pk]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["topology_group"], response.json()["non_topology_groups"]) == (
        feeder.pk,
        [vendor_group.pk],
    )
    assert feed_actions(Kind.FSA_LIST, der) == ["groups_assigned"]


def test_a_placement_past_the_group_limit_gets_400_and_changes_nothing(handbook_api, service_point, der):
    many = [Group.objects.add_root({"name": f"Program {i}", "level": Level.NON_TOPOLOGY}) for i in range(14)]
    response = handbook_api.put(
        reverse("api:end-device-groups", args=[der.lfdi]),
        {"topology_group": service_point.pk, "non_topology_groups": [g.pk for g in many]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "at most 15 groups" in response.json()["non_field_errors"][0]
    assert der.non_topology_groups.count() == 1


def test_a_topology_group_cannot_be_given_as_a_non_topology_one(handbook_api, feeder, der):
    response = handbook_api.put(
        reverse("api:end-device-groups", args=[der.lfdi]),
        {"topology_group": feeder.pk, "non_topology_groups": [feeder.pk]},
        content_type="application/json",
    )
    assert (response.status_code, list(response.json())) == (400, ["non_topology_groups"])


def test_unknown_or_malformed_lfdis_get_404(viewer_api):
    assert viewer_api.get(reverse("api:end-device", args=["0" * 40])).status_code == 404
    assert viewer_api.get(reverse("api:end-device", args=["not-an-lfdi"])).status_code == 404


def test_aggregators_are_listed_with_how_many_ders_they_manage(viewer_api, aggregator, managed_ders):
    [listed] = viewer_api.get(reverse("api:aggregators")).json()["results"]
    assert (listed["lfdi"], listed["der_count"]) == (aggregator.lfdi, 2)
    one = viewer_api.get(reverse("api:aggregator", args=[aggregator.lfdi.upper()])).json()
    assert one["der_count"] == 2
