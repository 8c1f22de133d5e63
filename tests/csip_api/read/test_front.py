"""The document cache's front (csip_api.front.documents) answers exactly what Django would, and only what it
may: a remembered, current document of a known client. Everything else reaches Django.

(That no change is missed and no client gets another's document through it is what
test_document_cache.py proves: its reads go through the front too.)
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from csip_api import hrefs
from csip_api.front import documents as front
from derms.listeners import CSIP, KEY, PORTAL
from derms.models import Authorization
from derms.services import authorizations
from tests.csip_api.listener import LISTENER
from tests.tls.servers import forwarded_header

pytestmark = pytest.mark.usefixtures("transactional_db")


def _urls(actor, programs) -> list[str]:
    edev = actor.end_device.pk
    program = programs["feeder_1"].pk
    return [
        "/dcap",
        "/tm",
        "/edev?l=10",
        hrefs.href(hrefs.END_DEVICE, edev=edev),
        hrefs.href(hrefs.FSA_LIST, edev=edev) + "?l=20",
        hrefs.href(hrefs.CONTROL_LIST, derp=program) + "?l=20",
        hrefs.href(hrefs.DEFAULT_CONTROL, derp=program),
        hrefs.href(hrefs.ACTIVE_CONTROL_LIST, derp=program) + "?l=20",
    ]


def test_a_remembered_document_is_answered_by_the_front_as_django_answers_it(
    direct_der, programs, monkeypatch
):
    # One instant for the whole test: /tm is remembered until the next whole second, which could
    # otherwise turn between the two reads.
    now = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    for url in _urls(direct_der, programs):
        first = direct_der.answer(url)
        assert (first.status, first.by_front) == (200, False), url
        again = direct_der.answer(url)
        assert again.by_front, url
        assert again.status == 200
        assert again.body == first.body, url
        assert again.headers == {
            "Content-Type": "application/sep+xml",
            "Content-Length": str(len(again.body)),
        }
        assert {k: v for k, v in first.headers.items() if k in again.headers} == {
            "Content-Type": "application/sep+xml",
            "Content-Length": str(len(first.body)),
        }, url


def test_a_revoked_client_gets_past_the_front_to_its_refusal(direct_der, programs):
    urls = _urls(direct_der, programs)
    for url in urls * 2:
        direct_der.answer(url)
    authorizations.revoke(actor=None, authorization=Authorization.objects.get(lfdi=direct_der.lfdi))
    for url in urls:
        answer = direct_der.answer(url)
        assert (answer.status, answer.by_front) == (settings.CSIP_UNAUTHORIZED_STATUS, False), url


def test_a_program_document_is_not_answered_to_a_client_outside_the_program(direct_der, aggregator, programs):
    url = hrefs.href(hrefs.CONTROL_LIST, derp=programs["sp_1"].pk) + "?l=20"
    direct_der.answer(url)
    assert direct_der.answer(url).by_front
    answer = aggregator.answer(url)
    assert (answer.status, answer.by_front) == (404, False)


def test_what_the_front_does_not_answer_reaches_django(direct_der, stranger, programs):
    url = "/edev?l=10"
    direct_der.answer(url)
    assert direct_der.answer(url).by_front
    header = {"HTTP_X_FORWARDED_CLIENT_CERT": direct_der.header}
    others = {
        "HEAD": LISTENER.request("HEAD", url, **header),
        "query it refuses": LISTENER.request("GET", "/edev?l=x", **header),
        "path it does not serve": LISTENER.request("GET", "/nowhere", **header),
        "no certificate": LISTENER.request("GET", url),
        "unknown client": stranger.answer(url),
        "not from a trusted proxy": LISTENER.request("GET", url, REMOTE_ADDR="192.0.2.1", **header),
    }
    assert {name: answer.by_front for name, answer in others.items()} == dict.fromkeys(others, False)
    assert others["HEAD"].status == 200
    assert others["HEAD"].headers["Content-Length"] == str(len(direct_der.answer(url).body))
    assert others["query it refuses"].status == 400
    assert others["no certificate"].status == settings.CSIP_UNAUTHORIZED_STATUS


def test_a_request_not_marked_as_the_2030_5_listeners_is_never_answered(direct_der, programs):
    url = "/edev?l=10"
    direct_der.answer(url)
    environ = RequestFactory().get(url, HTTP_X_FORWARDED_CLIENT_CERT=direct_der.header).environ
    assert environ.get(KEY) is None
    assert front._remembered(environ) is None
    assert front._remembered({**environ, KEY: PORTAL}) is None
    assert front._remembered({**environ, KEY: CSIP}) == direct_der.answer(url).body


def test_a_certificate_forwarded_by_nobody_trusted_is_refused_even_when_remembered(
    direct_der, certificate_of, programs
):
    url = "/dcap"
    direct_der.answer(url)
    forged = {"HTTP_X_FORWARDED_CLIENT_CERT": forwarded_header(certificate_of("direct-der"))}
    answer = LISTENER.request("GET", url, REMOTE_ADDR="192.0.2.1", **forged)
    assert (answer.status, answer.by_front) == (settings.CSIP_UNAUTHORIZED_STATUS, False)
