"""The server side of CSIP 5.2.1 mutual TLS, in one SSLContext.

TLS 1.2 only. ``ECDHE-ECDSA-AES128-CCM8`` (DER clients) is served with the ECDSA P-256 certificate and
``AES256-SHA256`` (aggregators) with the RSA one; OpenSSL picks the chain that fits the negotiated suite, so
both are loaded into the same context and share one port. Key exchange uses secp256r1 only, and the client
must present a certificate that chains to the configured CA (expired ones fail verification).
"""

from __future__ import annotations

import functools
import ssl
from pathlib import Path

from django.conf import settings

CSIP_CIPHERS = "ECDHE-ECDSA-AES128-CCM8:AES256-SHA256"
CSIP_CURVE = "prime256v1"


def cipher_string() -> str:
    """The CSIP suites, at the security level this OpenSSL needs to offer CCM8."""
    # OpenSSL 3.2 moved CCM8 (its 64-bit tag) below security level 1: without level 0 it is never offered.
    if ssl.OPENSSL_VERSION_INFO >= (3, 2):
        return f"{CSIP_CIPHERS}:@SECLEVEL=0"
    return CSIP_CIPHERS


def server_context(
    *, ca_file: Path, ecdsa_cert: Path, ecdsa_key: Path, rsa_cert: Path, rsa_key: Path
) -> ssl.SSLContext:
    """A server context that accepts exactly what CSIP 5.2.1 allows, and nothing else."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(cipher_string())
    context.set_ecdh_curve(CSIP_CURVE)
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_RENEGOTIATION
    context.load_cert_chain(certfile=ecdsa_cert, keyfile=ecdsa_key)
    context.load_cert_chain(certfile=rsa_cert, keyfile=rsa_key)
    context.load_verify_locations(cafile=ca_file)
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def client_context(*, ca_file: Path, cert: Path, key: Path) -> ssl.SSLContext:
    """The context the server POSTs notifications with: CSIP's TLS 1.2 suites, its own client
    certificate, and the receiver verified against ``ca_file`` (name included)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(cipher_string())
    context.load_cert_chain(certfile=cert, keyfile=key)
    context.load_verify_locations(cafile=ca_file)
    return context


@functools.cache
def configured_client_context() -> ssl.SSLContext:
    return client_context(
        ca_file=settings.DERMS_NOTIFY_CA_FILE, cert=settings.DERMS_NOTIFY_CERT, key=settings.DERMS_NOTIFY_KEY
    )


@functools.cache
def configured_server_context() -> ssl.SSLContext:
    """The context built from settings, once per process (gunicorn asks for one per connection)."""
    return server_context(
        ca_file=settings.CSIP_TLS_CA_FILE,
        ecdsa_cert=settings.CSIP_TLS_ECDSA_CERT,
        ecdsa_key=settings.CSIP_TLS_ECDSA_KEY,
        rsa_cert=settings.CSIP_TLS_RSA_CERT,
        rsa_key=settings.CSIP_TLS_RSA_KEY,
    )
