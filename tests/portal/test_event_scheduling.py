"""Scheduling an event from the portal: a form built from the control registry, a preview that writes
nothing, and create_control's errors shown on the form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from derms.der_controls import CurveType
from derms.events.services import create_control
from derms.models import AuditEntry, Change, DERControl
from derms.selectors.event_preview import Effect
from tests.factories import make_curve, make_end_device, make_non_topology_group, make_program


def new_event_url(program):
    return reverse("portal:event_new", args=[program.pk])


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def form_data(now):
    """A valid event: tomorrow at this time, for 90 minutes, limiting export to 50 %."""
    return {
        "start_mode": "at",
        "start_at": local(now + dt.timedelta(days=1)),
        "duration_minutes": "90",
        "response_required": ["1", "2"],
        "description": "Evening limit",
        "opModMaxLimW": "50",
    }


def written():
    return DERControl.objects.count(), Change.objects.count(), AuditEntry.objects.count()


def test_the_form_offers_schedulable_controls_and_the_programs_curves_of_each_type(
    dispatcher_client, system_program, volt_var_curve
):
    make_curve(system_program, curve_type=CurveType.WATT_PF, points=[(0, 100)])

    response = dispatcher_client.get(new_event_url(system_program))

    assert response.status_code == 200
    form = response.context["form"]
    elements = [control.element for control, _ in form.controls]
    assert "opModMaxLimW" in elements
    assert "rampTms" in elements
    assert "setGradW" not in elements
    assert "setESDelay" not in elements
    assert "opModVoltWatt" not in elements
    assert [label for _, label in form.fields["opModVoltVar"].choices] == ["not set", "Rule 21 volt-var"]
    assert "opModWattPF" in elements


def test_a_dispatcher_schedules_an_event_in_local_time_and_human_units(
    dispatcher_client, dispatcher, system_program, form_data, now
):
    response = dispatcher_client.post(
        new_event_url(system_program),
        {
            **form_data,
            "save": "",
            "opModFixedPFInjectW__factor": "0.95",
            "opModFixedPFInjectW__excitation": "injecting",
            "opModTargetW": "50",
            "opModFixedVar__value": "-12.5",
            "opModFixedVar__refType": "2",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("portal:program", args=[system_program.pk])
    event = DERControl.objects.get()
    expected_start = timezone.localtime(now + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    assert event.start == expected_start
    assert event.duration == 90 * 60
    assert event.response_required == 3
    assert event.description == "Evening limit"
    assert event.op_mod_max_lim_w == 5000
    assert (
        event.op_mod_fixed_pf_inject_w_displacement,
        event.op_mod_fixed_pf_inject_w_excitation,
        event.op_mod_fixed_pf_inject_w_multiplier,
    ) == (95, False, -2)
    assert (event.op_mod_target_w_value, event.op_mod_target_w_multiplier) == (5000, 1)
    assert (event.op_mod_fixed_var_value, event.op_mod_fixed_var_ref_type) == (-1250, 2)
    assert AuditEntry.objects.get(action="der_control.create").actor == dispatcher
    page = dispatcher_client.get(response.url).content.decode()
    assert "Scheduled Evening limit." in page
    assert "PF 0.95 injecting" in page
    assert "50.00 kW" in page


def test_start_now_and_a_curve_mode(dispatcher_client, system_program, volt_var_curve, now):
    response = dispatcher_client.post(
        new_event_url(system_program),
        {"start_mode": "now", "duration_minutes": "15", "opModVoltVar": volt_var_curve.mrid, "save": ""},
    )

    assert response.status_code == 302
    event = DERControl.objects.get()
    assert event.op_mod_volt_var == volt_var_curve
    assert now <= event.start <= timezone.now()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"opModMaxLimW": "150"}, "opModMaxLimW", "less than or equal to 100"),
        ({"opModFixedPFInjectW__factor": "0.9"}, "opModFixedPFInjectW__factor", "Give excitation too"),
        ({"opModTargetW": "123.456"}, "opModTargetW", "cannot hold it exactly"),
        ({"opModMaxLimW": ""}, None, "Set at least one control."),
        ({"start_at": ""}, "start_at", 'Give the start, or choose "Now".'),
        ({"duration_minutes": "0"}, "duration_minutes", "greater than or equal to 1"),
        ({"randomize_start": "4000"}, "randomize_start", "less than or equal to 3600"),
        ({"description": "x" * 33}, "description", "at most 32 characters"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_written(
    dispatcher_client, system_program, form_data, changes, field, message
):
    before = written()

    response = dispatcher_client.post(new_event_url(system_program), {**form_data, **changes, "save": ""})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in text for text in errors[field or "__all__"]), errors
    assert message.replace('"', "&quot;") in response.content.decode()
    assert written() == before


def test_the_services_own_refusals_are_shown_on_the_field_they_concern(
    dispatcher_client, system_program, form_data, now
):
    before = written()
    yesterday = {"start_at": local(now - dt.timedelta(days=1))}

    response = dispatcher_client.post(new_event_url(system_program), {**form_data, **yesterday, "save": ""})

    assert response.status_code == 400
    assert "The start is in the past" in response.context["form"].errors["start_at"][0]
    assert written() == before


def test_a_preview_refuses_a_start_in_the_past_as_save_does(
    dispatcher_client, system_program, form_data, now
):
    yesterday = {"start_at": local(now - dt.timedelta(days=1))}

    saved = dispatcher_client.post(new_event_url(system_program), {**form_data, **yesterday, "save": ""})
    previewed = dispatcher_client.post(
        new_event_url(system_program), {**form_data, **yesterday, "preview": ""}
    )

    assert previewed.status_code == 400
    assert previewed.context["preview"] is None
    assert "The start is in the past" in previewed.context["form"].errors["start_at"][0]
    assert previewed.context["form"].errors == saved.context["form"].errors


def test_a_curve_of_another_program_is_refused(
    dispatcher_client, system_program, service_point_program, form_data
):
    foreign = make_curve(service_point_program, curve_type=CurveType.VOLT_VAR, points=[(9200, 3000)])
    make_curve(system_program, curve_type=CurveType.VOLT_VAR, points=[(9000, 3000)])

    response = dispatcher_client.post(
        new_event_url(system_program), {**form_data, "opModVoltVar": foreign.mrid, "save": ""}
    )

    assert response.status_code == 400
    assert "opModVoltVar" in response.context["form"].errors
    assert not DERControl.objects.exists()


def test_the_preview_shows_the_timeline_with_and_without_the_event_and_writes_nothing(
    dispatcher_client, system_program, form_data, direct_der, topology, django_assert_max_num_queries
):
    for n in range(7):
        make_end_device(seed=f"feeder-der-{n}", topology_group=topology.feeder)
    before = written()

    with django_assert_max_num_queries(16):
        response = dispatcher_client.post(new_event_url(system_program), {**form_data, "preview": ""})

    assert response.status_code == 200
    assert written() == before
    preview = response.context["preview"]
    assert (preview.der_count, preview.sampled) == (8, 5)
    [outcome] = preview.outcomes
    assert len(outcome.ders) == 5
    assert outcome.effect is Effect.WHOLE
    [without] = outcome.without_event
    assert [(row.value, row.source) for row in without.rows] == [("100.00 %", "default")]
    [with_event] = outcome.with_event
    assert [(row.value, row.source) for row in with_event.rows] == [
        ("100.00 %", "default"),
        ("50.00 %", "Evening limit"),
        ("100.00 %", "default"),
    ]
    assert "this event" in response.content.decode()


def test_the_preview_shows_where_a_lower_primacy_program_overrides_the_event(
    dispatcher_client, system_program, service_point_program, form_data, direct_der, managed_ders, now
):
    start = timezone.localtime(now + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    create_control(
        program=service_point_program,
        start=start + dt.timedelta(minutes=30),
        duration=1800,
        values={"opModMaxLimW": 8000},
        description="Local hosting",
    )

    response = dispatcher_client.post(new_event_url(system_program), {**form_data, "preview": ""})

    outcomes = {frozenset(d.pk for d in o.ders): o for o in response.context["preview"].outcomes}
    at_service_point = outcomes[frozenset({direct_der.pk, managed_ders[0].pk})]
    assert at_service_point.effect is Effect.NONE
    assert at_service_point.overridden_by == [service_point_program]
    on_the_feeder = outcomes[frozenset({managed_ders[1].pk})]
    assert on_the_feeder.effect is Effect.WHOLE
    assert "fully overridden" in response.content.decode()


def test_the_preview_of_a_non_topology_program_samples_its_members(dispatcher_client, topology, form_data):
    vendor = make_non_topology_group("Vendor: Helios")
    member = make_end_device(seed="helios-1", topology_group=topology.feeder, non_topology_groups=(vendor,))
    make_end_device(seed="other-vendor", topology_group=topology.feeder)
    program = make_program(vendor, primacy=50)

    response = dispatcher_client.post(new_event_url(program), {**form_data, "preview": ""})

    preview = response.context["preview"]
    assert (preview.der_count, preview.sampled) == (1, 1)
    [outcome] = preview.outcomes
    assert outcome.ders == [member]
    assert outcome.effect is Effect.WHOLE
