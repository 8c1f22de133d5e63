"""The metering mirror: MirrorUsagePoints and their readings (CSIP 5.2.5.1, 6.2.5.1, 6.3.5.1)."""

import datetime as dt

import pytest
from django.utils import timezone
from lxml import etree

from derms.models import MirrorMeterReading, MirrorUsagePoint, Reading
from tests.csip_api.documents import (
    meter_reading_body,
    meter_reading_list_body,
    mup_body,
    reading,
)
from tests.csip_api.stored import snapshot


@pytest.fixture
def direct_mup(direct):
    response = direct.post("/mup", mup_body(direct.lfdi))
    assert response.status_code == 201
    return response["Location"]


def test_direct_der_creates_its_mirror_usage_point_and_gets_its_location(direct):
    response = direct.post("/mup", mup_body(direct.lfdi))

    assert response.status_code == 201
    usage_point = MirrorUsagePoint.objects.get()
    assert response["Location"] == f"/mup/{usage_point.pk}"
    assert (usage_point.client, usage_point.end_device) == (direct.end_device, direct.end_device)
    meter_reading = usage_point.meter_readings.get()
    assert (meter_reading.uom, meter_reading.data_qualifier, meter_reading.interval_length) == (38, 2, 300)
    assert (meter_reading.accumulation_behaviour, meter_reading.phase) == (4, 0)


def test_the_same_mrid_from_the_same_client_is_the_same_usage_point(direct, direct_mup):
    again = direct.post("/mup", mup_body(direct.lfdi))

    assert again.status_code == 200
    assert again["Location"] == direct_mup
    assert MirrorUsagePoint.objects.count() == 1
    assert MirrorMeterReading.objects.count() == 1


def test_the_same_mrid_from_another_client_is_another_usage_point(direct, direct_mup, stranger):
    response = stranger.post("/mup", mup_body(stranger.lfdi))

    assert response.status_code == 201
    assert response["Location"] != direct_mup
    assert MirrorUsagePoint.objects.count() == 2


def test_reusing_a_usage_point_mrid_for_another_der_is_refused(aggregator):
    aggregator.post("/mup", mup_body(aggregator.ders[0].lfdi))
    before = snapshot()

    response = aggregator.post("/mup", mup_body(aggregator.ders[1].lfdi))

    assert response.status_code == 400
    assert snapshot() == before


def test_usage_point_serves_its_post_rate(direct, direct_mup, settings):
    settings.CSIP_POST_RATE = 300

    document = etree.fromstring(direct.get(direct_mup).content)

    assert document.tag == "{urn:ieee:std:2030.5:ns}MirrorUsagePoint"
    assert document.findtext("{urn:ieee:std:2030.5:ns}postRate") == "300"
    assert document.findtext("{urn:ieee:std:2030.5:ns}deviceLFDI") == direct.lfdi


def test_readings_are_stored_as_a_time_series_per_der(direct, direct_mup):
    body = meter_reading_body(reading(1700000000, 4200), reading(1700000300, 4300))

    response = direct.post(direct_mup, body)

    assert response.status_code == 200
    series = Reading.objects.filter(end_device=direct.end_device).order_by("start")
    assert [(r.start.timestamp(), r.duration, r.value, r.quality_flags) for r in series] == [
        (1700000000, 300, 4200, 1),
        (1700000300, 300, 4300, 1),
    ]


def test_a_der_deleted_goes_with_its_readings(direct, direct_mup, stranger):
    """Reading.end_device has no constraint of its own in the database: Django deletes them together."""
    stranger_mup = stranger.post("/mup", mup_body(stranger.lfdi))["Location"]
    for caller, location in ((direct, direct_mup), (stranger, stranger_mup)):
        assert caller.post(location, meter_reading_body(reading(1700000000, 4200))).status_code == 200

    direct.end_device.delete()

    assert list(Reading.objects.values_list("end_device__lfdi", flat=True)) == [stranger.lfdi]
    assert not MirrorUsagePoint.objects.filter(end_device__lfdi=direct.lfdi).exists()


def test_posting_a_new_meter_reading_creates_it_and_answers_201_with_its_location(direct, direct_mup):
    power = "5509D69F8B3535950003000000009182"
    body = meter_reading_body(reading(1700000000, 4200), mrid=power).replace(
        "</MirrorMeterReading>", "<ReadingType><uom>38</uom></ReadingType></MirrorMeterReading>"
    )

    response = direct.post(direct_mup, body)

    assert response.status_code == 201
    created = MirrorMeterReading.objects.get(mrid=power)
    assert response["Location"] == f"{direct_mup}/mr/{created.pk}"


