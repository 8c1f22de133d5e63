"""The simulator against the embedded server for a bounded time: a direct DER and an aggregator with two
DERs walk from /dcap over mutual TLS, report status and readings that follow a 50 % export limit, answer
the event with Responses, and the aggregator subscribes to the controls of its DERs' programs."""

import datetime as dt

import pytest
from django.utils import timezone

from derms.events.services import create_control
from derms.models import DERCapability, DERStatus, Reading, Response
from simulator import fleet

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

#: Posting and polling every second (the served 300 s divided by this), the run sees several of each.
SPEED = 300
DURATION = 8.0
HALF = 5000  # opModMaxLimW in hundredths of a percent of the rating


def test_every_simulated_client_walks_posts_and_follows_the_limit_in_force(
    embedded_api, pki_dir, direct, aggregator, programs
):
    create_control(
        program=programs["feeder_1"],
        start=timezone.now() - dt.timedelta(minutes=1),
        duration=3600,
        values={"opModMaxLimW": HALF},
        response_required=3,
    )
    members = [fleet.Member(direct.certificate), fleet.Member(aggregator.certificate, aggregator=True)]

    clients = fleet.run(
        members,
        server=f"https://127.0.0.1:{embedded_api.port}",
        pki_dir=pki_dir,
        duration=DURATION,
        max_requests=2000,
        speed=SPEED,
    )

    print(fleet.report(clients))
    assert [c.tally.walked for c in clients] == [True, True]
    assert [c.tally.errors for c in clients] == [[], []]
    for der in direct.ders + aggregator.ders:
        assert DERCapability.objects.filter(end_device=der).exists()
        assert DERStatus.objects.filter(end_device=der).count() >= 2
        assert Reading.objects.filter(end_device=der, meter_reading__uom=38).exists()
    [simulated_direct] = clients[0].ders
    rated = DERCapability.objects.get(end_device=direct.end_device).values["rtgMaxW"]["value"]
    assert simulated_direct.limit_w() == rated / 2
    watts = (
        Reading.objects.filter(end_device=direct.end_device, meter_reading__uom=38).order_by("-start").first()
    )
    assert watts.value / 100 <= rated / 2
    statuses = set(Response.objects.filter(end_device=direct.end_device).values_list("status", flat=True))
    assert statuses in ({1, 2}, {1, 4})  # received, then started; or opted out
    assert clients[1].tally.subscriptions >= 1
