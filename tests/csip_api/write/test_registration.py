"""In-band registration and removal of EndDevices (CSIP 5.3.1.2, 6.1.3-6.1.5)."""

import pytest

from derms.lfdi import sfdi_from_lfdi
from derms.models import Authorization, EndDevice, Role
from groups.models import Group, Level
from tests.csip_api.documents import (
    end_device_body,
)
from tests.csip_api.stored import snapshot

from .conftest import approve, new_caller, random_lfdi


@pytest.fixture
def in_band(settings):
    settings.CSIP_REGISTRATION_MODE = "in_band"


@pytest.fixture
def newcomer(feeder, in_band):
    """Approved for feeder 12 and a vendor group, not registered yet."""
    caller = new_caller("newcomer")
    authorization = approve(caller.lfdi, role=Role.DIRECT, group=feeder)
    caller.vendor_group = Group.objects.add_root(
        create_kwargs=dict(name="Vendor X", level=Level.NON_TOPOLOGY)
    )
    authorization.non_topology_groups.add(caller.vendor_group)
    return caller


def test_approved_device_registers_itself_into_the_groups_its_authorization_names(newcomer, feeder):
    response = newcomer.post("/edev", end_device_body(newcomer.lfdi, sfdi=newcomer.sfdi))

    assert response.status_code == 201
    end_device = EndDevice.objects.get(lfdi=newcomer.lfdi)
    assert response["Location"] == f"/edev/{end_device.pk}"
    assert end_device.role == Role.DIRECT
    assert end_device.topology_group == feeder
    assert list(end_device.non_topology_groups.all()) == [newcomer.vendor_group]
    assert end_device.device_category == 0x020000


def test_device_may_leave_out_its_lfdi_and_register_by_its_sfdi(newcomer):
    response = newcomer.post("/edev", end_device_body(None, sfdi=newcomer.sfdi))

    assert response.status_code == 201
    assert EndDevice.objects.filter(lfdi=newcomer.lfdi).exists()


def test_registering_an_existing_end_device_returns_its_location_and_creates_nothing(newcomer):
    first = newcomer.post("/edev", end_device_body(newcomer.lfdi, sfdi=newcomer.sfdi))
    before = snapshot()

    again = newcomer.post("/edev", end_device_body(newcomer.lfdi, sfdi=newcomer.sfdi))

    assert again.status_code == 200
    assert again["Location"] == first["Location"]
    assert snapshot() == before


def test_registered_device_can_then_read_its_end_device(newcomer):
    location = newcomer.post("/edev", end_device_body(newcomer.lfdi, sfdi=newcomer.sfdi))["Location"]

    assert newcomer.get(location).status_code == 200


def test_device_certificate_may_not_register_another_lfdi(newcomer):
    other = random_lfdi()
    approve(other, role=Role.DIRECT, group=None)
    before = snapshot()

    response = newcomer.post("/edev", end_device_body(other, sfdi=sfdi_from_lfdi(other)))

    assert response.status_code == 403
    assert snapshot() == before


def test_sfdi_that_does_not_belong_to_the_lfdi_is_refused(newcomer):
    before = snapshot()

    response = newcomer.post("/edev", end_device_body(newcomer.lfdi, sfdi=newcomer.sfdi + 1))

    assert response.status_code == 400
    assert snapshot() == before


def test_aggregator_registers_a_der_it_is_approved_to_manage(aggregator, feeder, in_band):
    lfdi = aggregator.approved_lfdi

    response = aggregator.post("/edev", end_device_body(lfdi, sfdi=sfdi_from_lfdi(lfdi)))

    assert response.status_code == 201
    der = EndDevice.objects.get(lfdi=lfdi)
    assert response["Location"] == f"/edev/{der.pk}"
    assert (der.role, der.aggregator, der.topology_group) == (Role.MANAGED, aggregator.end_device, feeder)


def test_aggregator_may_not_register_its_own_lfdi(aggregator, in_band):
    before = snapshot()

    response = aggregator.post("/edev", end_device_body(aggregator.lfdi, sfdi=aggregator.sfdi))

    assert response.status_code == 403
    assert snapshot() == before


def test_aggregator_may_not_register_a_der_it_is_not_approved_to_manage(aggregator, in_band):
    lfdi = random_lfdi()
    approve(lfdi, role=Role.DIRECT, group=None)
    before = snapshot()

    response = aggregator.post("/edev", end_device_body(lfdi, sfdi=sfdi_from_lfdi(lfdi)))

    assert response.status_code == 403
    assert snapshot() == before


def test_out_of_band_server_refuses_registration_with_403(feeder, settings):
    settings.CSIP_REGISTRATION_MODE = "out_of_band"
    caller = new_caller("installer")
    approve(caller.lfdi, role=Role.DIRECT, group=feeder)
    before = snapshot()

    response = caller.post("/edev", end_device_body(caller.lfdi, sfdi=caller.sfdi))

    assert response.status_code == 403
    assert snapshot() == before


def test_unapproved_lfdi_gets_the_configured_status_and_is_recorded_as_seen(in_band, db, settings):
    settings.CSIP_UNAUTHORIZED_STATUS = 403
    caller = new_caller("unknown")

    response = caller.post("/edev", end_device_body(caller.lfdi, sfdi=caller.sfdi))

    assert response.status_code == 403
    assert not EndDevice.objects.filter(lfdi=caller.lfdi).exists()
    assert Authorization.objects.get(lfdi=caller.lfdi).status == Authorization.Status.SEEN


def test_aggregator_deletes_a_der_it_manages_when_the_policy_allows(aggregator, settings):
    settings.CSIP_AGGREGATOR_MAY_DELETE = True
    der = aggregator.ders[0]

    response = aggregator.delete(f"/edev/{der.pk}")

    assert response.status_code == 200
    assert not EndDevice.objects.filter(pk=der.pk).exists()
    assert Authorization.objects.filter(lfdi=der.lfdi).exists()


def test_aggregator_may_not_delete_when_the_policy_forbids(aggregator, settings):
    settings.CSIP_AGGREGATOR_MAY_DELETE = False
    before = snapshot()

    response = aggregator.delete(f"/edev/{aggregator.ders[0].pk}")

    assert response.status_code == 403
    assert snapshot() == before


def test_aggregator_may_not_delete_itself(aggregator, settings):
    settings.CSIP_AGGREGATOR_MAY_DELETE = True
    before = snapshot()

    response = aggregator.delete(f"/edev/{aggregator.end_device.pk}")

    assert response.status_code == 403
    assert snapshot() == before


def test_deleting_another_clients_end_device_answers_like_an_unknown_id(aggregator, stranger, settings):
    settings.CSIP_AGGREGATOR_MAY_DELETE = True
    before = snapshot()

    foreign = aggregator.delete(f"/edev/{stranger.end_device.pk}")
    unknown = aggregator.delete("/edev/999999")

    assert foreign.status_code == unknown.status_code == 404
    assert snapshot() == before


def test_direct_device_may_not_delete_its_own_end_device(direct, settings):
    settings.CSIP_AGGREGATOR_MAY_DELETE = True
    before = snapshot()

    response = direct.delete(f"/edev/{direct.end_device.pk}")

    assert response.status_code == 403
    assert snapshot() == before
