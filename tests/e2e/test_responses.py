"""Responses to events over real HTTPS: the client reads an event, POSTs its Response to the event's
``replyTo``, and the event keeps the latest response of that DER — for a direct DER and for an aggregator
responding for its DER."""

import datetime as dt

import pytest
from django.utils import timezone
from lxml import etree

from csip_api import hrefs
from derms.models import Response, ResponseStatus
from tests.csip_api.documents import response_body
from tests.csip_api.utility import make_event

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


def test_a_response_posted_to_the_events_reply_to_is_tracked_for_the_der(reporter):
    program = reporter.feeder_program
    event = make_event(program, start=timezone.now() + dt.timedelta(minutes=10), response_required=3)
    served = reporter.client.get(hrefs.href(hrefs.CONTROL, derp=program.pk, derc=event.pk))
    reply_to = etree.fromstring(served.body).get("replyTo")

    received = reporter.client.post(reply_to, response_body(event, reporter.der.lfdi, 1, at=1700000000))
    started = reporter.client.post(reply_to, response_body(event, reporter.der.lfdi, 2, at=1700000300))

    assert (received.status, started.status) == (201, 201)
    assert reporter.client.get(started.location).status == 200
    latest = Response.objects.get(control=event, end_device=reporter.der, is_latest=True)
    assert (latest.status, latest.client) == (ResponseStatus.EVENT_STARTED, reporter.party.end_device)