def test_posting_readings_to_a_known_meter_reading_answers_200_with_its_location(direct, direct_mup):
    known = MirrorMeterReading.objects.get()

    response = direct.post(direct_mup, meter_reading_body(reading(1700000000, 4200)))

    assert response.status_code == 200
    assert response["Location"] == f"{direct_mup}/mr/{known.pk}"
    assert MirrorMeterReading.objects.count() == 1


def test_update_times_left_out_of_a_later_post_keep_their_stored_values(direct, direct_mup):
    timed = (
        meter_reading_body(reading(1700000000, 4200))
        .replace(
            "<MirrorReadingSet>",
            "<lastUpdateTime>1700000300</lastUpdateTime><MirrorReadingSet>",
        )
        .replace("</MirrorMeterReading>", "<nextUpdateTime>1700000600</nextUpdateTime></MirrorMeterReading>")
    )
    direct.post(direct_mup, timed)

    direct.post(direct_mup, meter_reading_body(reading(1700000300, 4300)))

    meter_reading = MirrorMeterReading.objects.get()
    assert meter_reading.last_update_time.timestamp() == 1700000300
    assert meter_reading.next_update_time.timestamp() == 1700000600


def test_a_reading_posted_again_is_stored_once_with_its_new_value(direct, direct_mup):
    direct.post(direct_mup, meter_reading_body(reading(1700000000, 4200)))
    direct.post(direct_mup, meter_reading_body(reading(1700000000, 4250), reading(1700000300, 4300)))

    assert [r.value for r in Reading.objects.order_by("start")] == [4250, 4300]


def test_a_meter_reading_list_stores_every_meter_reading(direct, direct_mup):
    voltage = "5509D69F8B3535950002000000009182"
    direct.post(
        "/mup",
        mup_body(direct.lfdi).replace(
            "</MirrorUsagePoint>",
            f"<MirrorMeterReading><mRID>{voltage}</mRID><ReadingType><phase>129</phase><uom>29</uom>"
            "</ReadingType></MirrorMeterReading></MirrorUsagePoint>",
        ),
    )

    response = direct.post(
        direct_mup,
        meter_reading_list_body(
            meter_reading_body(reading(1700000000, 4200)),
            meter_reading_body(reading(1700000000, 2401), mrid=voltage),
        ),
    )

    assert response.status_code == 200
    assert response["Location"] == direct_mup
    assert sorted(Reading.objects.values_list("meter_reading__uom", "value")) == [(29, 2401), (38, 4200)]


def test_aggregator_mirrors_each_of_its_ders(aggregator):
    for number, der in enumerate(aggregator.ders):
        mrid = f"{number:032X}"
        location = aggregator.post("/mup", mup_body(der.lfdi, mrid=mrid))["Location"]
        aggregator.post(location, meter_reading_body(reading(1700000000, 1000 + number)))

    assert sorted(Reading.objects.values_list("end_device", "value")) == [
        (aggregator.ders[0].pk, 1000),
        (aggregator.ders[1].pk, 1001),
    ]


def test_a_reading_without_a_time_is_refused_and_nothing_is_stored(direct, direct_mup):
    before = snapshot()

    response = direct.post(
        direct_mup, meter_reading_body(reading(1700000000, 4200), reading(0, 4300, timed=False))
    )

    assert response.status_code == 400
    assert snapshot() == before


def test_a_new_meter_reading_without_a_reading_type_is_refused(direct, direct_mup):
    before = snapshot()

    response = direct.post(
        direct_mup, meter_reading_body(reading(1700000000, 1), mrid="0000000000000000000000000000FFFF")
    )

    assert response.status_code == 400
    assert snapshot() == before


def test_mirroring_another_clients_der_answers_like_an_unknown_lfdi(aggregator, stranger):
    before = snapshot()

    foreign = aggregator.post("/mup", mup_body(stranger.lfdi))
    unknown = aggregator.post("/mup", mup_body("00" * 20))

    assert foreign.status_code == unknown.status_code == 404
    assert snapshot() == before


def test_posting_to_another_clients_usage_point_answers_like_an_unknown_id(direct, direct_mup, stranger):
    before = snapshot()

    foreign = stranger.post(direct_mup, meter_reading_body(reading(1700000000, 1)))
    unknown = stranger.post("/mup/999999", meter_reading_body(reading(1700000000, 1)))

    assert foreign.status_code == unknown.status_code == 404
    assert stranger.get(direct_mup).status_code == 404
    assert snapshot() == before


def test_usage_point_list_holds_only_the_clients_own_mirrors(direct, direct_mup, stranger):
    stranger.post("/mup", mup_body(stranger.lfdi, mrid="00" * 16))

    document = etree.fromstring(direct.get("/mup?l=10").content)

    assert document.get("all") == "1"
    assert document.findtext(".//{urn:ieee:std:2030.5:ns}deviceLFDI") == direct.lfdi


