"""The development PKI, and the LFDI and SFDI that every identity in derms comes from (CSIP 5.2.2)."""

import hashlib
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.core.management.base import CommandError

from csip_api.pki import NO_EXPIRY, ServerPKI
from derms.lfdi import format_sfdi, normalize_lfdi, sfdi_from_lfdi

pytestmark = pytest.mark.tls


@pytest.mark.parametrize(
    ("lfdi", "sfdi"),
    [
        ("12a4a4b406ad102e7421019135ffa2805235a21c", 50044792964),
        ("3E4F45AB31EDFE5B67E343E5E4562E31984E23E5", 167261211391),
        ("247bd68e3378fe57ba604e3c8bdf9e3f78a3d743", 97935300833),
        ("2990c58a59935a7d5838c952b1a453c967341a07", 111576577659),
    ],
)
def test_sfdi_matches_the_published_vectors(lfdi, sfdi):
    assert sfdi_from_lfdi(lfdi) == sfdi
    assert normalize_lfdi(lfdi) == lfdi.lower()


def test_the_guides_sfdi_is_shown_with_twelve_digits():
    assert format_sfdi(sfdi_from_lfdi("12a4a4b406ad102e7421019135ffa2805235a21c")) == "050044792964"


@pytest.fixture
def pki_settings(settings, tmp_path):
    settings.CSIP_PKI_DIR = tmp_path / "pki"
    settings.CSIP_PKI_SERVER_NAMES = ["localhost", "127.0.0.1"]
    return settings


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_pki_init_creates_the_ca_and_both_server_certificates_once(pki_settings):
    first = run("pki_init")
    pki = ServerPKI.in_directory(pki_settings.CSIP_PKI_DIR)
    ca_before = pki.ca_cert.read_bytes()

    second = run("pki_init")

    assert first.startswith("Created") and second.startswith("Kept")
    assert pki.ca_cert.read_bytes() == ca_before
    ecdsa = x509.load_pem_x509_certificate(pki.ecdsa_cert.read_bytes())
    rsa = x509.load_pem_x509_certificate(pki.rsa_cert.read_bytes())
    assert isinstance(ecdsa.public_key(), ec.EllipticCurvePublicKey)
    assert ecdsa.public_key().curve.name == "secp256r1"
    assert rsa.public_key().key_size >= 2048
    for certificate in (ecdsa, rsa):
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert names.get_values_for_type(x509.DNSName) == ["localhost"]
        assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]


def test_pki_issue_prints_the_lfdi_and_sfdi_of_the_certificate_it_wrote(pki_settings):
    run("pki_init")

    output = run("pki_issue", "inverter-17")

    der = (pki_settings.CSIP_PKI_DIR / "clients" / "inverter-17.der").read_bytes()
    lfdi = hashlib.sha256(der).hexdigest()[:40]
    assert f"LFDI         {lfdi}" in output
    assert f"SFDI         {format_sfdi(sfdi_from_lfdi(lfdi))}" in output
    pem = (pki_settings.CSIP_PKI_DIR / "clients" / "inverter-17.pem").read_bytes()
    certificate = x509.load_pem_x509_certificate(pem)
    assert certificate.public_key().curve.name == "secp256r1"
    assert certificate.not_valid_after_utc == NO_EXPIRY


def test_pki_issue_marks_aggregators_and_limits_validity_when_asked(pki_settings):
    run("pki_init")

    run("pki_issue", "aggregator-1", "--aggregator", "--days", "30")

    pem = (pki_settings.CSIP_PKI_DIR / "clients" / "aggregator-1.pem").read_bytes()
    certificate = x509.load_pem_x509_certificate(pem)
    unit = certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
    assert unit == "aggregator"
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert 29 <= lifetime.days <= 30


def test_pki_issue_never_replaces_a_certificate_already_issued(pki_settings):
    run("pki_init")
    run("pki_issue", "inverter-17")

    with pytest.raises(CommandError, match="already issued"):
        run("pki_issue", "inverter-17")


def test_pki_issue_needs_the_ca_first(pki_settings):
    with pytest.raises(CommandError, match="pki_init"):
        run("pki_issue", "inverter-17")
