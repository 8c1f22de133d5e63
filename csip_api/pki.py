"""A development PKI: a CA, the server's two certificates and device or aggregator certificates.

CSIP 5.2.1 has the server present an ECDSA P-256 certificate for ``ECDHE-ECDSA-AES128-CCM8`` and an RSA one
for ``AES256-SHA256``, and every client an ECDSA P-256 certificate from which its LFDI is derived. A real
utility gets these from the SunSpec/2030.5 PKI; this one lets a newcomer run the whole system on one machine.
Everything is written under one directory, keys readable by the owner only.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from derms.lfdi import lfdi_from_certificate, sfdi_from_lfdi

CA_CERT = "ca.pem"
CA_KEY = "ca.key"
SERVER_ECDSA_CERT = "server-ecdsa.pem"
SERVER_ECDSA_KEY = "server-ecdsa.key"
SERVER_RSA_CERT = "server-rsa.pem"
SERVER_RSA_KEY = "server-rsa.key"
#: The server's own client certificate, presented when it POSTs notifications to subscribers.
NOTIFIER_CERT = "notifier.pem"
NOTIFIER_KEY = "notifier.key"
CLIENTS = "clients"

CA_DAYS = 3650
SERVER_DAYS = 825
#: 2030.5 device certificates carry no meaningful expiry: notAfter is 99991231235959Z (IEEE 2030.5 6.11.8.3).
NO_EXPIRY = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ServerPKI:
    """The files the 2030.5 server needs: its two certificate chains and the CA that signs clients."""

    ca_cert: Path
    ecdsa_cert: Path
    ecdsa_key: Path
    rsa_cert: Path
    rsa_key: Path
    notifier_cert: Path
    notifier_key: Path

    @classmethod
    def in_directory(cls, directory: Path) -> ServerPKI:
        return cls(
            ca_cert=directory / CA_CERT,
            ecdsa_cert=directory / SERVER_ECDSA_CERT,
            ecdsa_key=directory / SERVER_ECDSA_KEY,
            rsa_cert=directory / SERVER_RSA_CERT,
            rsa_key=directory / SERVER_RSA_KEY,
            notifier_cert=directory / NOTIFIER_CERT,
            notifier_key=directory / NOTIFIER_KEY,
        )


@dataclass(frozen=True)
class ClientCertificate:
    """A device or aggregator certificate as issued: where its files are and who it names."""

    name: str
    cert: Path
    key: Path
    der: Path
    lfdi: str

    @property
    def sfdi(self) -> int:
        return sfdi_from_lfdi(self.lfdi)


def ensure_server_pki(*, directory: Path, server_names: list[str]) -> tuple[ServerPKI, bool]:
    """Create the CA and both server certificates unless they exist; return them and whether any was made.

    Existing files are never replaced: clients already trust this CA and hold certificates it signed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    pki = ServerPKI.in_directory(directory)
    created = False
    if not pki.ca_cert.exists():
        ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "derms development CA")])
        builder = (
            _builder(subject=name, issuer=name, public_key=ca_key.public_key(), validity=_valid_for(CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        )
        _write_key(pki.ca_cert.with_name(CA_KEY), ca_key)
        _write_cert(pki.ca_cert, builder.sign(ca_key, hashes.SHA256()))
        created = True
    if not pki.ecdsa_cert.exists():
        _issue_server(ec.generate_private_key(ec.SECP256R1()), pki.ecdsa_cert, pki.ecdsa_key, server_names)
        created = True
    if not pki.rsa_cert.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _issue_server(key, pki.rsa_cert, pki.rsa_key, server_names)
        created = True
    if not pki.notifier_cert.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        _issue_server(
            key, pki.notifier_cert, pki.notifier_key, server_names, usage=ExtendedKeyUsageOID.CLIENT_AUTH
        )
        created = True
    return pki, created


def issue_client_certificate(
    *, directory: Path, name: str, aggregator: bool = False, days: int | None = None, expired: bool = False
) -> ClientCertificate:
    """Issue an ECDSA P-256 client certificate signed by the development CA.

    ``days=None`` gives the 2030.5 "no expiry" notAfter; ``expired=True`` one that ended yesterday (for
    testing that such a certificate is refused).
    """
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"Not a usable certificate name: {name!r}")
    if load_client_certificate(directory=directory, name=name) is not None:
        # Replacing it would silently give the device a new LFDI.
        raise FileExistsError(f"A certificate named {name!r} was already issued in {directory / CLIENTS}.")
    ca_cert, ca_key = _load_ca(directory)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    if expired:
        validity = (now - dt.timedelta(days=30), now - dt.timedelta(days=1))
    else:
        validity = (
            now - dt.timedelta(minutes=5),
            NO_EXPIRY if days is None else now + dt.timedelta(days=days),
        )
    unit = "aggregator" if aggregator else "device"
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    certificate = (
        _builder(subject=subject, issuer=ca_cert.subject, public_key=key.public_key(), validity=validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(_authority_key_id(ca_cert), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path, der_path = _client_files(directory, name)
    cert_path.parent.mkdir(exist_ok=True)
    _write_key(key_path, key)
    _write_cert(cert_path, certificate)
    der_path.write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    return load_client_certificate(directory=directory, name=name)


def load_client_certificate(*, directory: Path, name: str) -> ClientCertificate | None:
    """The client certificate issued earlier under ``name``, or None."""
    cert_path, key_path, der_path = _client_files(directory, name)
    if not der_path.exists():
        return None
    lfdi = lfdi_from_certificate(der_path.read_bytes())
    return ClientCertificate(name=name, cert=cert_path, key=key_path, der=der_path, lfdi=lfdi)


def _client_files(directory: Path, name: str) -> tuple[Path, Path, Path]:
    folder = directory / CLIENTS
    return folder / f"{name}.pem", folder / f"{name}.key", folder / f"{name}.der"


def _issue_server(
    key, cert_path: Path, key_path: Path, server_names: list[str], usage=ExtendedKeyUsageOID.SERVER_AUTH
) -> None:
    ca_cert, ca_key = _load_ca(cert_path.parent)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, server_names[0])])
    certificate = (
        _builder(
            subject=subject,
            issuer=ca_cert.subject,
            public_key=key.public_key(),
            validity=_valid_for(SERVER_DAYS),
        )
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in server_names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage(cert_sign=False, key_encipherment=isinstance(key, rsa.RSAPrivateKey)), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(_authority_key_id(ca_cert), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(key_path, key)
    # The chain file holds the leaf then the CA, so clients that were given only the CA still build the path.
    cert_path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + ca_cert.public_bytes(serialization.Encoding.PEM)
    )


def _builder(
    *, subject: x509.Name, issuer: x509.Name, public_key, validity: tuple[dt.datetime, dt.datetime]
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
    )


def _valid_for(days: int) -> tuple[dt.datetime, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    return now - dt.timedelta(minutes=5), now + dt.timedelta(days=days)


def _key_usage(*, cert_sign: bool, key_encipherment: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _authority_key_id(ca_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _load_ca(directory: Path):
    cert_path = directory / CA_CERT
    if not cert_path.exists():
        raise FileNotFoundError(f"No CA in {directory}: run `manage.py pki_init` first.")
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key((directory / CA_KEY).read_bytes(), password=None)
    return certificate, key


def _write_key(path: Path, key) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _write_cert(path: Path, certificate: x509.Certificate) -> None:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
