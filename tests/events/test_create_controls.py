"""Creating DERControl events for every CSIP Table 9 control, and what is refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from derms.changefeed import Kind as FeedKind
from derms.der_controls import CONTROLS, DEFAULT_ONLY_SETTINGS, Control, Kind
from derms.events.services import NOW, create_control, create_curve
from derms.events.values import control_values
from derms.models import AuditEntry, DERControl, DERProgram, EventStatus
from tests.factories import feed_actions

SCALAR_CONTROLS = [c for c in CONTROLS if c.kind is not Kind.CURVE]
CURVE_CONTROLS = [c for c in CONTROLS if c.kind is Kind.CURVE]


def edge_value(control: Control, *, pick=lambda part: part.maximum):
    """A valid value at the edge of each part's range."""
    parts = {p.element: True if p.boolean else pick(p) for p in control.kind.parts}
    return parts[""] if control.kind.is_simple else parts


def curve_for(control: Control, program: DERProgram):
    return create_curve(program=program, curve_type=control.curve_type, points=[(0, 0, None)], y_ref_type=1)


@pytest.mark.parametrize("control", SCALAR_CONTROLS, ids=lambda c: c.element)
@pytest.mark.parametrize("edge", ["minimum", "maximum"])
def test_every_scalar_control_is_created_and_renders_back_to_the_same_values(
    control, edge, program, soon, dispatcher
):
    value = edge_value(control, pick=lambda part: getattr(part, edge))
    created = create_control(
        program=program, start=soon, duration=600, values={control.element: value}, actor=dispatcher
    )
    stored = DERControl.objects.get(pk=created.pk)
    assert control_values(stored) == {control.element: value}
    assert stored.end == soon + dt.timedelta(seconds=600)


@pytest.mark.parametrize("control", CURVE_CONTROLS, ids=lambda c: c.element)
def test_every_curve_control_points_to_a_curve_of_its_type_in_the_same_program(control, program, soon):
    curve = curve_for(control, program)
    created = create_control(program=program, start=soon, duration=600, values={control.element: curve.mrid})
    assert control_values(DERControl.objects.get(pk=created.pk)) == {control.element: curve.mrid}


@pytest.mark.parametrize("control", CURVE_CONTROLS, ids=lambda c: c.element)
def test_a_curve_of_another_type_is_refused(control, program, soon):
    other = next(c for c in CURVE_CONTROLS if c.curve_type != control.curve_type)
    curve = curve_for(other, program)
    with pytest.raises(ValidationError) as caught:
        create_control(program=program, start=soon, duration=600, values={control.element: curve.mrid})
    assert f"curveType {control.curve_type}" in caught.value.message_dict[control.element][0]


def test_a_curve_of_another_program_is_refused(program, vendor_program, soon, volt_var_curve):
    with pytest.raises(ValidationError) as caught:
        create_control(
            program=vendor_program, start=soon, duration=600, values={"opModVoltVar": volt_var_curve.mrid}
        )
    assert "this program's DERCurveList" in caught.value.message_dict["opModVoltVar"][0]


def test_an_unknown_curve_is_refused(program, soon):
    with pytest.raises(ValidationError) as caught:
        create_control(program=program, start=soon, duration=600, values={"opModVoltVar": "00" * 16})
    assert "No DERCurve" in caught.value.message_dict["opModVoltVar"][0]


@pytest.mark.parametrize(
    "control",
    [c for c in SCALAR_CONTROLS if any(not p.boolean for p in c.kind.parts)],
    ids=lambda c: c.element,
)
def test_values_beyond_the_schema_range_are_refused(control, program, soon):
    too_big = edge_value(control, pick=lambda part: part.maximum + 1)
    with pytest.raises(ValidationError) as caught:
        create_control(program=program, start=soon, duration=600, values={control.element: too_big})
    assert "must be between" in caught.value.message_dict[control.element][0]
    assert not DERControl.objects.exists()


@pytest.mark.parametrize("setting", DEFAULT_ONLY_SETTINGS, ids=lambda c: c.element)
def test_default_only_settings_such_as_ramp_rates_are_never_scheduled(setting, program, soon):
    with pytest.raises(ValidationError) as caught:
        create_control(program=program, start=soon, duration=600, values={setting.element: 100})
    assert "DefaultDERControl" in caught.value.message_dict[setting.element][0]


