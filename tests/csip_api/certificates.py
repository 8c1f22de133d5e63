"""Client certificates for tests that go through the real identity path."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from derms.lfdi import lfdi_from_certificate


def client_certificate(name: str) -> x509.Certificate:
    """A self-signed P-256 certificate valid now, as 2030.5 devices carry."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


def lfdi_of(certificate: x509.Certificate) -> str:
    return lfdi_from_certificate(certificate.public_bytes(Encoding.DER))


def forwarded_header(certificate: x509.Certificate) -> str:
    """X-Forwarded-Client-Cert as nginx's $ssl_client_escaped_cert writes it."""
    return quote(certificate.public_bytes(Encoding.PEM).decode("ascii"), safe="")
