"""LFDI and SFDI: the identifiers 2030.5 derives from a device certificate (CSIP 5.2.2)."""

import hashlib
import re

from django.core.exceptions import ValidationError

_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")


def normalize_lfdi(value: str) -> str:
    """Return the LFDI as 40 lower-case hex digits; raise ValidationError for anything else.

    HexBinary160 accepts either case on input, so two spellings of one LFDI must be one key.
    """
    text = (value or "").strip()
    if not _HEX40.match(text):
        raise ValidationError("An LFDI is exactly 40 hexadecimal digits.", code="invalid_lfdi")
    return text.lower()


def lfdi_from_certificate(der_bytes: bytes) -> str:
    """LFDI = the first 160 bits of SHA-256 over the certificate's DER encoding."""
    return hashlib.sha256(der_bytes).hexdigest()[:40]


def sfdi_from_lfdi(lfdi: str) -> int:
    """SFDI = the LFDI's first 36 bits as a decimal number, followed by a sum-of-digits check digit."""
    base = int(normalize_lfdi(lfdi)[:9], 16)
    return base * 10 + _check_digit(base)


def _check_digit(base: int) -> int:
    """The digit that makes the sum of all decimal digits a multiple of 10 (not Luhn)."""
    return (10 - sum(int(d) for d in str(base)) % 10) % 10


def format_sfdi(sfdi: int) -> str:
    """The SFDI as people read it: 12 digits, zero-padded."""
    return f"{sfdi:012d}"


def lfdi_prefix_from_sfdi(sfdi: int) -> str:
    """The first 9 hex digits every LFDI with this SFDI starts with; ValidationError if it cannot be one.

    An SFDI typed by a person may have lost its leading zeros; as an integer it is the same SFDI.
    """
    base, check = divmod(sfdi, 10)
    if not 0 <= base < 16**9 or _check_digit(base) != check:
        raise ValidationError("Not a valid SFDI (wrong length or check digit).", code="invalid_sfdi")
    return f"{base:09x}"
