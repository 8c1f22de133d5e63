"""Notifications end to end: an aggregator subscribes over mutual TLS, a real Celery worker (not eager)
fans changes out and POSTs them to a real HTTPS receiver, through downtime of the receiver and a crash
of the worker."""

from __future__ import annotations

import datetime as dt
import itertools
import time

import pytest
from django.conf import settings
from django.utils import timezone
from lxml import etree

from csip_api import hrefs
from csip_api.xml import NS, schema_errors
from derms.events.services import NOW, create_control
from notifications.models import Notification
from tests.e2e.conftest import Party
from tests.tls.servers import CsipClient, ServerProcess

pytestmark = pytest.mark.django_db(transaction=True)

#: The worker's beat sweeps every 5 s and the coalescing window is 1 s: a change arrives well within this,
#: even on a loaded machine.
ARRIVAL = 60.0


@pytest.fixture
def subscriber(aggregator: Party, embedded_api: ServerProcess, connect, receiver, programs) -> CsipClient:
    """The aggregator of tests/e2e, subscribed over HTTPS to feeder 2's DERControlList (which its DERs
    follow)."""
    client = connect(embedded_api.port, aggregator.certificate)
    path = hrefs.href(hrefs.CONTROL_LIST, derp=programs["feeder_2"].pk)
    body = (
        f'<Subscription xmlns="{NS}"><subscribedResource>{path}</subscribedResource><encoding>0</encoding>'
        f"<level>+S1</level><limit>10</limit><notificationURI>{receiver.uri}</notificationURI></Subscription>"
    )
    response = client.post(hrefs.href(hrefs.SUBSCRIPTION_LIST, edev=aggregator.end_device.pk), body)
    assert response.status == 201, response.body
    return client


def schedule(program, limit: int):
    return create_control(program=program, start=NOW, duration=600, values={"opModMaxLimW": limit})


def mrids(received) -> list[set[str]]:
    """The events each notification carried."""
    return [{m.text for m in etree.fromstring(r.body).iter(f"{{{NS}}}mRID")} for r in received]


def test_a_scheduled_event_reaches_the_subscribed_aggregator(subscriber, worker, receiver, programs):
    event = schedule(programs["feeder_2"], 10)

    [received] = receiver.wait_for(1, timeout=ARRIVAL)

    assert event.mrid in mrids([received])[0]
    if settings.CSIP_SCHEMA_PATH:
        assert schema_errors(received.body) == []


def test_a_receiver_down_for_a_while_gets_every_change_once_it_is_back(
    subscriber, worker, receiver, programs
):
    receiver.stop()
    events = [schedule(programs["feeder_2"], limit) for limit in (1, 2, 3)]
    deadline = time.monotonic() + ARRIVAL
    while not Notification.objects.filter(deliveries__isnull=False).exists():
        assert time.monotonic() < deadline, "no delivery was attempted"
        time.sleep(0.2)

    receiver.start()
    received = receiver.wait_for(1, timeout=ARRIVAL)

    # Everything that happened while it was down arrives, coalesced, and no state is sent twice in a row.
    assert {e.mrid for e in events} <= set().union(*mrids(received))
    time.sleep(3)
    bodies = [r.body for r in receiver.received]
    assert all(earlier != later for earlier, later in itertools.pairwise(bodies))
    assert not Notification.objects.filter(state=Notification.State.PENDING).exists()


def test_an_event_starting_later_is_announced_again_within_seconds_of_its_start(
    subscriber, worker, receiver, programs
):
    # Far enough ahead that the creation is told (beat sweeps every 5 s) while the event is still scheduled.
    start = timezone.now() + dt.timedelta(seconds=20)
    event = create_control(
        program=programs["feeder_2"], start=start, duration=600, values={"opModMaxLimW": 3}
    )
    [created] = receiver.wait_for(1, timeout=ARRIVAL)
    assert statuses_of(created, event) == ["0"]  # scheduled

    started = receiver.wait_for(2, timeout=ARRIVAL)[1]

    assert statuses_of(started, event) == ["1"]  # active, told by the clock alone
    # Beat records transitions every 5 s, 5 s after they fall due, and sweeps every 5 s.
    assert timezone.now() - start < dt.timedelta(seconds=ARRIVAL)


def statuses_of(received, event) -> list[str]:
    document = etree.fromstring(received.body)
    return [
        control.findtext(f"{{{NS}}}EventStatus/{{{NS}}}currentStatus")
        for control in document.iter(f"{{{NS}}}DERControl")
        if control.findtext(f"{{{NS}}}mRID") == event.mrid
    ]


def test_a_notification_a_killed_worker_was_sending_arrives_after_a_restart(
    subscriber, worker, receiver, programs
):
    receiver.stall = True
    event = schedule(programs["feeder_2"], 7)
    assert receiver.stalled.wait(ARRIVAL), "the worker never tried to deliver"

    worker.kill()
    receiver.stall = False
    worker.start()

    [received] = receiver.wait_for(1, timeout=ARRIVAL)
    assert event.mrid in mrids([received])[0]
