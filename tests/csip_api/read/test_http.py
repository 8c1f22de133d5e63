"""HTTP behaviour every 2030.5 resource shares: media type, Content-Length, HEAD, 405, refusals."""

import pytest

from csip_api import hrefs
from csip_api.http import MEDIA_TYPE
from tests.csip_api.documents import REFUSED


def test_responses_carry_the_sep_media_type_and_content_length(direct_der):
    response = direct_der.get("/dcap")

    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    assert response["Content-Length"] == str(len(response.content))


def test_head_answers_the_headers_of_get_without_a_body(direct_der):
    got = direct_der.get("/edev")

    head = direct_der.django_client.head("/edev", HTTP_X_FORWARDED_CLIENT_CERT=direct_der.header)

    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == got["Content-Length"] != "0"
    assert head["Content-Type"] == MEDIA_TYPE


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_a_method_the_resource_does_not_take_gets_405_with_allow(direct_der, method):
    send = getattr(direct_der.django_client, method)

    response = send("/dcap", HTTP_X_FORWARDED_CLIENT_CERT=direct_der.header)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert (response.content, response["Content-Type"]) == (REFUSED, MEDIA_TYPE)
    assert response["Content-Length"] == str(len(REFUSED))


def test_not_found_is_a_2030_5_error_with_content_length(direct_der):
    response = direct_der.get(hrefs.href(hrefs.END_DEVICE, edev=987654))

    assert (response.status_code, response.content) == (404, REFUSED)
    assert (response["Content-Type"], response["Content-Length"]) == (MEDIA_TYPE, str(len(REFUSED)))


def test_unauthorized_clients_get_the_configured_status_before_anything_else(stranger, settings):
    settings.CSIP_UNAUTHORIZED_STATUS = 403

    assert (
        stranger.django_client.post("/dcap", HTTP_X_FORWARDED_CLIENT_CERT=stranger.header).status_code == 403
    )


def test_a_certificate_header_from_an_untrusted_address_is_ignored(direct_der):
    response = direct_der.get("/dcap", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 404


def test_the_der_resources_answer_404_until_the_der_reports_them(direct_der):
    ids = {"edev": direct_der.end_device.pk, "der": hrefs.DER_ID}
    for pattern in (hrefs.DER_CAPABILITY, hrefs.DER_SETTINGS, hrefs.DER_STATUS, hrefs.DER_AVAILABILITY):
        assert direct_der.get(hrefs.href(pattern, **ids)).status_code == 404
    assert direct_der.get(hrefs.href(hrefs.DER, **ids)).status_code == 200
    assert direct_der.get(hrefs.href(hrefs.DER, edev=ids["edev"], der=2)).status_code == 404


def test_registration_shows_the_agreed_pin(direct_der):
    response = direct_der.get(hrefs.href(hrefs.REGISTRATION, edev=direct_der.end_device.pk))

    assert b"<pIN>111115</pIN>" in response.content
