"""The front door's posts of readings (csip_api.front.readings): the usual post is stored before Django
builds a request, answered exactly as Django answers it; every other post, and every post it cannot
store as it came, is Django's, with its body as sent, and a refused one stores nothing."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.urls import set_script_prefix

from csip_api.front import readings as front_readings
from derms.models import Authorization, EndDevice, MirrorMeterReading, Reading
from derms.services import authorizations
from tests.csip_api.documents import (
    MEDIA_TYPE,
    MMR_MRID,
    meter_reading_body,
    meter_reading_list_body,
    mup_body,
    reading,
)
from tests.csip_api.listener import LISTENER, Answer
from tests.csip_api.stored import snapshot

# Clients are remembered only from a transaction of their own, as in production.
pytestmark = pytest.mark.usefixtures("transactional_db")

OTHER_MRID = "5509D69F8B3535950001000000009999"


def new_meter_reading(*readings: str) -> str:
    """A MirrorMeterReading the mirror does not have yet, with the ReadingType a new one needs."""
    return meter_reading_body(*readings, mrid=OTHER_MRID).replace(
        "</MirrorMeterReading>", "<ReadingType><uom>38</uom></ReadingType></MirrorMeterReading>"
    )


def post(caller, url: str, body: str | bytes, **extra) -> Answer:
    """``body`` POSTed through the 2030.5 listener's whole WSGI stack, as gunicorn hands it over."""
    extra.setdefault("content_type", MEDIA_TYPE)
    return LISTENER.request(
        "POST", url, data=body, HTTP_X_FORWARDED_CLIENT_CERT=caller.header, REMOTE_ADDR="127.0.0.1", **extra
    )


@pytest.fixture
def mirror(direct) -> str:
    """The direct DER's MirrorUsagePoint, its client remembered by the listener's process."""
    answer = post(direct, "/mup", mup_body(direct.lfdi))
    assert answer.status == 201
    return answer.headers["Location"]


def test_readings_posted_by_a_remembered_client_are_stored_by_the_front_door(direct, mirror):
    answer = post(direct, mirror, meter_reading_body(reading(1700000000, 10), reading(1700000300, 11)))

    assert (answer.status, answer.by_front) == (200, True)
    meter_reading = MirrorMeterReading.objects.get(mrid=MMR_MRID)
    assert answer.headers["Location"] == f"{mirror}/mr/{meter_reading.pk}"
    assert sorted(Reading.objects.values_list("value", flat=True)) == [10, 11]


def test_the_front_doors_answer_is_djangos_to_the_byte(direct, mirror):
    from csip_api import identity

    body = meter_reading_body(reading(1700000000, 10))
    identity.forget_clients()
    by_django = post(direct, mirror, body)
    by_front = post(direct, mirror, body)

    assert (by_django.by_front, by_front.by_front) == (False, True)
    assert (by_front.status, by_front.headers, by_front.body) == (
        by_django.status,
        by_django.headers,
        by_django.body,
    )


def test_the_location_keeps_the_script_prefix_as_djangos_does(direct, mirror):
    from csip_api import identity

    body = meter_reading_body(reading(1700000000, 10))
    identity.forget_clients()
    try:
        by_django = post(direct, mirror, body, SCRIPT_NAME="/csip")
        set_script_prefix("/")  # as in a thread that has not served a request of Django's yet
        by_front = post(direct, mirror, body, SCRIPT_NAME="/csip")
    finally:
        set_script_prefix("/")

    assert (by_django.by_front, by_front.by_front) == (False, True)
    meter_reading = MirrorMeterReading.objects.get(mrid=MMR_MRID)
    assert (
        by_front.headers["Location"]
        == by_django.headers["Location"]
        == f"/csip{mirror}/mr/{meter_reading.pk}"
    )


def test_a_new_meter_reading_and_a_list_are_created_by_the_front_door_with_201(direct, mirror):
    new = post(direct, mirror, new_meter_reading(reading(1700000000, 1)))
    listed = post(
        direct,
        mirror,
        meter_reading_list_body(
            meter_reading_body(reading(1700000300, 2)), meter_reading_body(reading(1, 3))
        ),
    )

    assert (new.status, new.by_front) == (201, True)
    assert new.headers["Location"] == f"{mirror}/mr/{MirrorMeterReading.objects.get(mrid=OTHER_MRID).pk}"
    assert (listed.status, listed.by_front, listed.headers["Location"]) == (200, True, mirror)
    assert sorted(Reading.objects.values_list("value", flat=True)) == [1, 2, 3]


