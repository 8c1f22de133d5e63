"""The device page: identity, groups, programs by primacy, the resolver's timeline and what it reported."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from derms.events.services import create_control
from derms.lfdi import format_sfdi
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
from tests.factories import make_non_topology_group, make_program


def page_of(client, end_device, **query):
    return client.get(reverse("portal:device", args=[end_device.lfdi]), query)


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def mirror_of(der):
    """The DER's own MirrorUsagePoint, as a DER that is a submeter posts it (roleFlags 49)."""
    return MirrorUsagePoint.objects.create(
        client=der, end_device=der, mrid="MUP1", role_flags=49, service_category_kind=0, status=1
    )


def test_the_page_names_the_device_and_where_it_sits(dispatcher_client, direct_der, topology, system_program):
    vendor = make_non_topology_group("Vendor: Helios")
    direct_der.non_topology_groups.add(vendor)
    vendor_program = make_program(vendor, primacy=50, description="Helios fleet")

    response = page_of(dispatcher_client, direct_der)

    assert response.status_code == 200
    device = response.context["device"]
    assert [g.name for g in device.topology_path] == [
        "SYS-A1",
        "SUB-A1-C1",
        "FDR-A1-C1-D1",
        "SP-A1-C1-D1-G1",
    ]
    assert [g.name for g in device.non_topology_groups] == ["Vendor: Helios"]
    assert [p.pk for p in device.programs] == [vendor_program.pk, system_program.pk]
    page = response.content.decode()
    assert direct_der.lfdi in page
    assert format_sfdi(direct_der.sfdi) in page
    assert "Direct DER client" in page


def test_the_timeline_shows_values_in_human_units_with_their_source(
    dispatcher_client, direct_der, system_program, export_limit, now
):
    response = page_of(dispatcher_client, direct_der)

    timelines = {t.control.element: t for t in response.context["timeline"]}
    limit = timelines["opModMaxLimW"].rows
    assert [(row.value, row.source) for row in limit] == [
        ("100.00 %", "default"),
        ("60.00 %", "Peak export limit"),
        ("100.00 %", "default"),
    ]
    assert limit[1].start == export_limit.start
    assert {row.program for row in limit} == {system_program}
    assert [(row.value, row.source) for row in timelines["opModConnect"].rows] == [("on", "default")]
    page = response.content.decode()
    assert "Peak export limit" in page
    assert "60.00 %" in page


def test_a_lower_primacy_program_shows_as_the_source_where_it_wins(
    dispatcher_client, direct_der, system_program, service_point_program, export_limit
):
    create_control(
        program=service_point_program,
        start=export_limit.start,
        duration=3600,
        values={"opModMaxLimW": 2000},
        description="Local congestion",
    )

    response = page_of(dispatcher_client, direct_der)

    limit = {t.control.element: t for t in response.context["timeline"]}["opModMaxLimW"].rows
    assert [(row.value, row.source, row.program.primacy) for row in limit] == [
        ("100.00 %", "default", 89),
        ("20.00 %", "Local congestion", 83),
        ("100.00 %", "default", 89),
    ]


def test_the_window_can_be_chosen_and_a_bad_one_is_refused(
    dispatcher_client, direct_der, system_program, export_limit, now
):
    after_the_event = page_of(
        dispatcher_client,
        direct_der,
        start=local(export_limit.end + dt.timedelta(hours=1)),
        end=local(export_limit.end + dt.timedelta(hours=2)),
    )
    backwards = page_of(
        dispatcher_client, direct_der, start=local(now), end=local(now - dt.timedelta(hours=1))
    )

    limit = {t.control.element: t for t in after_the_event.context["timeline"]}["opModMaxLimW"].rows
    assert [row.source for row in limit] == ["default"]
    assert backwards.status_code == 400
    assert "The window must end after it starts." in backwards.content.decode()


