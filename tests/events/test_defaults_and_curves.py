"""DefaultDERControl updates and DERCurve creation go through the same Table 9 checks."""

import pytest
from django.core.exceptions import ValidationError

from derms.changefeed import Kind
from derms.der_controls import CONTROLS, DEFAULT_ONLY_SETTINGS, CurveType
from derms.events.services import create_curve, update_default_control
from derms.events.values import control_values
from derms.models import AuditEntry, DefaultDERControl, DERCurve
from tests.factories import feed_actions


def test_default_only_settings_such_as_ramp_rates_are_set_in_the_default_control(program, dispatcher):
    values = {"opModMaxLimW": 8000, "setGradW": 20, "setSoftGradW": 10, "setESDelay": 2**32 - 1}
    default = update_default_control(program=program, values=values, actor=dispatcher)
    stored = DefaultDERControl.objects.get(pk=default.pk)
    assert control_values(stored, controls=CONTROLS + DEFAULT_ONLY_SETTINGS) == values
    assert feed_actions(Kind.DEFAULT_DER_CONTROL, program) == ["default_updated"]


def test_updating_the_default_replaces_it_and_audits_before_and_after(program, dispatcher, volt_var_curve):
    update_default_control(program=program, values={"opModMaxLimW": 8000}, actor=dispatcher)
    default = update_default_control(
        program=program, values={"opModVoltVar": volt_var_curve.mrid, "setGradW": 5}, actor=dispatcher
    )
    assert default.version == 2  # the empty defaults create_program made, then two updates
    assert control_values(default, controls=CONTROLS + DEFAULT_ONLY_SETTINGS) == {
        "opModVoltVar": volt_var_curve.mrid,
        "setGradW": 5,
    }
    entry = AuditEntry.objects.filter(action="default_der_control.update").first()
    assert entry.before == {"opModMaxLimW": 8000}
    assert entry.after == {"opModVoltVar": volt_var_curve.mrid, "setGradW": 5}


def test_a_bad_default_changes_nothing(program):
    update_default_control(program=program, values={"opModMaxLimW": 8000})
    with pytest.raises(ValidationError) as caught:
        update_default_control(program=program, values={"opModMaxLimW": 10001, "setGradW": -1})
    assert set(caught.value.message_dict) == {"opModMaxLimW", "setGradW"}
    assert DefaultDERControl.objects.get(program=program).op_mod_max_lim_w == 8000


def test_a_curve_is_created_with_its_points_in_order(program, dispatcher):
    curve = create_curve(
        program=program,
        curve_type=CurveType.VOLT_WATT,
        points=[(10600, 10000, None), (11000, 0, None)],
        y_ref_type=1,
        vref=10000,
        actor=dispatcher,
    )
    assert [(p.x, p.y) for p in curve.points.all()] == [(10600, 10000), (11000, 0)]
    assert feed_actions(Kind.DER_CURVE, curve) == ["curve_created"]
    assert feed_actions(Kind.DER_CURVE_LIST, program) == ["curve_created"]
    assert AuditEntry.objects.get(action="der_curve.create").actor == dispatcher


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("points", {"points": []}),
        ("points", {"points": [(2, 0, None), (1, 0, None)]}),
        ("points", {"points": [(x, 0, None) for x in range(11)]}),
        ("curve_type", {"curve_type": 15}),
        ("y_ref_type", {"y_ref_type": 8}),
        ("x_multiplier", {"x_multiplier": 10}),
        ("open_loop_tms", {"open_loop_tms": 2**16}),
        ("vref", {"vref": -1}),
    ],
)
def test_a_bad_curve_is_refused_with_the_field_named(field, kwargs, program):
    arguments = {"program": program, "curve_type": 11, "points": [(0, 0, None)], "y_ref_type": 2} | kwargs
    with pytest.raises(ValidationError) as caught:
        create_curve(**arguments)
    assert list(caught.value.message_dict) == [field]
    assert not DERCurve.objects.exists()


def test_a_curve_keeps_an_mrid_given_from_elsewhere_and_a_malformed_one_is_refused(program):
    points = [(9200, 3000, None), (10700, -3000, None)]
    kept = create_curve(
        program=program, curve_type=CurveType.VOLT_VAR, points=points, y_ref_type=2, mrid="00FF" * 8
    )
    with pytest.raises(ValidationError) as caught:
        create_curve(program=program, curve_type=CurveType.VOLT_VAR, points=points, y_ref_type=2, mrid="F")
    assert kept.mrid == "00FF" * 8
    assert set(caught.value.message_dict) == {"mrid"}
    assert DERCurve.objects.count() == 1
