"""Untrusted request bodies: hostile or malformed XML is refused with 400/413, never a 500."""

import pytest
from django.test import RequestFactory

from csip_api.schema_values import Boolean, Field, HexBinary, Integer, Text, Time, read_values
from csip_api.xml import BodyTooLarge, XMLBodyError, parse_body, parse_document

GOOD = b'<DERStatus xmlns="urn:ieee:std:2030.5:ns"><readingTime>1700000000</readingTime></DERStatus>'

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<DERStatus xmlns="urn:ieee:std:2030.5:ns"><readingTime>&lol2;</readingTime></DERStatus>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<DERStatus xmlns="urn:ieee:std:2030.5:ns"><readingTime>&x;</readingTime></DERStatus>"""


def _body(xml: bytes, root: str = "DERStatus"):
    return parse_document(xml, root=root)


def test_a_well_formed_body_is_read_with_types():
    body = _body(GOOD)

    assert read_values(body, (Field("readingTime", Time()),)) == {"readingTime": 1700000000}
    assert read_values(body, (Field("readingTime", Integer(0, 2**40)),)) == {"readingTime": 1700000000}
    assert read_values(body, (Field("absent", Boolean()),)) == {}


@pytest.mark.parametrize(
    "xml",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        b"<DERStatus",
        b"",
        b'<DERStatus xmlns="urn:other"/>',
        b'<DERSettings xmlns="urn:ieee:std:2030.5:ns"/>',
    ],
    ids=["entity expansion", "external entity", "truncated", "empty", "wrong namespace", "wrong root"],
)
def test_hostile_or_malformed_documents_are_refused_with_400(xml):
    with pytest.raises(XMLBodyError) as refused:
        _body(xml)

    assert refused.value.status == 400


def test_a_body_over_the_limit_is_refused_with_413(settings):
    settings.CSIP_MAX_BODY_BYTES = 64

    with pytest.raises(BodyTooLarge) as refused:
        _body(GOOD + b" " * 64)

    assert refused.value.status == 413


def test_a_declared_length_over_the_limit_is_refused_before_reading(settings):
    settings.CSIP_MAX_BODY_BYTES = 64
    request = RequestFactory().post("/edev", data=GOOD, content_type="application/sep+xml")
    request.META["CONTENT_LENGTH"] = "1000000"

    with pytest.raises(BodyTooLarge):
        parse_body(request, root="DERStatus")


@pytest.mark.parametrize(
    ("xml", "field"),
    [
        (b"<n>twelve</n>", Field("n", Integer(0, 100))),
        (b"<n>101</n>", Field("n", Integer(0, 100))),
        (b"<n>yes</n>", Field("n", Boolean())),
        (b"<n>ABC</n>", Field("n", HexBinary(4))),
        (b"<n>0A0B0C0D0E</n>", Field("n", HexBinary(4))),
        (b"<n>-1</n>", Field("n", Time())),
        (b"<n>253402300800</n>", Field("n", Time())),
        (b"", Field("n", Text(32), required=True)),
        (b"<n>" + b"x" * 40 + b"</n>", Field("n", Text(32))),
    ],
    ids=[
        "not an integer",
        "out of range",
        "not a boolean",
        "odd hex",
        "hex too long",
        "negative time",
        "time after year 9999",
        "missing",
        "too long",
    ],
)
def test_wrong_types_are_the_clients_fault(xml, field, settings):
    settings.CSIP_VALIDATE_BODIES = False  # the typed reading, which still guards when the schema is off
    body = _body(b'<DERStatus xmlns="urn:ieee:std:2030.5:ns">' + xml + b"</DERStatus>")

    with pytest.raises(XMLBodyError):
        read_values(body, (field,))


def test_schema_invalid_bodies_are_refused_when_validation_is_on(settings):
    if not settings.CSIP_SCHEMA_PATH:
        pytest.skip("CSIP_SCHEMA_PATH is not set: sep.xsd is needed to validate bodies")
    settings.CSIP_VALIDATE_BODIES = True

    with pytest.raises(XMLBodyError, match="schema"):
        _body(b'<DERStatus xmlns="urn:ieee:std:2030.5:ns"><bogus/></DERStatus>')
    assert _body(GOOD).tag == "DERStatus"
