"""In-band registration and removal of EndDevices (CSIP 5.3.1.2, 6.1.3-6.1.5)."""

import pytest
from lxml import etree

from derms.lfdi import sfdi_from_lfdi
from derms.models import AuditEntry, Authorization, DERStatus, EndDevice, LogEvent, Reading, Response, Role
from groups.models import Group, Level
from tests.csip_api.documents import (
    end_device_body,
    log_event_body,
    meter_reading_body,
    mup_body,
    reading,
    response_body,
    status_body,
)
from tests.csip_api.stored import snapshot

from .conftest import approve, random_lfdi
from .test_der_reports import der_path
from .test_responses import rsp

IN_BAND = Authorization.RegistrationMode.IN_BAND
OUT_OF_BAND = Authorization.RegistrationMode.OUT_OF_BAND


def register(caller, lfdi: str):
    return caller.post("/edev", end_device_body(lfdi, sfdi=sfdi_from_lfdi(lfdi)))


@pytest.fixture
def newcomer(new_caller, feeder):
    """Approved for in-band registration in feeder 12 and a vendor group, not registered yet."""
    caller = new_caller("newcomer")
    caller.authorization = approve(caller.lfdi, role=Role.DIRECT, group=feeder, registration_mode=IN_BAND)
    caller.vendor_group = Group.objects.add_root(
        create_kwargs=dict(name="Vendor X", level=Level.NON_TOPOLOGY)
    )
    caller.authorization.non_topology_groups.add(caller.vendor_group)
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


def test_aggregator_registers_a_der_it_is_approved_to_manage(aggregator, feeder):
    lfdi = aggregator.approved_lfdi

    response = aggregator.post("/edev", end_device_body(lfdi, sfdi=sfdi_from_lfdi(lfdi)))

    assert response.status_code == 201
    der = EndDevice.objects.get(lfdi=lfdi)
    assert response["Location"] == f"/edev/{der.pk}"
    assert (der.role, der.aggregator, der.topology_group) == (Role.MANAGED, aggregator.end_device, feeder)


def test_aggregator_may_not_register_its_own_lfdi(aggregator):
    before = snapshot()

    response = aggregator.post("/edev", end_device_body(aggregator.lfdi, sfdi=aggregator.sfdi))

    assert response.status_code == 403
    assert snapshot() == before


def test_aggregator_may_not_register_a_der_it_is_not_approved_to_manage(aggregator):
    lfdi = random_lfdi()
    approve(lfdi, role=Role.DIRECT, group=None, registration_mode=IN_BAND)
    before = snapshot()

    response = aggregator.post("/edev", end_device_body(lfdi, sfdi=sfdi_from_lfdi(lfdi)))

    assert response.status_code == 403
    assert snapshot() == before


def test_an_entry_approved_out_of_band_may_not_register_in_band(new_caller, feeder, settings):
    settings.CSIP_REGISTRATION_MODE = "in_band"
    caller = new_caller("installer")
    approve(caller.lfdi, role=Role.DIRECT, group=feeder, registration_mode=OUT_OF_BAND)
    before = snapshot()

    response = caller.post("/edev", end_device_body(caller.lfdi, sfdi=caller.sfdi))

    assert response.status_code == 403
    assert snapshot() == before


def test_unapproved_lfdi_gets_the_configured_status_and_is_recorded_as_seen(new_caller, db, settings):
    settings.CSIP_UNAUTHORIZED_STATUS = 403
    caller = new_caller("unknown")

    response = caller.post("/edev", end_device_body(caller.lfdi, sfdi=caller.sfdi))

    assert response.status_code == 403
    assert not EndDevice.objects.filter(lfdi=caller.lfdi).exists()
    assert Authorization.objects.get(lfdi=caller.lfdi).status == Authorization.Status.SEEN


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


# --- One source for the registration mode: the entry -------------------------------------------------


def test_an_entry_approved_in_band_registers_on_a_server_whose_default_is_out_of_band(
    new_caller, feeder, settings
):
    settings.CSIP_REGISTRATION_MODE = "out_of_band"
    caller = new_caller("installer")
    approve(caller.lfdi, role=Role.DIRECT, group=feeder, registration_mode=IN_BAND)

    assert register(caller, caller.lfdi).status_code == 201


@pytest.mark.parametrize("mode", ["in_band", "out_of_band"])
def test_new_entries_take_the_servers_registration_mode_as_their_default(db, settings, mode):
    settings.CSIP_REGISTRATION_MODE = mode

    entry = Authorization.objects.create(lfdi=random_lfdi(), role=Role.DIRECT)

    assert entry.registration_mode == mode


# --- In-band registration provisions exactly as an approval does -------------------------------------


def test_a_device_registered_in_band_has_its_registration_with_the_pin_agreed_out_of_band(newcomer):
    newcomer.authorization.pin = 123455
    newcomer.authorization.save()
    location = register(newcomer, newcomer.lfdi)["Location"]

    response = newcomer.get(f"{location}/rg")

    assert response.status_code == 200
    assert etree.fromstring(response.content).findtext("{urn:ieee:std:2030.5:ns}pIN") == "123455"