def test_the_default_window_is_the_next_24_hours_even_across_a_change_of_clocks(
    dispatcher_client, direct_der, system_program, settings, monkeypatch
):
    """At 01:30 on the Sunday Los Angeles falls back, that wall-clock time names two instants: the
    default window is the instants themselves, not the text of the hour, and lasts 24 real hours."""
    settings.TIME_ZONE = "America/Los_Angeles"
    first_half_thirty = dt.datetime(2026, 11, 1, 8, 30, 12, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: first_half_thirty)

    response = page_of(dispatcher_client, direct_der)

    assert response.status_code == 200
    start = first_half_thirty.replace(second=0)
    assert response.context["window"].instants == {"start": start, "end": start + dt.timedelta(hours=24)}
    limit = {t.control.element: t for t in response.context["timeline"]}["opModMaxLimW"].rows
    assert [(row.start, row.end) for row in limit] == [(start, start + dt.timedelta(hours=24))]
    page = response.content.decode()
    assert 'value="2026-11-01T01:30"' in page
    assert 'value="2026-11-02T00:30"' in page


def test_a_window_typed_in_the_hour_clocks_fall_back_is_read_from_its_first_instant(
    dispatcher_client, direct_der, system_program, settings
):
    """What the page offers on that night, sent back unchanged, is shown; text that is no time is not."""
    settings.TIME_ZONE = "America/Los_Angeles"

    response = page_of(dispatcher_client, direct_der, start="2026-11-01T01:30", end="2026-11-02T00:30")
    nonsense = page_of(dispatcher_client, direct_der, start="the first 01:30", end="2026-11-02T00:30")

    assert response.status_code == 200
    first_half_thirty = dt.datetime(2026, 11, 1, 8, 30, tzinfo=dt.UTC)  # 01:30 PDT, before 01:30 PST
    assert response.context["window"].instants == {
        "start": first_half_thirty,
        "end": first_half_thirty + dt.timedelta(hours=24),  # 00:30 PST
    }
    assert nonsense.status_code == 400
    assert nonsense.context["timeline"] == []
    assert "Enter a valid date/time." in nonsense.content.decode()


def test_reports_alarms_responses_and_readings_are_on_the_page(
    dispatcher_client, direct_der, system_program, export_limit, now
):
    DERStatus.objects.create(
        end_device=direct_der,
        values={},
        reading_time=now - dt.timedelta(minutes=10),
        operational_mode_status=1,
    )
    DERStatus.objects.create(
        end_device=direct_der,
        values={},
        reading_time=now,
        operational_mode_status=2,
        gen_connect_status=0b111,
        state_of_charge_status=8150,
    )
    AlarmState.objects.create(end_device=direct_der, alarm=DERAlarm.OVER_VOLTAGE, active=True, changed_at=now)
    AlarmState.objects.create(
        end_device=direct_der, alarm=DERAlarm.UNDER_VOLTAGE, active=False, changed_at=now
    )
    for status, minutes in ((ResponseStatus.EVENT_RECEIVED, 5), (ResponseStatus.EVENT_STARTED, 1)):
        Response.objects.filter(control=export_limit, end_device=direct_der).update(is_latest=False)
        Response.objects.create(
            control=export_limit,
            end_device=direct_der,
            client=direct_der,
            status=status,
            reported_at=now - dt.timedelta(minutes=minutes),
            is_latest=True,
        )
    usage_point = mirror_of(direct_der)
    power = MirrorMeterReading.objects.create(
        usage_point=usage_point,
        mrid="MMR1",
        description="Real power",
        reading_type={},
        uom=38,
        data_qualifier=2,
        power_of_ten_multiplier=1,
    )
    for minutes, value in ((10, 300), (5, 420)):
        Reading.objects.create(
            meter_reading=power,
            end_device=direct_der,
            start=now - dt.timedelta(minutes=minutes),
            duration=300,
            value=value,
        )

    response = page_of(dispatcher_client, direct_der)

    device = response.context["device"]
    assert device.status_rows == [
        ("Operational mode", "operational mode"),
        ("Generator connect", "connected, available, operating"),
        ("State of charge", "81.50 %"),
    ]
    assert [a.get_alarm_display() for a in device.active_alarms] == ["Over voltage"]
    assert [r.get_status_display() for r in device.latest_responses] == ["Event started"]
    [reading] = device.meter_readings
    assert (reading.scaled_value, reading.unit, reading.qualifier) == (4200, "W", "average")
    page = response.content.decode()
    assert "Over voltage" in page
    assert "Event started" in page
    assert "4200 W" in page


