"""The program list and a program's page: events with their status, defaults and curves; cancelling."""

import datetime as dt
import json

from django.urls import reverse
from lxml import html

from derms.events.services import create_control
from derms.models import AuditEntry, Change, DERControl, EventStatus


def program_page(client, program):
    return client.get(reverse("portal:program", args=[program.pk]))


def cancel(client, event, reason=""):
    return client.post(reverse("portal:event_cancel", args=[event.program_id, event.pk]), {"reason": reason})


def test_programs_are_listed_by_primacy(
    dispatcher_client, system_program, service_point_program, export_limit
):
    response = dispatcher_client.get(reverse("portal:programs"))

    assert [(p.description, p.events) for p in response.context["programs"]] == [
        ("Service point", 0),
        ("System", 1),
    ]


def test_a_program_page_shows_events_with_their_status_defaults_and_curves(
    dispatcher_client, system_program, export_limit, volt_var_curve, now
):
    running = create_control(
        program=system_program, start="now", duration=600, values={"opModVoltVar": volt_var_curve.mrid}
    )

    response = program_page(dispatcher_client, system_program)

    detail = response.context["detail"]
    rows = {row.event.pk: row for row in detail.events}
    assert rows[export_limit.pk].status_label == "Scheduled"
    assert rows[running.pk].status_label == "Active"
    assert [(v.label, v.value) for v in rows[running.pk].values] == [("Volt-var", "Rule 21 volt-var")]
    assert [(v.label, v.value) for v in detail.defaults] == [
        ("Connect", "on"),
        ("Max W limit (% of setMaxW)", "100.00 %"),
    ]
    assert detail.curves == [volt_var_curve]
    page = response.content.decode()
    assert "Peak export limit" in page
    assert "Rule 21 volt-var" in page
    assert "(9200, 3000) (10700, -3000)" in page


def test_a_dispatcher_cancels_an_event_with_a_reason_and_it_is_audited(
    dispatcher_client, dispatcher, system_program, export_limit
):
    response = cancel(dispatcher_client, export_limit, reason="Forecast changed")

    assert response.status_code == 302
    assert response.url == reverse("portal:program", args=[system_program.pk])
    export_limit.refresh_from_db()
    assert export_limit.status == EventStatus.CANCELLED
    assert export_limit.reason == "Forecast changed"
    entry = AuditEntry.objects.get(action="der_control.cancel")
    assert entry.actor == dispatcher
    page = dispatcher_client.get(response.url).content.decode()
    assert "Cancelled Peak export limit." in page
    assert "Forecast changed" in page


def test_cancelling_an_event_twice_is_refused_with_the_services_reason(dispatcher_client, export_limit):
    cancel(dispatcher_client, export_limit)
    changes = Change.objects.count()

    response = cancel(dispatcher_client, export_limit)

    assert Change.objects.count() == changes
    page = dispatcher_client.get(response.url).content.decode()
    assert "Only a scheduled or active event can be cancelled" in page


def test_only_live_events_offer_a_cancel_button(dispatcher_client, system_program, export_limit, now):
    over = DERControl.objects.create(
        program=system_program,
        start=now - dt.timedelta(hours=3),
        duration=3600,
        op_mod_max_lim_w=5000,
        description="Yesterday",
    )

    response = program_page(dispatcher_client, system_program)

    rows = {row.event.pk: row for row in response.context["detail"].events}
    assert rows[export_limit.pk].cancellable
    assert not rows[over.pk].cancellable
    assert rows[over.pk].status_label == "Over"
    assert response.content.decode().count('name="reason"') == 1


def test_cancelling_needs_a_post(dispatcher_client, export_limit):
    response = dispatcher_client.get(
        reverse("portal:event_cancel", args=[export_limit.program_id, export_limit.pk])
    )

    assert response.status_code == 405


def test_an_event_of_another_program_is_not_found_under_this_one(
    dispatcher_client, service_point_program, export_limit
):
    response = dispatcher_client.post(
        reverse("portal:event_cancel", args=[service_point_program.pk, export_limit.pk])
    )

    assert response.status_code == 404


def test_a_program_page_reads_a_fixed_number_of_queries_however_many_events_it_has(
    dispatcher_client, system_program, volt_var_curve, now, django_assert_max_num_queries
):
    for n in range(52):
        create_control(
            program=system_program,
            start=now + dt.timedelta(hours=n + 1),
            duration=600,
            values={"opModMaxLimW": 5000, "opModVoltVar": volt_var_curve.mrid},
        )

    with django_assert_max_num_queries(9):
        response = program_page(dispatcher_client, system_program)

    assert len(response.context["detail"].events) == 50
    assert response.context["detail"].event_count == 52


def test_each_curve_is_plotted_on_the_program_page_with_its_scaling(dispatcher_client, volt_var_curve):
    page = html.fromstring(
        dispatcher_client.get(reverse("portal:program", args=[volt_var_curve.program_id])).content
    )

    [figure] = page.xpath("//figure[@class='curve-plot']")
    plot = json.loads(figure.get("data-plot"))
    points = list(volt_var_curve.points.order_by("position"))
    assert plot["x"] == [p.x * 10**volt_var_curve.x_multiplier for p in points]
    assert plot["y"] == [p.y * 10**volt_var_curve.y_multiplier for p in points]
    assert plot["x_label"] == "Voltage (% of nominal)"
