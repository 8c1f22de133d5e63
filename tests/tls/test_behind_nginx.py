"""Production layout: nginx terminates CSIP mutual TLS and forwards the certificate to gunicorn."""

import ssl

import pytest

from tests.csip_api.documents import REFUSED
from tests.tls.servers import client_context, https_request, only

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("cipher", ["ECDHE-ECDSA-AES128-CCM8", "AES256-SHA256"])
def test_the_right_lfdi_arrives_through_nginx_over_either_csip_suite(
    nginx, server_pki, direct_der_cert, approve, cipher
):
    approve(direct_der_cert)
    context = client_context(server_pki, direct_der_cert, ciphers=only(cipher))

    response = https_request(nginx.api_port, "/whoami", context)

    assert response.cipher == cipher
    assert response.json() == {"lfdi": direct_der_cert.lfdi, "kind": "end_device"}


@pytest.mark.parametrize(
    "case",
    ["no certificate", "another CA", "expired", "TLS 1.3", "another cipher", "another curve"],
)
def test_nginx_refuses_what_csip_does_not_allow(
    nginx, server_pki, direct_der_cert, foreign_cert, expired_cert, approve, case
):
    approve(direct_der_cert)
    context = {
        "no certificate": lambda: client_context(server_pki, None),
        "another CA": lambda: client_context(server_pki, foreign_cert),
        "expired": lambda: client_context(server_pki, expired_cert),
        "TLS 1.3": lambda: client_context(server_pki, direct_der_cert, version=ssl.TLSVersion.TLSv1_3),
        "another cipher": lambda: client_context(
            server_pki, direct_der_cert, ciphers="ECDHE-ECDSA-AES128-GCM-SHA256"
        ),
        "another curve": lambda: client_context(
            server_pki, direct_der_cert, ciphers=only("ECDHE-ECDSA-AES128-CCM8"), curve="secp384r1"
        ),
    }[case]()

    try:
        response = https_request(nginx.api_port, "/whoami", context)
    except (ssl.SSLError, ConnectionError):
        return
    # nginx answers a handshake without a valid certificate with its own 400 page, never the app's.
    assert response.status == 400
    assert b"SSL certificate" in response.body


def test_nginx_admits_a_body_as_large_as_csip_max_body_bytes_and_refuses_a_larger_one(
    nginx, server_pki, direct_der_cert, approve, settings
):
    approve(direct_der_cert)
    context = client_context(server_pki, direct_der_cert)
    limit = settings.CSIP_MAX_BODY_BYTES

    def post(size: int):
        return https_request(
            nginx.api_port,
            "/mup",
            context,
            method="POST",
            body=b"x" * size,
            headers={"Content-Type": "application/sep+xml"},
        )

    at_the_limit, over_it = post(limit), post(limit + 1)

    # derms itself read the body at the limit: it is not XML, so derms's own 400, not nginx's 413 page.
    assert at_the_limit.status == 400
    assert at_the_limit.body == REFUSED
    assert over_it.status == 413
