"""Operators see what clients send in the admin, found by the DER's LFDI or SFDI, and change none of it."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from derms.admin.client_data import LATEST_READINGS, ReadOnlyAdmin
from derms.events.services import create_control
from derms.lfdi import format_sfdi
from derms.models import LogEvent, MirrorMeterReading, MirrorUsagePoint, Reading, Response
from tests.factories import make_program

READ_ONLY = [
    model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, ReadOnlyAdmin)
]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def log_event(end_device, code: int) -> LogEvent:
    return LogEvent.objects.create(
        end_device=end_device,
        created_date_time=timezone.now(),
        function_set=0,
        log_event_code=code,
        log_event_id=code,
        log_event_pen=0,
        profile_id=2,
    )


def test_every_kind_of_client_data_and_the_outbox_is_there_to_read():
    names = {model._meta.object_name for model in READ_ONLY}
    assert names == {
        "DERCapability",
        "DERSettings",
        "DERStatus",
        "DERAvailability",
        "LogEvent",
        "AlarmState",
        "MirrorUsagePoint",
        "MirrorMeterReading",
        "Response",
        "Change",
    }


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_nobody_adds_changes_or_deletes_client_data_in_the_admin(admin_client, model, direct_der):
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 403
    model_admin = admin.site._registry[model]
    request = admin_client.get(url(model, "changelist")).wsgi_request
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_log_events_are_found_by_the_ders_lfdi_or_sfdi(admin_client, direct_der, managed_ders):
    own = log_event(direct_der, 1)
    log_event(managed_ders[0], 2)

    by_lfdi = admin_client.get(url(LogEvent, "changelist"), {"q": direct_der.lfdi[:12].upper()})
    by_sfdi = admin_client.get(url(LogEvent, "changelist"), {"q": format_sfdi(direct_der.sfdi)})

    assert list(by_lfdi.context["cl"].result_list) == [own]
    assert list(by_sfdi.context["cl"].result_list) == [own]


def test_log_events_filter_by_the_aggregator_acting_for_the_der(
    admin_client, direct_der, managed_ders, aggregator
):
    log_event(direct_der, 1)
    theirs = {log_event(der, 2) for der in managed_ders}

    response = admin_client.get(url(LogEvent, "changelist"), {"aggregator": aggregator.pk})

    assert set(response.context["cl"].result_list) == theirs


def test_a_handbook_administrator_and_a_dispatcher_may_read_client_data(
    client, handbook_administrator, dispatcher
):
    for user in (handbook_administrator, dispatcher):
        client.force_login(user)
        assert client.get(url(LogEvent, "changelist")).status_code == 200
        assert client.get(url(Response, "changelist")).status_code == 200


def test_a_meter_reading_shows_only_its_latest_readings(
    admin_client, direct_der, django_assert_max_num_queries
):
    usage_point = MirrorUsagePoint.objects.create(
        client=direct_der,
        end_device=direct_der,
        mrid="0A" * 16,
        role_flags=49,
        service_category_kind=0,
        status=1,
    )
    meter = MirrorMeterReading.objects.create(
        usage_point=usage_point, mrid="0B" * 16, description="Real power", reading_type={"uom": 38}, uom=38
    )
    first = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    Reading.objects.bulk_create(
        Reading(
            meter_reading=meter,
            end_device=direct_der,
            start=first + n * dt.timedelta(minutes=5),
            duration=300,
            value=100_000 + n,
        )
        for n in range(LATEST_READINGS + 10)
    )

    with django_assert_max_num_queries(12):
        page = admin_client.get(url(MirrorMeterReading, "change", meter.pk)).content.decode()

    shown = [n for n in range(LATEST_READINGS + 10) if f"<td>{100_000 + n}</td>" in page]
    assert shown == list(range(10, LATEST_READINGS + 10))


def test_responses_to_an_event_are_listed_with_their_der(admin_client, direct_der, topology):
    program = make_program(topology.service_point, primacy=83)
    event = create_control(program=program, start="now", duration=600, values={"opModConnect": False})
    Response.objects.create(
        control=event,
        end_device=direct_der,
        client=direct_der,
        status=1,
        reported_at=timezone.now(),
        is_latest=True,
    )

    response = admin_client.get(url(Response, "changelist"), {"q": direct_der.lfdi})

    assert [r.control for r in response.context["cl"].result_list] == [event]
