"""gunicorn terminating CSIP mutual TLS itself: who gets in, over what, and who the app sees."""

import shutil
import ssl
import subprocess

import pytest

from tests.tls.servers import client_context, https_request, only

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


def refused(port, context) -> bool:
    """True when the TLS handshake (or the first request on it) fails."""
    try:
        https_request(port, "/whoami", context)
    except (ssl.SSLError, ConnectionError):
        return True
    return False


def test_a_direct_der_over_ccm8_is_identified_by_its_certificates_lfdi(
    embedded_api, server_pki, direct_der_cert, approve
):
    approve(direct_der_cert)
    context = client_context(server_pki, direct_der_cert, ciphers=only("ECDHE-ECDSA-AES128-CCM8"))

    response = https_request(embedded_api.port, "/whoami", context)

    assert response.cipher == "ECDHE-ECDSA-AES128-CCM8"
    assert response.status == 200
    assert response.json() == {"lfdi": direct_der_cert.lfdi, "kind": "end_device"}


def test_an_aggregator_over_aes256_sha256_is_identified_by_its_certificates_lfdi(
    embedded_api, server_pki, aggregator_cert, approve
):
    approve(aggregator_cert, role="aggregator")
    context = client_context(server_pki, aggregator_cert, ciphers=only("AES256-SHA256"))

    response = https_request(embedded_api.port, "/whoami", context)

    assert response.cipher == "AES256-SHA256"
    assert response.json() == {"lfdi": aggregator_cert.lfdi, "kind": "aggregator"}


def test_the_server_prefers_ccm8_when_a_client_offers_both_suites(
    embedded_api, server_pki, direct_der_cert, approve
):
    approve(direct_der_cert)

    response = https_request(embedded_api.port, "/whoami", client_context(server_pki, direct_der_cert))

    assert response.cipher == "ECDHE-ECDSA-AES128-CCM8"


def test_a_client_without_a_certificate_is_refused(embedded_api, server_pki):
    assert refused(embedded_api.port, client_context(server_pki, None))


def test_a_certificate_from_another_ca_is_refused(embedded_api, server_pki, foreign_cert):
    assert refused(embedded_api.port, client_context(server_pki, foreign_cert))


def test_an_expired_certificate_is_refused_even_when_its_lfdi_is_approved(
    embedded_api, server_pki, expired_cert, approve
):
    approve(expired_cert)

    assert refused(embedded_api.port, client_context(server_pki, expired_cert))


def test_tls_1_3_is_refused(embedded_api, server_pki, direct_der_cert):
    context = client_context(server_pki, direct_der_cert, version=ssl.TLSVersion.TLSv1_3)

    assert refused(embedded_api.port, context)


@pytest.mark.parametrize(
    "cipher", ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "AES128-SHA256"]
)
def test_a_cipher_suite_outside_the_two_of_csip_is_refused(embedded_api, server_pki, direct_der_cert, cipher):
    assert refused(embedded_api.port, client_context(server_pki, direct_der_cert, ciphers=cipher))


@pytest.mark.parametrize("curve", ["secp384r1", "secp521r1", "X25519"])
def test_a_client_offering_only_a_curve_other_than_p256_is_refused(
    embedded_api, server_pki, direct_der_cert, curve
):
    context = client_context(
        server_pki, direct_der_cert, ciphers=only("ECDHE-ECDSA-AES128-CCM8"), curve=curve
    )

    assert refused(embedded_api.port, context)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command line tool")
def test_ecdhe_is_agreed_on_p256_even_when_the_client_prefers_other_curves(
    embedded_api, server_pki, direct_der_cert
):
    # Python's ssl cannot offer several groups nor report the one agreed; OpenSSL's own client can.
    command = [
        "openssl", "s_client", "-connect", f"127.0.0.1:{embedded_api.port}", "-tls1_2",
        "-cipher", "ECDHE-ECDSA-AES128-CCM8", "-groups", "X25519:secp384r1:prime256v1",
        "-cert", str(direct_der_cert.cert), "-key", str(direct_der_cert.key),
        "-CAfile", str(server_pki.ca_cert),
    ]  # fmt: skip

    handshake = subprocess.run(command, input=b"", capture_output=True, timeout=30)

    assert "Server Temp Key: ECDH, prime256v1, 256 bits" in handshake.stdout.decode()