def test_a_client_not_remembered_yet_is_djangos_until_it_is(direct, mirror):
    from csip_api import identity

    identity.forget_clients()
    first = post(direct, mirror, meter_reading_body(reading(1700000000, 1)))
    second = post(direct, mirror, meter_reading_body(reading(1700000300, 2)))

    assert (first.status, first.by_front) == (200, False)
    assert (second.status, second.by_front) == (200, True)


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("malformed XML", 400),
        ("not valid against the schema", 400),
        ("a reading without its time", 400),
        ("a new meter reading without its reading type", 400),
        ("another client's mirror", 404),
        ("a mirror that does not exist", 404),
        ("not sep+xml", 415),
        ("declared over the size limit", 413),
    ],
)
def test_a_post_the_front_door_cannot_store_is_djangos_and_changes_nothing(
    direct, mirror, stranger, settings, case, status
):
    stranger_mirror = post(stranger, "/mup", mup_body(stranger.lfdi)).headers["Location"]
    settings.CSIP_MAX_BODY_BYTES = 4096
    good = meter_reading_body(reading(1700000000, 1))
    url, body, extra = mirror, good, {}
    if case == "malformed XML":
        body = good[:-5]
    elif case == "not valid against the schema":
        if not django_settings.CSIP_SCHEMA_PATH:
            pytest.skip("CSIP_SCHEMA_PATH is not set: sep.xsd is needed to validate documents")
        settings.CSIP_VALIDATE_BODIES = True
        body = good.replace("<value>1</value>", "<value>1</value><bogus>1</bogus>")
    elif case == "a reading without its time":
        body = meter_reading_body(reading(1700000000, 1, timed=False))
    elif case == "a new meter reading without its reading type":
        body = meter_reading_body(reading(1700000000, 1), mrid=OTHER_MRID)
    elif case == "another client's mirror":
        url = stranger_mirror
    elif case == "a mirror that does not exist":
        url = "/mup/999999"
    elif case == "not sep+xml":
        extra = {"content_type": "application/xml"}
    elif case == "declared over the size limit":
        body = meter_reading_body(*(reading(1700000000 + 300 * n, n) for n in range(100)))
    before = snapshot()

    answer = post(direct, url, body, **extra)

    assert (answer.status, answer.by_front) == (status, False)
    assert snapshot() == before


def test_a_post_without_a_declared_length_is_djangos(direct, mirror):
    body = meter_reading_body(reading(1700000000, 7)).encode()
    answer = post(direct, mirror, body, CONTENT_LENGTH="")

    assert answer.by_front is False


def test_a_revoked_client_is_refused_on_its_next_post_and_nothing_is_stored(
    direct, mirror, handbook_administrator, settings
):
    authorizations.revoke(
        actor=handbook_administrator, authorization=Authorization.objects.get(lfdi=direct.lfdi)
    )
    before = snapshot()

    answer = post(direct, mirror, meter_reading_body(reading(1700000000, 1)))

    assert (answer.status, answer.by_front) == (settings.CSIP_UNAUTHORIZED_STATUS, False)
    # Nothing but the refused client's last_seen, which the handbook administrators see.
    assert {**snapshot(), "Authorization": None} == {**before, "Authorization": None}


def test_an_aggregators_post_to_the_mirror_of_a_der_revoked_since_is_djangos_404(
    aggregator, handbook_administrator
):
    der = EndDevice.objects.filter(aggregator__lfdi=aggregator.lfdi).first()
    der_mirror = post(aggregator, "/mup", mup_body(der.lfdi)).headers["Location"]
    assert post(aggregator, der_mirror, meter_reading_body(reading(1700000000, 1))).by_front
    authorizations.revoke(
        actor=handbook_administrator, authorization=Authorization.objects.get(lfdi=der.lfdi)
    )
    before = snapshot()

    answer = post(aggregator, der_mirror, meter_reading_body(reading(1700000300, 2)))

    assert (answer.status, answer.by_front) == (404, False)
    assert snapshot() == before


@pytest.fixture
def failing_once(monkeypatch):
    """The front door's post fails once with a database error, as if ``dropped`` said how."""
    stored = front_readings.post_to_mirror_usage_point
    failures = []

    def fail(*, dropped: bool):
        def fails_once(*args):
            if not failures:
                failures.append(args)
                monkeypatch.setattr(connection, "is_usable", lambda: not dropped)
                raise OperationalError("the connection went away" if dropped else "lock timeout")
            return stored(*args)

        monkeypatch.setattr(front_readings, "post_to_mirror_usage_point", fails_once)
        return failures

    return fail


def test_a_dropped_connection_hands_the_post_to_django_with_its_body(direct, mirror, failing_once):
    failures = failing_once(dropped=True)

    answer = post(direct, mirror, meter_reading_body(reading(1700000000, 5)))

    assert failures, "the front door took the post"
    assert (answer.status, answer.by_front) == (200, False)
    assert list(Reading.objects.values_list("value", flat=True)) == [5]


def test_an_error_the_database_answered_is_not_asked_twice(direct, mirror, failing_once):
    failures = failing_once(dropped=False)

    with pytest.raises(OperationalError):
        post(direct, mirror, meter_reading_body(reading(1700000000, 5)))

    assert len(failures) == 1
    assert not Reading.objects.exists()
