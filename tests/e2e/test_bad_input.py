"""Bad input over real HTTPS, through gunicorn and through nginx: malformed XML gets 400, a body over the
configured size (CSIP_MAX_BODY_BYTES, and nginx's client_max_body_size in front of it) gets 413, and
neither changes anything."""

import pytest
from django.conf import settings

from csip_api import hrefs
from tests.csip_api.documents import CAPABILITY, log_event_body, mup_body
from tests.csip_api.stored import snapshot

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


def writes(direct) -> list[tuple[str, str, str]]:
    """A valid (method, url, body) for each kind of write a DER makes."""
    edev = direct.end_device.pk
    return [
        ("PUT", hrefs.href(hrefs.DER_CAPABILITY, edev=edev, der=hrefs.DER_ID), CAPABILITY),
        ("POST", "/mup", mup_body(direct.lfdi)),
        ("POST", hrefs.href(hrefs.LOG_EVENT_LIST, edev=edev), log_event_body(2, at=1700000000)),
    ]


def test_malformed_xml_is_refused_with_400_and_changes_nothing(api_port, connect, direct):
    client = connect(api_port, direct.certificate)
    before = snapshot()

    for method, url, body in writes(direct):
        assert client.request(method, url, body[:-7]).status == 400, url

    assert snapshot() == before


def test_a_body_over_the_configured_size_is_refused_with_413_and_changes_nothing(api_port, connect, direct):
    client = connect(api_port, direct.certificate)
    before = snapshot()

    for method, url, body in writes(direct):
        padding = "<!--" + "x" * settings.CSIP_MAX_BODY_BYTES + "-->"
        assert client.request(method, url, body.replace("</", padding + "</", 1)).status == 413, url

    assert snapshot() == before
