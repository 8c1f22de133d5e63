"""Writes and the lists they fill cost a bounded number of queries, however much is posted."""

from django.db import connection

from derms.models import Reading
from derms.services.metering import post_mirror_meter_readings
from tests.csip_api.documents import (
    MMR_MRID,
    log_event_body,
    meter_reading_body,
    meter_reading_list_body,
    mup_body,
    reading,
    response_body,
)

from .test_alarms import lel
from .test_responses import rsp

READINGS_PER_METER_READING = 50
QUANTITIES = ("5509D69F8B3535950001000000009182", "5509D69F8B3535950002000000009182")


def test_a_large_meter_reading_list_is_stored_in_a_bounded_number_of_queries(
    direct, django_assert_max_num_queries
):
    location = direct.post("/mup", mup_body(direct.lfdi))["Location"]
    direct.post(
        "/mup",
        mup_body(direct.lfdi).replace(
            "</MirrorUsagePoint>",
            f"<MirrorMeterReading><mRID>{QUANTITIES[1]}</mRID><ReadingType><uom>29</uom></ReadingType>"
            "</MirrorMeterReading></MirrorUsagePoint>",
        ),
    )
    readings = [reading(1700000000 + 300 * i, i) for i in range(READINGS_PER_METER_READING)]
    body = meter_reading_list_body(*(meter_reading_body(*readings, mrid=mrid) for mrid in QUANTITIES))

    with django_assert_max_num_queries(12):
        assert direct.post(location, body).status_code == 200

    assert Reading.objects.count() == 2 * READINGS_PER_METER_READING


def test_readings_of_a_known_meter_reading_are_found_and_written_in_one_statement_on_postgresql(
    aggregator, django_assert_num_queries
):
    der = aggregator.ders[0]
    location = aggregator.post("/mup", mup_body(der.lfdi))["Location"]
    readings = [
        {"timePeriod": {"duration": 300, "start": 1700000000 + 300 * i}, "value": i} for i in range(12)
    ]
    posted = {"mRID": MMR_MRID, "MirrorReadingSet": [{"mRID": MMR_MRID, "Reading": readings}]}

    # SQLite has no data-modifying CTE: finding the mirror and writing the readings are two statements,
    # in a transaction of their own (here a savepoint and its release, in the test's transaction).
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 4):
        post_mirror_meter_readings(
            client=aggregator.end_device, usage_point_id=int(location.split("/")[-1]), meter_readings=[posted]
        )

    assert sorted(Reading.objects.filter(end_device=der).values_list("value", flat=True)) == list(range(12))


def test_the_lists_clients_fill_are_read_in_a_bounded_number_of_queries(
    aggregator, event, django_assert_max_num_queries
):
    for number, der in enumerate(aggregator.ders * 10):
        aggregator.post("/mup", mup_body(der.lfdi, mrid=f"{number:032X}"))
        aggregator.post(lel(der), log_event_body(2 * (number % 11), at=1700000000 + number, event_id=number))
        aggregator.post(rsp(event), response_body(event, der.lfdi, 1 + number % 3, at=1700000000 + number))

    # The identity lookup reads its versions with it, in a snapshot (a savepoint here, inside the test's
    # transaction); the EndDeviceList, which is cached, is rendered in a second one.
    budgets = {
        "/mup?l=100": 8,
        f"{lel(aggregator.ders[0])}?l=100": 8,
        f"{rsp(event)}?l=100": 8,
        "/edev?l=100": 12,
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert aggregator.get(url).status_code == 200, url