def test_in_band_registration_refuses_groups_beyond_the_limit_and_changes_nothing(newcomer):
    enrolments = [
        Group.objects.add_root(create_kwargs=dict(name=f"Enrolment {n}", level=Level.NON_TOPOLOGY))
        for n in range(14)
    ]
    newcomer.authorization.non_topology_groups.add(*enrolments)
    before = snapshot()

    response = register(newcomer, newcomer.lfdi)

    assert response.status_code == 400
    assert "at most 15 groups" in response["X-CSIP-Error"]
    assert snapshot() == before


def test_an_aggregator_disabled_by_the_utility_cannot_register_its_ders(aggregator, settings):
    EndDevice.objects.filter(pk=aggregator.end_device.pk).update(enabled=False)
    aggregator.get("/dcap")  # its first refused request records when it was last seen
    before = snapshot()

    response = register(aggregator, aggregator.approved_lfdi)

    assert response.status_code == settings.CSIP_UNAUTHORIZED_STATUS
    assert snapshot() == before


def test_in_band_registration_is_audited_as_the_creation_an_approval_records(newcomer):
    register(newcomer, newcomer.lfdi)

    entry = AuditEntry.objects.get(object_type="derms.EndDevice")
    assert (entry.action, entry.actor, entry.before) == ("create", None, None)
    assert entry.actor_name == f"2030.5 client {newcomer.lfdi}"
    assert entry.after["lfdi"] == newcomer.lfdi


# --- Removal by an aggregator deregisters and keeps the history --------------------------------------


@pytest.fixture
def der_with_history(aggregator, event):
    """The aggregator's first DER, with a status, a log event, a reading and a response on record."""
    der = aggregator.ders[0]
    assert aggregator.put(der_path(der, "ders"), status_body(1700000000)).status_code == 204
    assert aggregator.post(f"/edev/{der.pk}/lel", log_event_body(2, at=1700000000)).status_code == 201
    mup = aggregator.post("/mup", mup_body(der.lfdi))["Location"]
    assert aggregator.post(mup, meter_reading_body(reading(1700000000, 4200))).status_code == 200
    assert aggregator.post(rsp(event), response_body(event, der.lfdi, 1)).status_code == 201
    return der


def test_aggregator_deregisters_a_der_and_its_history_is_kept(aggregator, der_with_history, settings):
    settings.CSIP_AGGREGATOR_MAY_DELETE = True
    der = der_with_history

    response = aggregator.delete(f"/edev/{der.pk}")

    assert response.status_code == 200
    der.refresh_from_db()
    assert not der.enabled
    assert der.deregistered_at is not None
    for model in (DERStatus, LogEvent, Reading, Response):
        assert model.objects.filter(end_device=der).count() == 1, model.__name__
    assert Authorization.objects.get(lfdi=der.lfdi).status == Authorization.Status.APPROVED
    assert AuditEntry.objects.get(action="deregister").after["enabled"] is False


def test_a_deregistered_der_leaves_its_aggregators_lists(aggregator, der_with_history, settings):
    settings.CSIP_AGGREGATOR_MAY_DELETE = True
    der = der_with_history
    assert aggregator.get("/mup").content.count(b"<MirrorUsagePoint ") == 1
    aggregator.delete(f"/edev/{der.pk}")

    assert aggregator.get(f"/edev/{der.pk}").status_code == 404
    listed = etree.fromstring(aggregator.get("/edev").content)
    assert f"/edev/{der.pk}" not in {e.get("href") for e in listed}
    assert aggregator.get("/mup").content.count(b"<MirrorUsagePoint ") == 0


def test_registering_a_deregistered_der_again_brings_back_the_same_end_device(
    aggregator, der_with_history, settings
):
    settings.CSIP_AGGREGATOR_MAY_DELETE = True
    der = der_with_history
    Authorization.objects.filter(lfdi=der.lfdi).update(registration_mode=IN_BAND)
    aggregator.delete(f"/edev/{der.pk}")

    response = register(aggregator, der.lfdi)

    assert response.status_code == 200
    assert response["Location"] == f"/edev/{der.pk}"
    der.refresh_from_db()
    assert (der.enabled, der.deregistered_at) == (True, None)
    assert EndDevice.objects.filter(lfdi=der.lfdi).count() == 1
    assert aggregator.get(f"/edev/{der.pk}").status_code == 200
    assert DERStatus.objects.filter(end_device=der).count() == 1


def test_an_aggregator_may_not_register_a_der_the_utility_moved_to_another_aggregator(aggregator, feeder):
    other = EndDevice.objects.create(lfdi=random_lfdi(), role=Role.AGGREGATOR)
    der = EndDevice.objects.create(
        lfdi=aggregator.approved_lfdi, role=Role.MANAGED, aggregator=other, topology_group=feeder
    )
    before = snapshot()

    response = register(aggregator, der.lfdi)

    assert response.status_code == 403
    assert snapshot() == before
