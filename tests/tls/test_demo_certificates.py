"""The demo's direct DERs and aggregators get certificates, and their LFDIs become those certificates'."""

import pytest

from csip_api.demo_certificates import issue_demo_certificates
from csip_api.pki import ensure_server_pki
from derms.lfdi import sfdi_from_lfdi
from derms.models import Authorization, EndDevice, Role

pytestmark = pytest.mark.django_db

DEMO_DER = "1111111111111111111111111111111111111111"
DEMO_AGGREGATOR = "2222222222222222222222222222222222222222"
DEMO_MANAGED = "3333333333333333333333333333333333333333"


def make_demo():
    approved = Authorization.Status.APPROVED
    der = EndDevice.objects.create(lfdi=DEMO_DER, role=Role.DIRECT)
    aggregator = EndDevice.objects.create(lfdi=DEMO_AGGREGATOR, role=Role.AGGREGATOR)
    Authorization.objects.create(lfdi=DEMO_DER, role=Role.DIRECT, status=approved)
    Authorization.objects.create(lfdi=DEMO_AGGREGATOR, role=Role.AGGREGATOR, status=approved)
    Authorization.objects.create(lfdi=DEMO_MANAGED, role=Role.MANAGED, aggregator=aggregator, status=approved)
    return der, aggregator


@pytest.fixture
def pki_dir(tmp_path):
    ensure_server_pki(directory=tmp_path, server_names=["localhost"])
    return tmp_path


def test_each_connecting_demo_client_gets_a_certificate_that_names_it(pki_dir):
    der, aggregator = make_demo()

    issued = {c.name: c for c in issue_demo_certificates(directory=pki_dir)}

    der.refresh_from_db()
    aggregator.refresh_from_db()
    assert issued[f"demo-direct-{DEMO_DER[:12]}"].lfdi == der.lfdi
    assert issued[f"demo-aggregator-{DEMO_AGGREGATOR[:12]}"].lfdi == aggregator.lfdi
    assert der.sfdi == sfdi_from_lfdi(der.lfdi)
    assert Authorization.objects.get(lfdi=der.lfdi).role == Role.DIRECT
    assert Authorization.objects.get(lfdi=aggregator.lfdi).role == Role.AGGREGATOR


def test_ders_managed_by_an_aggregator_get_no_certificate(pki_dir):
    make_demo()

    issued = issue_demo_certificates(directory=pki_dir)

    assert len(issued) == 2
    assert Authorization.objects.filter(lfdi=DEMO_MANAGED).exists()


def test_a_rebuilt_demo_finds_the_certificates_it_had(pki_dir):
    make_demo()
    first = {c.name: c.lfdi for c in issue_demo_certificates(directory=pki_dir)}
    Authorization.objects.all().delete()
    EndDevice.objects.all().delete()
    make_demo()

    second = {c.name: c.lfdi for c in issue_demo_certificates(directory=pki_dir)}

    assert second == first
