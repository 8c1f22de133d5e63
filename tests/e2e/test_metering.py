"""The metering mirror over real HTTPS (CSIP 5.2.5.1): a MirrorUsagePoint for a DER, then its readings in a
MirrorMeterReadingList, from a direct DER and from an aggregator for its DER; the client DELETEs its own."""

import pytest

from derms.models import AuditEntry, Change, MirrorMeterReading, MirrorUsagePoint, Reading
from tests.csip_api.documents import meter_reading_body, meter_reading_list_body, mup_body, reading

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


def test_a_mirror_usage_point_then_a_meter_reading_list_store_the_ders_time_series(reporter):
    created = reporter.client.post("/mup", mup_body(reporter.der.lfdi))

    assert created.status == 201
    usage_point = MirrorUsagePoint.objects.get(end_device=reporter.der)
    assert created.location == f"/mup/{usage_point.pk}"
    readings = meter_reading_list_body(
        meter_reading_body(reading(1700000000, 4200), reading(1700000300, 4300))
    )
    posted = reporter.client.post(created.location, readings)

    # The MirrorMeterReading came with the MirrorUsagePoint: the list only adds readings to it.
    assert posted.status == 200
    assert posted.location == created.location
    series = Reading.objects.filter(end_device=reporter.der).order_by("start")
    assert [(r.start.timestamp(), r.value) for r in series] == [(1700000000, 4200), (1700000300, 4300)]
    assert reporter.client.get(created.location).status == 200


def test_the_same_mirror_usage_point_posted_again_is_the_same_object(reporter):
    first = reporter.client.post("/mup", mup_body(reporter.der.lfdi))
    again = reporter.client.post("/mup", mup_body(reporter.der.lfdi))

    assert (first.status, again.status) == (201, 200)
    assert again.location == first.location
    assert MirrorUsagePoint.objects.filter(end_device=reporter.der).count() == 1


def test_a_client_deletes_its_own_mirror_usage_point_and_its_readings_go_with_it(
    reporter, connect, embedded_api, direct, aggregator
):
    location = reporter.client.post("/mup", mup_body(reporter.der.lfdi)).location
    reporter.client.post(location, meter_reading_body(reading(1700000000, 4200)))
    usage_point = MirrorUsagePoint.objects.get(end_device=reporter.der)
    other = aggregator if reporter.party is direct else direct

    # Another client cannot even see it.
    assert connect(embedded_api.port, other.certificate).request("DELETE", location).status == 404
    deleted = reporter.client.request("DELETE", location)

    assert deleted.status == 204
    assert reporter.client.get(location).status == 404
    assert not MirrorUsagePoint.objects.filter(pk=usage_point.pk).exists()
    assert not MirrorMeterReading.objects.filter(usage_point_id=usage_point.pk).exists()
    assert not Reading.objects.filter(end_device=reporter.der).exists()
    change = Change.objects.get(resource="MirrorUsagePoint", object_id=usage_point.pk)
    assert change.action == "mirror_usage_point_deleted"
    entry = AuditEntry.objects.get(object_type="derms.MirrorUsagePoint", action="delete")
    assert entry.actor_name == f"2030.5 client {reporter.party.lfdi}"
    assert entry.before["id"] == usage_point.pk
