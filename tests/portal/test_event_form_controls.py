"""The event form covers every schedulable control of the registry, in the units dispatchers use, and
what it produces is what the event service and the display expect."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from derms import control_units
from derms.der_controls import CONTROLS, CONTROLS_BY_ELEMENT, CURVE_CONTROLS, Kind
from derms.events.services import create_control
from derms.events.values import control_values
from derms.portal.forms import EventForm
from tests.factories import make_curve


def edge_of_range(control, names: list[str], curves: dict[int, str]) -> dict[str, str]:
    """Form input at the far end of each control's range, as a dispatcher would type it."""
    kind = control.kind
    if kind is Kind.CURVE:
        return {names[0]: curves[control.curve_type]}
    if kind is Kind.BOOLEAN:
        return {names[0]: "off"}
    if control_units.hundredths_unit(control):
        return {names[0]: str(Decimal(kind.parts[0].maximum) / 100)}
    if kind.is_simple:
        return {names[0]: str(kind.parts[0].maximum)}
    if kind is Kind.POWER_FACTOR:
        return dict(zip(names, ["0.975", "absorbing"], strict=True))
    if kind is Kind.FIXED_VAR:
        return dict(zip(names, ["-100", "7"], strict=True))
    if kind is Kind.POWER:
        return {names[0]: "-3276.7"}
    return {name: str(part.maximum) for name, part in zip(names, kind.parts, strict=True)}


@pytest.fixture
def curves(system_program):
    return {
        c.curve_type: make_curve(system_program, curve_type=c.curve_type, points=[(0, 0)]).mrid
        for c in CURVE_CONTROLS
    }


def test_every_schedulable_control_is_on_the_form_and_schedules_at_the_edge_of_its_range(
    system_program, curves
):
    form = EventForm(program=system_program)
    assert [c.element for c, _ in form.controls] == [c.element for c in CONTROLS if c.schedulable]
    data = {"start_mode": "now", "duration_minutes": "5"}
    for control, names in form.controls:
        data.update(edge_of_range(control, names, curves))

    form = EventForm(data, program=system_program)
    assert form.is_valid(), form.errors
    event = create_control(**form.event_arguments())

    stored = control_values(event)
    assert stored["opModFixedPFAbsorbW"] == {"displacement": 975, "excitation": True, "multiplier": -3}
    assert stored["opModFixedVar"] == {"refType": 7, "value": -10000}
    assert stored["opModTargetW"] == {"multiplier": 2, "value": -32767}
    assert stored["opModMaxLimW"] == 10000
    assert stored["rampTms"] == 65535
    assert stored["opModConnect"] is False
    assert set(stored) == {c.element for c in CONTROLS if c.schedulable}


@pytest.mark.parametrize(
    ("element", "value", "shown"),
    [
        ("opModMaxLimW", 6000, "60.00 %"),
        ("opModFixedW", -2550, "-25.50 %"),
        ("opModConnect", False, "off"),
        (
            "opModFixedPFInjectW",
            {"displacement": 95, "excitation": False, "multiplier": -2},
            "PF 0.95 injecting",
        ),
        (
            "opModFixedPFAbsorbW",
            {"displacement": 975, "excitation": True, "multiplier": -3},
            "PF 0.975 absorbing",
        ),
        ("opModFixedVar", {"refType": 2, "value": -1250}, "-12.50 % of setMaxVar"),
        ("opModTargetW", {"multiplier": 1, "value": 5000}, "50.00 kW"),
        ("opModTargetVar", {"multiplier": 0, "value": -300}, "-300.00 var"),
        ("rampTms", 3000, "30.00 s"),
        ("setGradW", 10000, "100.00 % of setMaxW per s"),
        ("setESHighFreq", 6010, "60.10 Hz"),
        (
            "opModFreqDroop",
            {"dBOF": 36, "dBUF": 36, "kOF": 50, "kUF": 50, "openLoopTms": 500},
            "dead band 0.036 Hz over, 0.036 Hz under; droop 0.05 over, 0.05 under; open loop 5.00 s",
        ),
        ("opModVoltVar", "ABC", "Rule 21 volt-var"),
    ],
)
def test_values_are_shown_in_the_units_dispatchers_use(element, value, shown):
    control = CONTROLS_BY_ELEMENT[element]

    assert control_units.display(control, value, curve_names={"ABC": "Rule 21 volt-var"}) == shown


@pytest.mark.parametrize(
    ("kilo", "expected"),
    [
        ("5", {"multiplier": 0, "value": 5000}),
        ("32.767", {"multiplier": 0, "value": 32767}),
        ("50", {"multiplier": 1, "value": 5000}),
        ("-1200", {"multiplier": 2, "value": -12000}),
        ("0", {"multiplier": 0, "value": 0}),
    ],
)
def test_power_is_sent_as_a_16_bit_value_and_the_smallest_multiplier(kilo, expected):
    assert control_units.power(Decimal(kilo), "W") == expected


def test_a_power_16_bits_cannot_hold_exactly_is_refused():
    with pytest.raises(ValidationError, match="round it"):
        control_units.power(Decimal("123.456"), "W")
