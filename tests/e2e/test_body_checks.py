"""Every body is checked before any rule of the server runs, over real HTTPS: a schema-invalid body gets 400
whoever sends it and whatever the registration policy, a body of another media type 415, and neither
changes anything. Every refusal is a 2030.5 Error document that sep.xsd accepts."""

import pytest
from django.conf import settings
from lxml import etree

from csip_api import hrefs
from csip_api.xml import schema_errors
from tests.csip_api.documents import MEDIA_TYPE, end_device_body, mup_body, status_body
from tests.csip_api.stored import snapshot

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

needs_schema = pytest.mark.skipif(
    not settings.CSIP_SCHEMA_PATH, reason="CSIP_SCHEMA_PATH is not set: sep.xsd is needed to validate bodies"
)


def reason_code(body: bytes) -> int:
    assert schema_errors(body) == [], body
    return int(etree.fromstring(body).findtext("{urn:ieee:std:2030.5:ns}reasonCode"))


@needs_schema
@pytest.mark.parametrize("defect", ["elements out of order", "an unknown element"])
def test_an_out_of_band_device_posting_an_invalid_end_device_gets_400_not_403(
    api_port, connect, direct, defect
):
    client = connect(api_port, direct.certificate)
    valid = end_device_body(direct.lfdi, sfdi=direct.end_device.sfdi)
    assert client.post(hrefs.href(hrefs.END_DEVICE_LIST), valid).status == 403  # registered out of band
    invalid = {
        "elements out of order": valid.replace("<lFDI>", "<sFDI>0</sFDI><lFDI>").replace(
            f"<sFDI>{direct.end_device.sfdi}</sFDI>", ""
        ),
        "an unknown element": valid.replace("</EndDevice>", "<bogus/></EndDevice>"),
    }[defect]
    before = snapshot()

    response = client.post(hrefs.href(hrefs.END_DEVICE_LIST), invalid)

    assert response.status == 400
    assert reason_code(response.body) == 0
    assert snapshot() == before


@needs_schema
def test_a_mirror_usage_point_with_an_unknown_element_gets_400_and_creates_nothing(api_port, connect, direct):
    client = connect(api_port, direct.certificate)
    before = snapshot()

    response = client.post(
        "/mup", mup_body(direct.lfdi).replace("</MirrorUsagePoint>", "<bogus/></MirrorUsagePoint>")
    )

    assert response.status == 400
    assert response.headers["Content-Type"] == MEDIA_TYPE
    assert reason_code(response.body) == 0
    assert snapshot() == before


@pytest.mark.parametrize("media_type", ["application/json", "text/xml", "application/xml"])
def test_a_valid_body_of_another_media_type_gets_415_and_changes_nothing(
    api_port, connect, direct, media_type
):
    client = connect(api_port, direct.certificate)
    status = hrefs.href(hrefs.DER_STATUS, edev=direct.end_device.pk, der=hrefs.DER_ID)
    before = snapshot()

    assert client.request("POST", "/mup", mup_body(direct.lfdi), content_type=media_type).status == 415
    assert client.request("PUT", status, status_body(1700000000), content_type=media_type).status == 415

    assert snapshot() == before
    # The same bodies as application/sep+xml, with a charset parameter, are taken.
    sep_xml = f"{MEDIA_TYPE}; charset=utf-8"
    assert client.request("POST", "/mup", mup_body(direct.lfdi), content_type=sep_xml).status == 201
    assert client.request("PUT", status, status_body(1700000000), content_type=sep_xml).status == 204


@needs_schema
def test_refusals_are_2030_5_error_documents(api_port, connect, direct, stranger_cert):
    client = connect(api_port, direct.certificate)

    not_found = client.get(hrefs.href(hrefs.END_DEVICE, edev=987654))
    not_allowed = client.post(hrefs.href(hrefs.DCAP), mup_body(direct.lfdi))
    unsupported = client.request("POST", "/mup", mup_body(direct.lfdi), content_type="application/json")
    malformed = client.post("/mup", "<MirrorUsagePoint")
    stranger = connect(api_port, stranger_cert).get(hrefs.href(hrefs.DCAP))

    for response, status in (
        (not_found, 404),
        (not_allowed, 405),
        (unsupported, 415),
        (malformed, 400),
        (stranger, settings.CSIP_UNAUTHORIZED_STATUS),
    ):
        assert response.status == status
        assert response.headers["Content-Type"] == MEDIA_TYPE
        assert response.headers["Content-Length"] == str(len(response.body))
        assert reason_code(response.body) == 0
    assert not_allowed.headers["Allow"] == "GET, HEAD"