def test_a_composite_control_needs_all_its_parts(program, soon):
    with pytest.raises(ValidationError) as caught:
        create_control(
            program=program, start=soon, duration=600, values={"opModFixedPFInjectW": {"displacement": 95}}
        )
    assert caught.value.message_dict["opModFixedPFInjectW"] == [
        "opModFixedPFInjectW needs excitation, multiplier."
    ]


def test_a_boolean_control_takes_only_true_or_false(program, soon):
    with pytest.raises(ValidationError) as caught:
        create_control(program=program, start=soon, duration=600, values={"opModConnect": 1})
    assert caught.value.message_dict["opModConnect"] == ["opModConnect must be true or false."]


def test_an_event_without_controls_or_with_unknown_ones_is_refused(program, soon):
    with pytest.raises(ValidationError) as caught:
        create_control(program=program, start=soon, duration=600, values={})
    assert "values" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        create_control(program=program, start=soon, duration=600, values={"opModTurbo": True})
    assert "opModTurbo" in caught.value.message_dict


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("duration", {"duration": 0}),
        ("duration", {"duration": -60}),
        ("duration", {"duration": 2**32}),
        ("randomize_start", {"randomize_start": 3601}),
        ("randomize_duration", {"randomize_duration": -3601}),
        ("response_required", {"response_required": 8}),
        ("device_category", {"device_category": 0}),
        ("description", {"description": "x" * 33}),
    ],
)
def test_insane_timing_and_metadata_are_refused_with_the_field_named(field, kwargs, program, soon):
    arguments = {
        "program": program,
        "start": soon,
        "duration": 600,
        "values": {"opModMaxLimW": 5000},
    } | kwargs
    with pytest.raises(ValidationError) as caught:
        create_control(**arguments)
    assert list(caught.value.message_dict) == [field]


def test_a_start_long_in_the_past_is_refused_but_now_is_accepted(program, now):
    with pytest.raises(ValidationError) as caught:
        create_control(
            program=program, start=now - dt.timedelta(hours=1), duration=600, values={"opModMaxLimW": 1}
        )
    assert 'use "now"' in caught.value.message_dict["start"][0]
    started = create_control(program=program, start=NOW, duration=600, values={"opModMaxLimW": 1})
    assert now <= started.start <= started.creation_time


def test_a_naive_start_is_refused(program, soon):
    with pytest.raises(ValidationError) as caught:
        create_control(
            program=program, start=soon.replace(tzinfo=None), duration=600, values={"opModMaxLimW": 1}
        )
    assert "time zone" in caught.value.message_dict["start"][0]


def test_every_problem_is_reported_at_once(program, soon):
    with pytest.raises(ValidationError) as caught:
        create_control(
            program=program,
            start=soon,
            duration=0,
            randomize_start=9999,
            values={"opModMaxLimW": 10001, "setGradW": 1},
        )
    assert set(caught.value.message_dict) == {"duration", "randomize_start", "opModMaxLimW", "setGradW"}


def test_creating_an_event_is_audited_and_announced(program, soon, dispatcher):
    control = create_control(
        program=program, start=soon, duration=600, values={"opModMaxLimW": 5000}, actor=dispatcher
    )
    entry = AuditEntry.objects.get(action="der_control.create")
    assert (entry.actor, entry.object_id) == (dispatcher, str(control.pk))
    assert entry.after["values"] == {"opModMaxLimW": 5000}
    assert feed_actions(FeedKind.DER_CONTROL, control) == ["control_created"]
    assert feed_actions(FeedKind.DER_CONTROL_LIST, program) == ["control_created"]
    assert control.status == EventStatus.SCHEDULED


def test_an_upstream_mrid_already_in_use_is_refused_on_its_field(program, soon):
    first = create_control(
        program=program, start=soon, duration=60, values={"opModConnect": True}, mrid="AB" * 16
    )
    with pytest.raises(ValidationError) as caught:
        create_control(
            program=program, start=soon, duration=60, values={"opModConnect": True}, mrid="AB" * 16
        )
    assert "Another DER control has the mRID" in caught.value.message_dict["mrid"][0]
    assert list(DERControl.objects.all()) == [first]
