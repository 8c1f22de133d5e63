"""What clients sent, through the API: readings, status history, alarms and responses by DER and window."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from derms.events.services import create_control
from derms.models import (
    AlarmState,
    DERAlarm,
    DERStatus,
    MirrorMeterReading,
    MirrorUsagePoint,
    Reading,
    Response,
    ResponseStatus,
)
from tests.factories import make_end_device


def test_readings_filter_by_der_and_window(viewer_api, der, feeder):
    other = make_end_device(seed="other", topology_group=feeder)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    for device in (der, other):
        point = MirrorUsagePoint.objects.create(
            client=device,
            end_device=device,
            mrid=device.lfdi[:32],
            role_flags=49,
            service_category_kind=0,
            status=1,
        )
        meter = MirrorMeterReading.objects.create(
            usage_point=point, mrid=device.lfdi[8:40], reading_type={"uom": 38}, uom=38
        )
        Reading.objects.bulk_create(
            Reading(
                meter_reading=meter,
                end_device=device,
                start=start + n * dt.timedelta(minutes=5),
                duration=300,
                value=n,
            )
            for n in range(6)
        )
    response = viewer_api.get(
        reverse("api:readings"),
        {"end_device": der.lfdi, "since": (start + dt.timedelta(minutes=10)).isoformat()},
    )
    readings = response.json()["results"]
    assert [r["value"] for r in readings] == [5, 4, 3, 2]
    assert {(r["end_device"], r["uom"]) for r in readings} == {(der.lfdi, 38)}


def test_status_history_alarms_and_responses_of_a_der(viewer_api, der, program, soon):
    now = timezone.now()
    DERStatus.objects.create(end_device=der, values={}, reading_time=now, operational_mode_status=2)
    AlarmState.objects.create(end_device=der, alarm=DERAlarm.OVER_VOLTAGE, active=True, changed_at=now)
    AlarmState.objects.create(end_device=der, alarm=DERAlarm.UNDER_VOLTAGE, active=False, changed_at=now)
    event = create_control(program=program, start=soon, duration=60, values={"opModMaxLimW": 1})
    Response.objects.create(
        control=event,
        end_device=der,
        client=der,
        status=ResponseStatus.EVENT_RECEIVED,
        reported_at=now,
        is_latest=True,
    )
    status = viewer_api.get(reverse("api:der-status"), {"end_device": der.lfdi}).json()["results"]
    active = viewer_api.get(reverse("api:alarms"), {"active": "true"}).json()["results"]
    responses = viewer_api.get(reverse("api:responses"), {"end_device": der.lfdi}).json()["results"]
    assert [s["operational_mode_status"] for s in status] == [2]
    assert [a["alarm_name"] for a in active] == [DERAlarm.OVER_VOLTAGE.label]
    assert [(r["control"], r["status"]) for r in responses] == [(event.mrid, ResponseStatus.EVENT_RECEIVED)]


def test_a_malformed_window_gets_400_naming_it(viewer_api):
    response = viewer_api.get(reverse("api:readings"), {"since": "yesterday"})
    assert (response.status_code, list(response.json())) == (400, ["since"])
