"""Two clients' first writes of the same thing at the same moment: one creates it, the other finds it,
neither gets a 500. Real threads on real PostgreSQL connections, released together by a barrier; each
case runs several rounds, as one round may not overlap."""

import dataclasses
import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.test import Client as HttpClient
from django.utils import timezone

from derms.lfdi import sfdi_from_lfdi
from derms.models import (
    AlarmState,
    DERAlarm,
    DERCapability,
    DERControl,
    EndDevice,
    MirrorMeterReading,
    MirrorUsagePoint,
    Reading,
    Response,
    Role,
)
from derms.services.reading_rows import reading_rows, upsert_readings
from tests.csip_api.documents import (
    CAPABILITY,
    end_device_body,
    log_event_body,
    meter_reading_body,
    mup_body,
    reading,
    response_body,
)

from .conftest import Caller, approve, direct_der
from .test_alarms import lel
from .test_der_reports import der_path
from .test_registration import IN_BAND
from .test_responses import rsp

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one write transaction at a time: no race"
    ),
]

ROUNDS = 5


def at_once(caller: Caller, method: str, path: str, bodies: list[str]) -> list[int]:
    """Send ``bodies`` as ``caller`` from one thread each, all released at the same moment."""
    barrier = threading.Barrier(len(bodies))

    def send(body: str) -> int:
        own = dataclasses.replace(caller, http=HttpClient())
        try:
            barrier.wait()
            return getattr(own, method)(path, body).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(bodies)) as pool:
        return sorted(pool.map(send, bodies))


def test_two_first_responses_to_one_event_leave_exactly_one_latest(direct, program):
    for _ in range(ROUNDS):
        event = DERControl.objects.create(program=program, start=timezone.now(), duration=60)
        body = response_body(event, direct.lfdi, 1)

        assert at_once(direct, "post", rsp(event), [body, body]) == [201, 201]

        assert Response.objects.filter(control=event, is_latest=True).count() == 1


def test_one_lfdi_registered_twice_at_once_is_created_once(new_caller, feeder):
    for number in range(ROUNDS):
        caller = new_caller(f"installer {number}")
        approve(caller.lfdi, role=Role.DIRECT, group=feeder, registration_mode=IN_BAND)
        body = end_device_body(caller.lfdi, sfdi=sfdi_from_lfdi(caller.lfdi))

        assert at_once(caller, "post", "/edev", [body, body]) == [200, 201]

        assert EndDevice.objects.filter(lfdi=caller.lfdi).count() == 1


def test_one_alarm_raised_twice_at_once_has_one_state(direct):
    for number in range(ROUNDS):
        code = 2 * number
        bodies = [log_event_body(code, at=1700000000 + n, event_id=n) for n in (1, 2)]

        assert at_once(direct, "post", lel(direct.end_device), bodies) == [201, 201]

        assert AlarmState.objects.get(end_device=direct.end_device, alarm=DERAlarm(code)).active


def test_one_mirror_usage_point_posted_twice_at_once_is_created_once(direct):
    for number in range(ROUNDS):
        body = mup_body(direct.lfdi, mrid=f"{number:032X}")

        assert at_once(direct, "post", "/mup", [body, body]) == [200, 201]

        assert MirrorUsagePoint.objects.filter(mrid=f"{number:032X}").count() == 1


def test_the_same_readings_posted_twice_at_once_are_stored_once(direct):
    location = direct.post("/mup", mup_body(direct.lfdi))["Location"]
    for number in range(ROUNDS):
        starts = [1700000000 + 3600 * number + 300 * i for i in range(12)]
        bodies = [meter_reading_body(*(reading(s, value) for s in starts)) for value in (4200, 4300)]

        assert at_once(direct, "post", location, bodies) == [200, 200]

        stored = Reading.objects.filter(start__gte=dt.datetime.fromtimestamp(starts[0], tz=dt.UTC))
        assert stored.count() == 12
        assert len(set(stored.values_list("value", flat=True))) == 1  # one post's readings, whole


