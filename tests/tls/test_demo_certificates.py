"""The demo's direct DERs and aggregators get certificates from the development CA, once."""

from dataclasses import dataclass

import pytest
from cryptography import x509

from csip_api.demo_certificates import issue_missing_demo_certificates
from csip_api.pki import ensure_server_pki, load_client_certificate
from derms.models import Role

pytestmark = pytest.mark.tls


@dataclass(frozen=True)
class Client:
    name: str
    role: str


DEMO = [
    Client("der-001", Role.DIRECT),
    Client("der-002", Role.DIRECT),
    Client("aggregator-a", Role.AGGREGATOR),
]


@pytest.fixture
def pki_dir(tmp_path):
    ensure_server_pki(directory=tmp_path, server_names=["localhost"])
    return tmp_path


def organizational_unit(certificate_path) -> str:
    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    return certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value


def test_every_demo_client_gets_a_certificate_under_its_name(pki_dir):
    issued = issue_missing_demo_certificates(directory=pki_dir, clients=DEMO)

    assert [c.name for c in issued] == ["der-001", "der-002", "aggregator-a"]
    assert organizational_unit(pki_dir / "clients" / "der-001.pem") == "device"
    assert organizational_unit(pki_dir / "clients" / "aggregator-a.pem") == "aggregator"


def test_a_second_start_issues_nothing_and_keeps_every_lfdi(pki_dir):
    first = {c.name: c.lfdi for c in issue_missing_demo_certificates(directory=pki_dir, clients=DEMO)}

    again = issue_missing_demo_certificates(directory=pki_dir, clients=DEMO)

    assert again == []
    assert {c.name: load_client_certificate(directory=pki_dir, name=c.name).lfdi for c in DEMO} == first


def test_a_new_demo_client_is_the_only_one_issued(pki_dir):
    issue_missing_demo_certificates(directory=pki_dir, clients=DEMO[:2])

    issued = issue_missing_demo_certificates(directory=pki_dir, clients=DEMO)

    assert [c.name for c in issued] == ["aggregator-a"]