def test_an_unknown_or_malformed_lfdi_is_not_found(dispatcher_client, db):
    assert dispatcher_client.get(reverse("portal:device", args=["0" * 40])).status_code == 404
    assert dispatcher_client.get(reverse("portal:device", args=["xyz"])).status_code == 404


def test_an_aggregator_page_has_no_timeline_of_its_own(dispatcher_client, aggregator, managed_ders):
    response = page_of(dispatcher_client, aggregator)

    assert response.status_code == 200
    assert response.context["timeline"] == []
    assert "What it will do" not in response.content.decode()


def test_the_page_reads_a_fixed_number_of_queries_however_much_the_device_reported(
    dispatcher_client,
    direct_der,
    system_program,
    service_point_program,
    export_limit,
    now,
    django_assert_max_num_queries,
):
    usage_point = mirror_of(direct_der)
    for n in range(8):
        reading = MirrorMeterReading.objects.create(
            usage_point=usage_point, mrid=f"MMR{n}", reading_type={}, uom=38
        )
        Reading.objects.bulk_create(
            Reading(
                meter_reading=reading,
                end_device=direct_der,
                start=now - dt.timedelta(minutes=m),
                duration=60,
                value=m,
            )
            for m in range(20)
        )
    for n in range(10):
        event = create_control(
            program=service_point_program if n % 2 else system_program,
            start=now + dt.timedelta(hours=n),
            duration=1800,
            values={"opModMaxLimW": 5000 + n},
            description=f"Event {n}",
        )
        Response.objects.create(
            control=event, end_device=direct_der, client=direct_der, status=1, reported_at=now, is_latest=True
        )

    DERStatus.objects.bulk_create(
        DERStatus(
            end_device=direct_der, values={}, reading_time=now - dt.timedelta(minutes=m), inverter_status=m
        )
        for m in range(1, 30)
    )

    # The window opens while the first event runs, so the page also reads the events that may cut the
    # ones it shows: the most it ever reads (a default window does the same once the minute turns).
    window = {"start": local(now + dt.timedelta(minutes=10)), "end": local(now + dt.timedelta(hours=24))}
    with django_assert_max_num_queries(19):
        response = page_of(dispatcher_client, direct_der, **window)

    assert len({t.control.element: t for t in response.context["timeline"]}["opModMaxLimW"].rows) > 10
    assert len(response.context["device"].meter_readings) == 8
    assert len(response.context["status_history"].changes) == 29


def test_the_page_plots_the_readings_of_the_chosen_window(dispatcher_client, direct_der):
    now = timezone.now()
    usage_point = mirror_of(direct_der)
    power = MirrorMeterReading.objects.create(
        usage_point=usage_point, mrid="MMR1", reading_type={}, uom=38, power_of_ten_multiplier=3
    )
    Reading.objects.bulk_create(
        Reading(
            meter_reading=power,
            end_device=direct_der,
            start=now - dt.timedelta(hours=h),
            duration=300,
            value=v,
        )
        for h, v in ((1, 5), (3, 4), (30, 9))
    )

    day = page_of(dispatcher_client, direct_der).context["readings"]
    week = dispatcher_client.get(reverse("portal:device", args=[direct_der.lfdi]), {"hours": "168"}).context[
        "readings"
    ]

    [series] = day
    assert (series["label"], series["unit"]) == ("Active power", "W")
    assert [value for _, value in series["points"]] == [4000, 5000]  # kW readings in W, oldest first
    assert len(week[0]["points"]) == 3
