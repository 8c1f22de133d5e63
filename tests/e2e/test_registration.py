"""In-band registration over real HTTPS (CSIP 5.3.1.2, 6.1.3-6.1.5): a device registers itself, an
aggregator the DERs it is approved to manage; neither may name anyone else. The entries are approved for
in-band registration: the entry's mode, not the server's default, decides."""

import pytest

from csip_api import hrefs
from derms.lfdi import sfdi_from_lfdi
from derms.models import Authorization, EndDevice, Role
from tests.csip_api.documents import end_device_body
from tests.csip_api.stored import snapshot

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

IN_BAND = Authorization.RegistrationMode.IN_BAND


@pytest.fixture
def newcomer(transactional_db, grid, direct_der_cert):
    """A direct DER approved for SP-1 that has not registered yet."""
    Authorization.objects.create(
        lfdi=direct_der_cert.lfdi,
        role=Role.DIRECT,
        status=Authorization.Status.APPROVED,
        topology_group=grid["sp_1"],
        registration_mode=IN_BAND,
    )
    return direct_der_cert


def test_an_approved_device_registers_itself_and_reads_its_end_device(embedded_api, connect, newcomer, grid):
    client = connect(embedded_api.port, newcomer)

    response = client.post("/edev", end_device_body(newcomer.lfdi, sfdi=sfdi_from_lfdi(newcomer.lfdi)))

    assert response.status == 201
    end_device = EndDevice.objects.get(lfdi=newcomer.lfdi)
    assert response.location == hrefs.href(hrefs.END_DEVICE, edev=end_device.pk)
    assert end_device.topology_group == grid["sp_1"]
    assert client.get(response.location).status == 200


def test_a_device_may_not_register_another_lfdi(embedded_api, connect, newcomer, stranger_cert):
    Authorization.objects.create(
        lfdi=stranger_cert.lfdi,
        role=Role.DIRECT,
        status=Authorization.Status.APPROVED,
        registration_mode=IN_BAND,
    )
    client = connect(embedded_api.port, newcomer)
    before = snapshot()

    response = client.post(
        "/edev", end_device_body(stranger_cert.lfdi, sfdi=sfdi_from_lfdi(stranger_cert.lfdi))
    )

    assert response.status == 403
    assert snapshot() == before


def test_an_aggregator_registers_a_der_it_is_approved_to_manage(embedded_api, connect, aggregator, grid):
    lfdi = "ab" * 20
    Authorization.objects.create(
        lfdi=lfdi,
        role=Role.MANAGED,
        status=Authorization.Status.APPROVED,
        aggregator=aggregator.end_device,
        topology_group=grid["sp_2"],
        registration_mode=IN_BAND,
    )
    client = connect(embedded_api.port, aggregator.certificate)

    response = client.post("/edev", end_device_body(lfdi, sfdi=sfdi_from_lfdi(lfdi)))

    assert response.status == 201
    der = EndDevice.objects.get(lfdi=lfdi)
    assert response.location == hrefs.href(hrefs.END_DEVICE, edev=der.pk)
    assert (der.role, der.aggregator, der.topology_group) == (
        Role.MANAGED,
        aggregator.end_device,
        grid["sp_2"],
    )
    assert client.get(response.location).status == 200


def test_an_aggregator_may_not_register_its_own_lfdi(embedded_api, connect, aggregator):
    client = connect(embedded_api.port, aggregator.certificate)
    before = snapshot()

    response = client.post("/edev", end_device_body(aggregator.lfdi, sfdi=sfdi_from_lfdi(aggregator.lfdi)))

    assert response.status == 403
    assert snapshot() == before
