"""The authorization list through the API: add an entry, approve it (the EndDevice appears), revoke."""

from django.urls import reverse

from derms.models import Authorization, EndDevice, Role
from tests.factories import make_lfdi


def _add(client, **fields):
    return client.post(reverse("api:authorizations"), fields, content_type="application/json")


def test_an_entry_is_added_approved_and_revoked(handbook_api, service_point, vendor_group):
    lfdi = make_lfdi("inverter-17")
    added = _add(
        handbook_api,
        lfdi=lfdi.upper(),
        role=Role.DIRECT,
        topology_group=service_point.pk,
        non_topology_groups=[vendor_group.pk],
    )
    assert (added.status_code, added.json()["status"], added.json()["lfdi"]) == (201, "pending", lfdi)

    approved = handbook_api.post(reverse("api:authorization-approve", args=[lfdi]))
    assert approved.json()["status"] == "approved"
    device = EndDevice.objects.get(lfdi=lfdi)
    assert (device.topology_group, list(device.non_topology_groups.all())) == (service_point, [vendor_group])

    revoked = handbook_api.post(reverse("api:authorization-revoke", args=[lfdi]))
    assert revoked.json()["status"] == "revoked"
    device.refresh_from_db()
    assert not device.enabled


def test_a_wrong_entry_gets_400_keyed_by_field(handbook_api, service_point, aggregator):
    lfdi = make_lfdi("dup")
    assert _add(handbook_api, lfdi=lfdi, role=Role.DIRECT).status_code == 201
    duplicate = _add(handbook_api, lfdi=lfdi, role=Role.DIRECT)
    not_hex = _add(handbook_api, lfdi="xyz", role="nobody")
    managed_without_aggregator = _add(handbook_api, lfdi=make_lfdi("m"), role=Role.MANAGED)
    unknown_aggregator = _add(handbook_api, lfdi=make_lfdi("m"), role=Role.MANAGED, aggregator="0" * 40)
    assert list(duplicate.json()) == ["lfdi"]
    assert set(not_hex.json()) == {"lfdi", "role"}
    assert managed_without_aggregator.status_code == 400
    assert list(unknown_aggregator.json()) == ["aggregator"]
    assert set(Authorization.objects.values_list("lfdi", flat=True)) == {aggregator.lfdi, lfdi}


def test_a_decision_the_list_forbids_gets_400(handbook_api):
    lfdi = make_lfdi("pending")
    _add(handbook_api, lfdi=lfdi, role=Role.DIRECT)
    response = handbook_api.post(reverse("api:authorization-revoke", args=[lfdi]))
    assert response.status_code == 400
    assert "Only an approved entry can be revoked" in response.json()["non_field_errors"][0]


def test_entries_filter_by_status(viewer_api, handbook_api):
    _add(handbook_api, lfdi=make_lfdi("a"), role=Role.DIRECT)
    _add(handbook_api, lfdi=make_lfdi("b"), role=Role.DIRECT)
    handbook_api.post(reverse("api:authorization-approve", args=[make_lfdi("b")]))
    approved = viewer_api.get(reverse("api:authorizations"), {"status": "approved"}).json()["results"]
    assert [e["lfdi"] for e in approved] == [make_lfdi("b")]
