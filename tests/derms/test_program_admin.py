"""The admin of programs, defaults, events and curves writes only through derms.events.services: the
same checks, audit entries and outbox rows as the portal and the API, errors shown on the form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from derms.changefeed import Kind
from derms.der_controls import CurveType
from derms.events.services import create_control
from derms.models import (
    AuditEntry,
    DefaultDERControl,
    DERControl,
    DERCurve,
    DERProgram,
    EventStatus,
)
from tests.factories import feed_actions, make_program

VOLT_VAR_POINTS = "9200, 3000\n9670, 0\n10300, 0\n10700, -3000"


@pytest.fixture
def program(topology):
    return make_program(topology.feeder, primacy=86)


@pytest.fixture
def dispatcher_client(client, dispatcher):
    client.force_login(dispatcher)
    return client


def url(model, view: str, *args) -> str:
    return reverse(f"admin:derms_{model._meta.model_name}_{view}", args=args)


def event_form(program, **overrides) -> dict:
    start = timezone.localtime() + dt.timedelta(hours=2)
    data = {
        "program": program.pk,
        "description": "Peak limit",
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M:%S"),
        "duration": 3600,
        "response_required": 0,
        "op_mod_max_lim_w": 6000,
    }
    return {**data, **overrides}


def test_a_dispatcher_schedules_an_event_through_the_service(dispatcher_client, dispatcher, program):
    response = dispatcher_client.post(url(DERControl, "add"), event_form(program))

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = DERControl.objects.get()
    assert (event.program, event.duration, event.op_mod_max_lim_w) == (program, 3600, 6000)
    assert AuditEntry.objects.filter(action="der_control.create", actor=dispatcher).exists()
    assert feed_actions(Kind.DER_CONTROL, event) == ["control_created"]


def test_an_event_starting_now_is_active_at_once(dispatcher_client, program):
    response = dispatcher_client.post(
        url(DERControl, "add"), event_form(program, start_0="", start_1="", start_now="on")
    )

    assert response.status_code == 302
    event = DERControl.objects.get()
    assert event.start == event.creation_time


def test_the_services_errors_appear_on_the_event_form_and_nothing_is_saved(dispatcher_client, program):
    past = timezone.localtime() - dt.timedelta(days=1)
    response = dispatcher_client.post(
        url(DERControl, "add"),
        event_form(program, start_0=past.strftime("%Y-%m-%d"), op_mod_max_lim_w=20000, mrid="ABC"),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"start", "op_mod_max_lim_w", "mrid"}
    assert "in the past" in errors["start"][0]
    assert not DERControl.objects.exists()


def test_an_event_without_a_start_asks_for_one_or_for_start_now(dispatcher_client, program):
    response = dispatcher_client.post(url(DERControl, "add"), event_form(program, start_0="", start_1=""))

    assert response.status_code == 200
    assert "Start now" in str(response.context["adminform"].form.errors["start"])
    assert not DERControl.objects.exists()


def test_an_event_is_only_viewed_in_the_admin_never_edited(dispatcher_client, program):
    event = create_control(program=program, start="now", duration=600, values={"opModMaxLimW": 1})

    page = dispatcher_client.get(url(DERControl, "change", event.pk))
    edit = dispatcher_client.post(url(DERControl, "change", event.pk), {"duration": 5, "status": 2})

    assert page.status_code == 200
    assert 'name="duration"' not in page.content.decode()
    assert "Active" in page.content.decode()
    assert edit.status_code == 403
    event.refresh_from_db()
    assert (event.duration, event.status) == (600, EventStatus.SCHEDULED)


def test_events_are_never_deleted_in_the_admin(admin_client, program):
    event = create_control(program=program, start="now", duration=600, values={"opModMaxLimW": 1})

    assert admin_client.get(url(DERControl, "delete", event.pk)).status_code == 403
    changelist = admin_client.get(url(DERControl, "changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert DERControl.objects.filter(pk=event.pk).exists()


def test_cancel_selected_events_goes_through_the_service(dispatcher_client, dispatcher, program):
    soon = timezone.now() + dt.timedelta(hours=1)
    event = create_control(program=program, start=soon, duration=600, values={"opModMaxLimW": 1})

    first = dispatcher_client.post(
        url(DERControl, "changelist"),
        {"action": "cancel_events", "_selected_action": [event.pk]},
        follow=True,
    )
    again = dispatcher_client.post(
        url(DERControl, "changelist"),
        {"action": "cancel_events", "_selected_action": [event.pk]},
        follow=True,
    )

    assert "1 event cancelled." in first.content.decode()
    assert "Only a scheduled or active event can be cancelled" in again.content.decode()
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert AuditEntry.objects.filter(action="der_control.cancel", actor=dispatcher).count() == 1


def test_a_handbook_administrator_may_look_at_events_but_not_schedule_or_cancel_them(
    client, handbook_administrator, program
):
    client.force_login(handbook_administrator)

    assert client.get(url(DERControl, "changelist")).status_code == 200
    assert client.get(url(DERControl, "add")).status_code == 403
    assert client.post(url(DERControl, "add"), event_form(program)).status_code == 403
    assert not DERControl.objects.exists()


def test_a_default_control_change_is_an_update_through_the_service(dispatcher_client, dispatcher, program):
    default = DefaultDERControl.objects.get(program=program)

    response = dispatcher_client.post(
        url(DefaultDERControl, "change", default.pk), {"op_mod_max_lim_w": 9000, "set_grad_w": 50}
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    default.refresh_from_db()
    assert (default.op_mod_max_lim_w, default.set_grad_w, default.version) == (9000, 50, 1)
    assert feed_actions(Kind.DEFAULT_DER_CONTROL, program) == ["default_updated"]
    assert AuditEntry.objects.get(action="default_der_control.update").actor == dispatcher


def test_a_bad_default_shows_the_services_error_and_changes_nothing(dispatcher_client, program):
    default = DefaultDERControl.objects.get(program=program)

    response = dispatcher_client.post(
        url(DefaultDERControl, "change", default.pk),
        {"op_mod_fixed_pf_inject_w_displacement": 95, "op_mod_max_lim_w": 10001},
    )

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {
        "op_mod_fixed_pf_inject_w_displacement",
        "op_mod_max_lim_w",
    }
    default.refresh_from_db()
    assert default.version == 0


def test_default_controls_come_and_go_with_their_program(admin_client, program):
    default = DefaultDERControl.objects.get(program=program)
    assert admin_client.get(url(DefaultDERControl, "add")).status_code == 403
    assert admin_client.get(url(DefaultDERControl, "delete", default.pk)).status_code == 403


def test_a_program_added_in_the_admin_gets_its_default_control(dispatcher_client, dispatcher, topology):
    response = dispatcher_client.post(
        url(DERProgram, "add"), {"group": topology.substation.pk, "primacy": 87, "description": "SUB"}
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    program = DERProgram.objects.get(group=topology.substation)
    assert DefaultDERControl.objects.filter(program=program).exists()
    assert AuditEntry.objects.get(action="der_program.create").actor == dispatcher


def test_a_second_program_for_a_group_is_refused_on_the_form(dispatcher_client, program, topology):
    response = dispatcher_client.post(url(DERProgram, "add"), {"group": topology.feeder.pk, "primacy": 1})

    assert response.status_code == 200
    assert "one per group" in str(response.context["adminform"].form.errors)


def test_a_programs_group_and_mrid_are_fixed_once_it_exists(dispatcher_client, program):
    response = dispatcher_client.post(
        url(DERProgram, "change", program.pk), {"primacy": 80, "description": "Renamed", "mrid": "AB"}
    )

    assert response.status_code == 302
    stored = DERProgram.objects.get(pk=program.pk)
    assert (stored.primacy, stored.description, stored.mrid) == (80, "Renamed", program.mrid)


def curve_form(program, points: str) -> dict:
    return {
        "program": program.pk,
        "description": "Hot day",
        "curve_type": CurveType.VOLT_VAR,
        "x_multiplier": -2,
        "y_multiplier": -2,
        "y_ref_type": 2,
        "points": points,
    }


def test_a_curve_added_in_the_admin_is_created_through_the_service(dispatcher_client, dispatcher, program):
    response = dispatcher_client.post(url(DERCurve, "add"), curve_form(program, VOLT_VAR_POINTS + ", true"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    curve = DERCurve.objects.get()
    assert [(p.x, p.y, p.excitation) for p in curve.points.all()] == [
        (9200, 3000, None),
        (9670, 0, None),
        (10300, 0, None),
        (10700, -3000, True),
    ]
    assert feed_actions(Kind.DER_CURVE, curve) == ["curve_created"]
    assert AuditEntry.objects.get(action="der_curve.create").actor == dispatcher


@pytest.mark.parametrize(
    ("points", "message"),
    [("10300, 0\n9670, 0", "strictly increasing"), ("9200; 3000", "Line 1"), ("1, 2, maybe", "Line 1")],
)
def test_bad_curve_points_are_refused_on_the_form(dispatcher_client, program, points, message):
    response = dispatcher_client.post(url(DERCurve, "add"), curve_form(program, points))

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["points"])
    assert not DERCurve.objects.exists()


def test_a_curve_is_never_changed_or_deleted_in_the_admin(admin_client, program):
    admin_client.post(url(DERCurve, "add"), curve_form(program, VOLT_VAR_POINTS))
    curve = DERCurve.objects.get()

    page = admin_client.get(url(DERCurve, "change", curve.pk))
    edit = admin_client.post(url(DERCurve, "change", curve.pk), curve_form(program, "1, 1"))

    assert page.status_code == 200
    assert "10700" in page.content.decode()
    assert edit.status_code == 403
    assert admin_client.get(url(DERCurve, "delete", curve.pk)).status_code == 403
    assert curve.points.count() == 4


def test_events_filter_by_their_status_now_as_clients_read_it(admin_client, program):
    soon = timezone.now() + dt.timedelta(hours=1)
    scheduled = create_control(program=program, start=soon, duration=600, values={"opModConnect": True})
    active = create_control(program=program, start="now", duration=600, values={"opModFixedW": 10})
    over = DERControl.objects.create(
        program=program, start=timezone.now() - dt.timedelta(days=1), duration=60, op_mod_max_lim_w=1
    )

    def listed(status: str) -> list:
        response = admin_client.get(url(DERControl, "changelist"), {"status_now": status})
        return list(response.context["cl"].result_list)

    assert (listed("scheduled"), listed("active"), listed("over")) == ([scheduled], [active], [over])
