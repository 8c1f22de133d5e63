"""The demo utility, as its own certificate holders walk it: every document served is valid."""

from urllib.parse import quote

import pytest
from django.core.management import call_command

from csip_api.demo_certificates import issue_missing_demo_certificates
from csip_api.xml import schema_errors, serialize
from derms.demo import demo_devices
from derms.models import EndDevice
from tests.csip_api.walking import walk


@pytest.fixture
def demo(settings, tmp_path):
    """The demo built as `manage.py serve --demo` builds it: certificates first, then demo_data."""
    if not settings.CSIP_SCHEMA_PATH:
        pytest.skip("CSIP_SCHEMA_PATH is not set: sep.xsd is needed to validate documents")
    settings.CSIP_PKI_DIR = tmp_path
    settings.CSIP_TLS_MODE = "proxy"
    settings.CSIP_TRUSTED_PROXIES = ["127.0.0.1"]
    call_command("pki_init", verbosity=0)
    issued = issue_missing_demo_certificates(directory=tmp_path, clients=demo_devices())
    call_command("demo_data", verbosity=0)
    return {certificate.name: certificate for certificate in issued}


def _walk_as(client, certificate):
    header = quote(certificate.cert.read_text(), safe="")

    def get(url):
        response = client.get(url, HTTP_X_FORWARDED_CLIENT_CERT=header)
        return response.status_code, response.content

    return walk(get)


def _assert_valid(walked):
    assert walked.documents
    for url, document in walked.documents.items():
        assert schema_errors(document) == [], f"{url}: {serialize(document).decode()}"


@pytest.mark.django_db
def test_a_demo_der_walks_to_its_programs_controls_and_curves_and_every_document_is_valid(client, demo):
    walked = _walk_as(client, demo["der-001"])
    _assert_valid(walked)
    assert {e.findtext("{*}lFDI") for e in walked.entries("EndDevice")} == {demo["der-001"].lfdi}
    assert walked.of("DERProgramList") and walked.of("DefaultDERControl") and walked.of("DERCurveList")


@pytest.mark.django_db
def test_a_demo_aggregator_walks_to_exactly_its_ders_and_every_document_is_valid(client, demo):
    aggregator = demo["aggregator-sunflow"]
    walked = _walk_as(client, aggregator)
    _assert_valid(walked)
    listed = {e.findtext("{*}lFDI") for e in walked.entries("EndDevice")}
    own = EndDevice.objects.get(lfdi=aggregator.lfdi)
    expected = {own.lfdi, *own.managed_ders.values_list("lfdi", flat=True)}
    assert listed == expected
    assert len(expected) > 10