def delete_while_posting(caller: Caller, location: str, body: str) -> tuple[int, int]:
    """DELETE ``location`` and POST ``body`` to it from two threads released at the same moment."""
    barrier = threading.Barrier(2)

    def send(method: str) -> int:
        own = dataclasses.replace(caller, http=HttpClient())
        try:
            barrier.wait()
            return (own.delete(location) if method == "delete" else own.post(location, body)).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        deleted, posted = pool.map(send, ["delete", "post"])
    return deleted, posted


def test_readings_posted_while_their_mirror_is_deleted_go_with_it_or_are_refused(direct):
    for number in range(ROUNDS):
        location = direct.post("/mup", mup_body(direct.lfdi, mrid=f"{number:032X}"))["Location"]

        deleted, posted = delete_while_posting(direct, location, meter_reading_body(reading(1700000000, 1)))

        assert deleted == 204
        assert posted in (200, 404)
        assert not Reading.objects.exists()


def test_readings_posted_while_the_delete_of_their_mirror_commits_are_not_left_behind(direct):
    """The window the race above rarely hits: the delete holds the meter readings when the post's
    statement has already found them in its snapshot. The post waits for the delete, writes nothing and
    answers 404; no reading is left of a meter reading that no longer exists."""
    location = direct.post("/mup", mup_body(direct.lfdi))["Location"]
    usage_point = MirrorUsagePoint.objects.get()
    locked, posted = threading.Event(), {}

    def post() -> None:
        own = dataclasses.replace(direct, http=HttpClient())
        try:
            posted["status"] = own.post(location, meter_reading_body(reading(1700000000, 1))).status_code
        finally:
            connections.close_all()

    def delete() -> None:
        try:
            with transaction.atomic():
                meter_readings = MirrorMeterReading.objects.filter(usage_point=usage_point)
                list(meter_readings.select_for_update().order_by("pk").values_list("pk"))
                locked.set()
                _wait_until_a_query_waits_for_a_lock()
                MirrorUsagePoint.objects.filter(pk=usage_point.pk).delete()
        finally:
            connections.close_all()

    deleter = threading.Thread(target=delete)
    deleter.start()
    assert locked.wait(10)
    poster = threading.Thread(target=post)
    poster.start()
    deleter.join(10)
    poster.join(10)

    assert posted["status"] == 404
    assert not Reading.objects.exists()


@pytest.mark.parametrize("deleted", ["the mirror", "its DER"])
def test_readings_committed_while_their_mirror_is_being_deleted_go_with_it(direct, deleted):
    """The other order: a writer of readings holds the meter reading when the delete starts. The delete
    waits for it, then deletes its readings too, however the mirror goes (by itself, or with its DER)."""
    direct.post("/mup", mup_body(direct.lfdi))
    usage_point = MirrorUsagePoint.objects.select_related("end_device").get()
    meter_reading = usage_point.meter_readings.get()
    written = threading.Event()

    def write_and_hold() -> None:
        try:
            with transaction.atomic():
                # What the post's statement does: lock the meter reading, then write its readings.
                with connection.cursor() as cursor:
                    table = MirrorMeterReading._meta.db_table
                    cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR KEY SHARE", [meter_reading.pk])
                values = {"timePeriod": {"start": 1700000000, "duration": 300}, "value": 1}
                rows = reading_rows(meter_reading.pk, meter_reading.mrid, [values])
                upsert_readings(end_device_id=usage_point.end_device_id, rows=list(rows.values()))
                written.set()
                _wait_until_a_query_waits_for_a_lock()
        finally:
            connections.close_all()

    writer = threading.Thread(target=write_and_hold)
    writer.start()
    assert written.wait(10)
    (usage_point if deleted == "the mirror" else usage_point.end_device).delete()
    writer.join(10)

    assert not Reading.objects.exists()


def _wait_until_a_query_waits_for_a_lock() -> None:
    with connections["default"].cursor() as cursor:
        for _ in range(500):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else frozen for the transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the post never waited for the meter readings the delete holds")


def test_two_first_capabilities_of_one_der_at_once_keep_one(new_caller, feeder):
    for number in range(ROUNDS):
        caller = direct_der(new_caller(f"new DER {number}"), feeder)

        assert at_once(caller, "put", der_path(caller.end_device, "dercap"), [CAPABILITY, CAPABILITY]) == [
            204,
            204,
        ]

        assert DERCapability.objects.filter(end_device=caller.end_device).count() == 1
