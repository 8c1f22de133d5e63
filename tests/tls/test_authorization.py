"""CSIP 5.2.1.4: only LFDIs a handbook administrator approved get anything; others get one 4xx.

That every 2030.5 URL and method answers an unknown or revoked LFDI with the configured status, through
gunicorn and nginx, is shown in tests/e2e/test_unauthorized.py; this module covers who counts as unknown.
"""

import http.client

import pytest

from derms.models import Authorization, EndDevice
from derms.services import authorizations
from tests.tls.servers import client_context, https_request

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


def test_an_unknown_lfdi_is_listed_for_the_handbook_administrator_as_seen(
    embedded_api, server_pki, stranger_cert
):
    https_request(embedded_api.port, "/dcap", client_context(server_pki, stranger_cert))

    seen = Authorization.objects.get(lfdi=stranger_cert.lfdi)
    assert seen.status == Authorization.Status.SEEN
    assert seen.last_seen is not None


@pytest.mark.parametrize("status", [Authorization.Status.PENDING, Authorization.Status.SEEN])
def test_an_lfdi_not_yet_approved_gets_the_configured_status(
    embedded_api, embedded_api_403, server_pki, stranger_cert, status
):
    Authorization.objects.create(lfdi=stranger_cert.lfdi, role="direct", status=status)
    context = client_context(server_pki, stranger_cert)

    assert https_request(embedded_api.port, "/dcap", context).status == 404
    assert https_request(embedded_api_403.port, "/dcap", context).status == 403


def test_revoking_an_lfdi_applies_to_the_very_next_request_on_the_same_connection(
    embedded_api, server_pki, direct_der_cert, approve
):
    authorization = approve(direct_der_cert)
    context = client_context(server_pki, direct_der_cert)
    connection = http.client.HTTPSConnection("127.0.0.1", embedded_api.port, context=context, timeout=10)

    before = https_request(embedded_api.port, "/dcap", context, connection=connection)
    authorizations.revoke(actor=None, authorization=authorization)
    after = https_request(embedded_api.port, "/dcap", context, connection=connection)
    connection.close()

    assert before.status == 200
    assert after.status == 404


def test_an_approved_lfdi_without_its_end_device_yet_is_identified_as_unregistered(
    embedded_api, server_pki, direct_der_cert
):
    Authorization.objects.create(
        lfdi=direct_der_cert.lfdi, role="direct", status=Authorization.Status.APPROVED
    )

    response = https_request(embedded_api.port, "/whoami", client_context(server_pki, direct_der_cert))

    assert response.json() == {"lfdi": direct_der_cert.lfdi, "kind": "unregistered"}


def test_a_der_approved_through_its_aggregator_may_not_connect_itself(
    embedded_api, server_pki, direct_der_cert, aggregator_cert
):
    aggregator = EndDevice.objects.create(lfdi=aggregator_cert.lfdi, role="aggregator")
    Authorization.objects.create(
        lfdi=direct_der_cert.lfdi, role="managed", aggregator=aggregator, status=Authorization.Status.APPROVED
    )

    response = https_request(embedded_api.port, "/dcap", client_context(server_pki, direct_der_cert))

    assert response.status == 404
