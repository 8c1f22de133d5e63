"""X-Forwarded-Client-Cert is believed only from nginx in proxy mode: never from a client, never in
embedded mode, never from a peer that is not a trusted proxy."""

from urllib.parse import quote

import pytest

from tests.tls.servers import client_context, http_request, https_request

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


def forged(certificate) -> dict[str, str]:
    return {"X-Forwarded-Client-Cert": quote(certificate.cert.read_text())}


@pytest.mark.parametrize("layout", ["embedded", "behind nginx"])
def test_the_certificate_of_the_handshake_wins_over_a_forwarded_one_the_client_sent(
    request, layout, server_pki, direct_der_cert, aggregator_cert, approve
):
    if layout == "embedded":
        port = request.getfixturevalue("embedded_api").port
    else:
        port = request.getfixturevalue("nginx").api_port
    approve(direct_der_cert)
    approve(aggregator_cert, role="aggregator")

    response = https_request(
        port, "/whoami", client_context(server_pki, direct_der_cert), headers=forged(aggregator_cert)
    )

    assert response.json()["lfdi"] == direct_der_cert.lfdi


def test_a_forwarded_certificate_from_a_peer_that_is_not_a_trusted_proxy_is_ignored(
    proxied_api, direct_der_cert, approve
):
    approve(direct_der_cert)

    # The proxied gunicorn trusts only its unix socket; this request comes over TCP from 127.0.0.1.
    response = http_request(proxied_api.port, "/whoami", headers=forged(direct_der_cert))

    assert response.status == 404
