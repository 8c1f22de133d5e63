"""A DER whose approval is revoked, or that moves to another aggregator, is out of its old aggregator's
reach from the next request on: reads and writes answer like an unknown id (CSIP 5.2.1.4)."""

import pytest

from derms.models import Authorization, DERProgram, EndDevice, Role
from derms.services import authorizations
from groups.models import Group, Level
from tests.csip_api.documents import meter_reading_body, mup_body, reading, response_body, status_body
from tests.csip_api.stored import snapshot

from .conftest import approve
from .test_der_reports import der_path
from .test_responses import rsp


@pytest.fixture
def der(aggregator) -> EndDevice:
    return aggregator.ders[0]


@pytest.fixture
def mup(aggregator, der) -> str:
    response = aggregator.post("/mup", mup_body(der.lfdi))
    assert response.status_code == 201
    return response["Location"]


def revoke(der: EndDevice, *, actor) -> None:
    authorizations.revoke(actor=actor, authorization=Authorization.objects.get(lfdi=der.lfdi))


@pytest.fixture
def revoked(der, mup, handbook_administrator) -> EndDevice:
    """``der`` after a handbook administrator revoked it, its mirror posted before."""
    revoke(der, actor=handbook_administrator)
    return der


def test_the_aggregator_no_longer_reads_a_revoked_der(aggregator, revoked):
    assert aggregator.get(f"/edev/{revoked.pk}").status_code == 404
    assert aggregator.get(f"/edev/{revoked.pk}/fsa").status_code == 404


def test_the_aggregator_no_longer_puts_a_revoked_ders_status(aggregator, revoked):
    before = snapshot()

    response = aggregator.put(der_path(revoked, "ders"), status_body(1700000000))

    assert response.status_code == 404
    assert snapshot() == before


def test_the_aggregator_no_longer_posts_readings_to_a_revoked_ders_mirror(aggregator, revoked, mup):
    before = snapshot()

    response = aggregator.post(mup, meter_reading_body(reading(1700000000, 4200)))

    assert response.status_code == 404
    assert aggregator.get(mup).status_code == 404
    assert snapshot() == before


def test_the_aggregator_no_longer_responds_for_a_revoked_der(aggregator, revoked, event):
    before = snapshot()

    response = aggregator.post(rsp(event), response_body(event, revoked.lfdi, 1))

    assert response.status_code == 404
    assert snapshot() == before


def test_the_aggregators_other_ders_are_untouched(aggregator, revoked, event):
    other = aggregator.ders[1]

    assert aggregator.get(f"/edev/{other.pk}").status_code == 200
    assert aggregator.post(rsp(event), response_body(event, other.lfdi, 1)).status_code == 201


def test_a_program_reached_only_through_a_revoked_ders_vendor_group_is_out_of_reach(
    aggregator, der, handbook_administrator
):
    vendor = Group.objects.add_root(create_kwargs=dict(name="Vendor X", level=Level.NON_TOPOLOGY))
    der.non_topology_groups.add(vendor)
    program = DERProgram.objects.create(group=vendor, primacy=20, description="Vendor X")
    assert aggregator.get(f"/rsps/{program.pk}").status_code == 200

    authorizations.revoke(
        actor=handbook_administrator, authorization=Authorization.objects.get(lfdi=der.lfdi)
    )

    assert aggregator.get(f"/rsps/{program.pk}").status_code == 404


def test_a_mirror_of_a_der_moved_to_another_aggregator_is_out_of_the_old_ones_reach(
    new_caller, aggregator, der, mup, feeder
):
    newcomer = new_caller("another aggregator")
    approve(newcomer.lfdi, role=Role.AGGREGATOR, group=None)
    other = EndDevice.objects.create(lfdi=newcomer.lfdi, role=Role.AGGREGATOR)
    Authorization.objects.filter(lfdi=der.lfdi).update(aggregator=other)
    EndDevice.objects.filter(pk=der.pk).update(aggregator=other)
    before = snapshot()

    assert aggregator.get(mup).status_code == 404
    assert aggregator.post(mup, meter_reading_body(reading(1700000000, 4200))).status_code == 404
    assert b"<MirrorUsagePoint " not in aggregator.get("/mup").content
    assert aggregator.get(f"/edev/{der.pk}").status_code == 404
    assert newcomer.get(f"/edev/{der.pk}").status_code == 200
    assert snapshot() == before