def test_a_start_given_twice_in_one_post_is_stored_once_as_its_last_occurrence(direct, direct_mup):
    body = meter_reading_body(reading(1700000000, 4200), reading(1700000300, 4300), reading(1700000000, 4210))

    assert direct.post(direct_mup, body).status_code == 200

    assert [(r.start.timestamp(), r.value) for r in Reading.objects.order_by("start")] == [
        (1700000000, 4210),
        (1700000300, 4300),
    ]


def test_a_reading_posted_again_replaces_every_field_it_carries(direct, direct_mup):
    direct.post(direct_mup, meter_reading_body(reading(1700000000, 4200)))
    replacement = reading(1700000000, 4250).replace(
        "<qualityFlags>01</qualityFlags>", "<qualityFlags>04</qualityFlags>"
    )
    replacement = replacement.replace("<duration>300</duration>", "<duration>60</duration>")

    direct.post(
        direct_mup, meter_reading_body(replacement.replace("</value>", "</value><localID>0A</localID>"))
    )

    stored = Reading.objects.get()
    assert (stored.value, stored.quality_flags, stored.duration, stored.local_id) == (4250, 4, 60, 10)


def test_a_post_of_a_thousand_readings_stores_each_once_and_a_repost_replaces_them(direct, direct_mup):
    starts = [1700000000 + 300 * i for i in range(1000)]

    first = direct.post(direct_mup, meter_reading_body(*(reading(s, 1) for s in starts)))
    again = direct.post(direct_mup, meter_reading_body(*(reading(s, 2) for s in starts)))

    assert (first.status_code, again.status_code) == (200, 200)
    assert Reading.objects.count() == 1000
    assert set(Reading.objects.values_list("value", flat=True)) == {2}
    assert {r.timestamp() for r in Reading.objects.values_list("start", flat=True)} == set(starts)


def test_a_list_adding_a_new_meter_reading_to_a_known_one_creates_it_and_stores_both(direct, direct_mup):
    voltage = "5509D69F8B3535950002000000009182"
    new = meter_reading_body(reading(1700000000, 2401), mrid=voltage).replace(
        "</MirrorMeterReading>", "<ReadingType><uom>29</uom></ReadingType></MirrorMeterReading>"
    )

    response = direct.post(
        direct_mup, meter_reading_list_body(meter_reading_body(reading(1700000000, 4200)), new)
    )

    assert response.status_code == 201
    assert sorted(Reading.objects.values_list("meter_reading__uom", "value")) == [(29, 2401), (38, 4200)]


def test_a_list_with_one_new_meter_reading_without_its_reading_type_stores_nothing(direct, direct_mup):
    before = snapshot()
    unknown = meter_reading_body(reading(1700000000, 1), mrid="0000000000000000000000000000FFFF")

    response = direct.post(
        direct_mup, meter_reading_list_body(meter_reading_body(reading(1700000000, 4200)), unknown)
    )

    assert response.status_code == 400
    assert snapshot() == before


def test_a_list_with_one_untimed_reading_stores_none_of_the_others(direct, direct_mup):
    voltage = "5509D69F8B3535950002000000009182"
    direct.post(
        direct_mup,
        meter_reading_body(mrid=voltage).replace(
            "</MirrorMeterReading>", "<ReadingType><uom>29</uom></ReadingType></MirrorMeterReading>"
        ),
    )
    before = snapshot()

    response = direct.post(
        direct_mup,
        meter_reading_list_body(
            meter_reading_body(reading(1700000000, 4200), reading(1700000300, 4300)),
            meter_reading_body(reading(1700000000, 2401), reading(0, 2402, timed=False), mrid=voltage),
        ),
    )

    assert response.status_code == 400
    assert snapshot() == before


def test_an_empty_list_answers_for_the_clients_own_usage_point_only(direct, direct_mup, stranger):
    assert direct.post(direct_mup, meter_reading_list_body()).status_code == 200
    assert stranger.post(direct_mup, meter_reading_list_body()).status_code == 404
    assert direct.post("/mup/99999999999999999999", meter_reading_list_body()).status_code == 404


def test_readings_written_in_bulk_are_found_by_their_time_like_any_other(direct, direct_mup):
    direct.post(direct_mup, meter_reading_body(reading(1700000000, 4200), reading(1700000300, 4300)))

    later = Reading.objects.filter(start__gt=dt.datetime.fromtimestamp(1700000000, tz=dt.UTC))
    exact = Reading.objects.filter(start=dt.datetime.fromtimestamp(1700000300, tz=dt.UTC))
    assert [r.value for r in later] == [r.value for r in exact] == [4300]
    assert Reading.objects.get(value=4200).received_at <= timezone.now()
