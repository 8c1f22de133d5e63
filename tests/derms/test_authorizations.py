"""The handbook administrator's decisions: approve, revoke, reject (CSIP 5.2.1.4, 6.1.3)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from derms.models import AuditEntry, Authorization, EndDevice, Role
from derms.services import authorizations
from groups import services as groups
from tests.factories import make_authorization, make_lfdi, make_non_topology_group


def test_approving_out_of_band_creates_the_end_device_in_the_chosen_groups(
    topology, stranger_lfdi, handbook_administrator
):
    vendor = make_non_topology_group("Vendor: Helios")
    entry = make_authorization(
        lfdi=stranger_lfdi.upper(), topology_group=topology.service_point, non_topology_groups=(vendor,)
    )

    authorizations.approve(actor=handbook_administrator, authorization=entry)

    entry.refresh_from_db()
    assert entry.status == Authorization.Status.APPROVED
    assert entry.decided_by == handbook_administrator
    device = EndDevice.objects.get(lfdi=stranger_lfdi)
    assert (device.role, device.topology_group, device.enabled) == (Role.DIRECT, topology.service_point, True)
    assert list(device.non_topology_groups.all()) == [vendor]
    assert list(AuditEntry.objects.order_by("id").values_list("action", "object_type")) == [
        ("approve", "derms.Authorization"),
        ("create", "derms.EndDevice"),
    ]


def test_approving_in_band_leaves_the_end_device_to_the_client(
    topology, stranger_lfdi, handbook_administrator
):
    entry = make_authorization(
        lfdi=stranger_lfdi,
        topology_group=topology.feeder,
        registration_mode=Authorization.RegistrationMode.IN_BAND,
    )

    authorizations.approve(actor=handbook_administrator, authorization=entry)

    assert not EndDevice.objects.filter(lfdi=stranger_lfdi).exists()


def test_a_der_is_approved_through_exactly_one_aggregator(
    aggregator, topology, stranger_lfdi, handbook_administrator
):
    orphan = Authorization(lfdi=stranger_lfdi, role=Role.MANAGED, topology_group=topology.feeder)
    with pytest.raises(ValidationError, match="must name that aggregator"):
        orphan.full_clean()
    direct_with_aggregator = Authorization(lfdi=stranger_lfdi, role=Role.DIRECT, aggregator=aggregator)
    with pytest.raises(ValidationError, match="Only a managed DER"):
        direct_with_aggregator.full_clean()

    entry = make_authorization(
        lfdi=stranger_lfdi, role=Role.MANAGED, aggregator=aggregator, topology_group=topology.feeder
    )
    authorizations.approve(actor=handbook_administrator, authorization=entry)
    assert EndDevice.objects.get(lfdi=stranger_lfdi).aggregator == aggregator


def test_a_der_cannot_be_approved_through_a_disabled_aggregator(
    aggregator, stranger_lfdi, handbook_administrator
):
    aggregator.enabled = False
    aggregator.save()
    entry = make_authorization(lfdi=stranger_lfdi, role=Role.MANAGED, aggregator=aggregator)

    with pytest.raises(ValidationError, match="is disabled"):
        authorizations.approve(actor=handbook_administrator, authorization=entry)


def test_approval_refuses_groups_beyond_the_limit_and_changes_nothing(
    topology, stranger_lfdi, handbook_administrator
):
    enrolments = tuple(make_non_topology_group(f"Enrolment {n}") for n in range(12))
    entry = make_authorization(
        lfdi=stranger_lfdi, topology_group=topology.service_point, non_topology_groups=enrolments
    )

    with pytest.raises(ValidationError, match="at most 15 groups"):
        authorizations.approve(actor=handbook_administrator, authorization=entry)

    entry.refresh_from_db()
    assert entry.status == Authorization.Status.PENDING
    assert not EndDevice.objects.exists()
    assert not AuditEntry.objects.exists()


def test_revoking_disables_the_end_device(direct_der, handbook_administrator):
    entry = Authorization.objects.get(lfdi=direct_der.lfdi)

    authorizations.revoke(actor=handbook_administrator, authorization=entry)

    direct_der.refresh_from_db()
    assert not direct_der.enabled
    assert Authorization.objects.get(pk=entry.pk).status == Authorization.Status.REVOKED
    disabled = AuditEntry.objects.get(action="disable")
    assert (disabled.before["enabled"], disabled.after["enabled"]) == (True, False)


def test_approving_again_after_a_revocation_re_enables_the_same_end_device(
    direct_der, handbook_administrator
):
    entry = Authorization.objects.get(lfdi=direct_der.lfdi)
    authorizations.revoke(actor=handbook_administrator, authorization=entry)

    authorizations.approve(actor=handbook_administrator, authorization=entry)

    assert EndDevice.objects.get(lfdi=direct_der.lfdi).enabled
    assert EndDevice.objects.count() == 1


def test_approving_again_keeps_the_groups_an_operator_gave_the_end_device_since(
    direct_der, topology, handbook_administrator
):
    entry = Authorization.objects.get(lfdi=direct_der.lfdi)
    vendor = make_non_topology_group("Vendor: Helios")
    groups.assign_groups(
        actor=handbook_administrator,
        end_device=direct_der,
        topology_group=topology.feeder,
        non_topology_groups=[vendor],
    )
    authorizations.revoke(actor=handbook_administrator, authorization=entry)

    authorizations.approve(actor=handbook_administrator, authorization=entry)

    device = EndDevice.objects.get(lfdi=direct_der.lfdi)
    assert (device.enabled, device.topology_group) == (True, topology.feeder)
    assert list(device.non_topology_groups.all()) == [vendor]
    assert entry.topology_group == topology.service_point
    assert AuditEntry.objects.filter(action="enable", object_id=str(device.pk)).exists()


def test_approving_an_in_band_entry_again_re_enables_its_revoked_end_device(
    topology, stranger_lfdi, handbook_administrator
):
    entry = make_authorization(
        lfdi=stranger_lfdi,
        topology_group=topology.feeder,
        registration_mode=Authorization.RegistrationMode.IN_BAND,
        status=Authorization.Status.APPROVED,
    )
    EndDevice.objects.create(lfdi=stranger_lfdi, role=Role.DIRECT, topology_group=topology.feeder)
    authorizations.revoke(actor=handbook_administrator, authorization=entry)

    authorizations.approve(actor=handbook_administrator, authorization=entry)

    assert EndDevice.objects.get(lfdi=stranger_lfdi).enabled


def test_a_pin_is_six_decimal_digits(db, stranger_lfdi):
    entry = Authorization(lfdi=stranger_lfdi, role=Role.DIRECT, pin=1_000_000)
    with pytest.raises(ValidationError, match="less than or equal to 999999"):
        entry.full_clean()
    device = EndDevice(lfdi=stranger_lfdi, role=Role.DIRECT, pin=1_000_000)
    with pytest.raises(ValidationError, match="less than or equal to 999999"):
        device.full_clean(exclude=["sfdi"])


@pytest.mark.parametrize("model", [Authorization, EndDevice])
def test_the_database_refuses_a_pin_beyond_six_digits(db, stranger_lfdi, model):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(lfdi=stranger_lfdi, role=Role.DIRECT, pin=1_000_000)


def test_only_an_approved_entry_can_be_revoked(stranger_lfdi, handbook_administrator):
    entry = make_authorization(lfdi=stranger_lfdi)
    with pytest.raises(ValidationError, match="Only an approved"):
        authorizations.revoke(actor=handbook_administrator, authorization=entry)


def test_rejecting_a_seen_lfdi_keeps_the_entry_as_revoked(stranger_lfdi, handbook_administrator):
    entry = make_authorization(lfdi=stranger_lfdi, status=Authorization.Status.SEEN)

    authorizations.reject(actor=handbook_administrator, authorization=entry)

    entry.refresh_from_db()
    assert entry.status == Authorization.Status.REVOKED
    assert AuditEntry.objects.get().action == "reject"
    with pytest.raises(ValidationError, match="Only a pending or seen"):
        authorizations.reject(actor=handbook_administrator, authorization=entry)


def test_an_approval_with_a_placement_places_the_entry_first(handbook_administrator, topology):
    entry = make_authorization(lfdi=make_lfdi("placed-on-approval"))
    vendor = make_non_topology_group("Vendor X")
    placement = authorizations.Placement(
        role=Role.DIRECT, topology_group=topology.feeder, non_topology_groups=(vendor,), pin=111115
    )

    authorizations.approve(actor=handbook_administrator, authorization=entry, placement=placement)

    end_device = EndDevice.objects.get(lfdi=entry.lfdi)
    assert (end_device.topology_group, end_device.pin) == (topology.feeder, 111115)
    assert list(end_device.non_topology_groups.all()) == [vendor]
    assert AuditEntry.objects.filter(action="place", object_id=str(entry.pk)).exists()


def test_a_placement_that_cannot_stand_leaves_the_entry_pending(handbook_administrator, aggregator):
    entry = make_authorization(lfdi=make_lfdi("badly-placed"))

    with pytest.raises(ValidationError):
        authorizations.approve(
            actor=handbook_administrator,
            authorization=entry,
            placement=authorizations.Placement(role=Role.DIRECT, aggregator=aggregator),
        )

    entry.refresh_from_db()
    assert (entry.status, entry.aggregator) == (Authorization.Status.PENDING, None)
    assert not AuditEntry.objects.exists()
