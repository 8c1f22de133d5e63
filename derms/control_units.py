"""DER control values in the units a dispatcher reads and types: 60.00 %, PF 0.95 injecting, 5 kW.

Everywhere else values keep the schema's representation (derms.events.values); this module translates
only at the portal's edge, both ways, reading the control registry rather than listing controls.
"""

import re
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError

from derms.der_controls import Control, CurveType, Kind
from derms.events.values import Value

#: DERUnitRefType: what a FixedVar percentage is a percentage of.
UNIT_REF_TYPES = {
    0: "N/A",
    1: "setMaxW",
    2: "setMaxVar",
    3: "statVarAvail",
    4: "setEffectiveV",
    5: "setMaxChargeRateW",
    6: "setMaxDischargeRateW",
    7: "statWAvail",
}
#: The registry writes "(1/100 s)" in the labels of controls counted in hundredths of a unit.
_HUNDREDTHS = re.compile(r"\s*\(1/100 ([^)]+)\)")
_SI_PREFIXES = ((Decimal(10) ** 9, "G"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k"))
INT16_MAX = 32767


def hundredths_unit(control: Control) -> str | None:
    """The unit a single-scalar control counts in hundredths of ("%" for percentages), if any."""
    if control.kind in (Kind.PERCENT, Kind.SIGNED_PERCENT):
        return "%"
    match = _HUNDREDTHS.search(control.label) if control.kind.is_simple else None
    return match.group(1) if match else None


def plain_label(control: Control) -> str:
    """The control's label without its "(1/100 ...)" note, for when the value is shown in whole units."""
    return _HUNDREDTHS.sub("", control.label)


def power_unit(control: Control) -> str:
    """W for active power controls, var for reactive ones (opModTargetW, opModTargetVar)."""
    return "var" if control.element.endswith("Var") else "W"


def display(control: Control, value: Value, *, curve_names: Mapping[str, str]) -> str:
    """``value`` as a dispatcher reads it; curve controls show the curve's name from ``curve_names``."""
    kind = control.kind
    if kind is Kind.CURVE:
        return curve_names.get(value, f"curve {value}")
    if kind is Kind.BOOLEAN:
        return "on" if value else "off"
    if unit := hundredths_unit(control):
        return f"{Decimal(value) / 100:.2f} {unit}"
    if kind.is_simple:
        return str(value)
    if kind is Kind.POWER_FACTOR:
        factor = Decimal(value["displacement"]).scaleb(value["multiplier"])
        return f"PF {_at_least_two_places(factor)} {'absorbing' if value['excitation'] else 'injecting'}"
    if kind is Kind.FIXED_VAR:
        reference = UNIT_REF_TYPES.get(value["refType"], f"refType {value['refType']}")
        return f"{Decimal(value['value']) / 100:.2f} % of {reference}"
    if kind is Kind.POWER:
        return si_power(Decimal(value["value"]).scaleb(value["multiplier"]), power_unit(control))
    if kind is Kind.FREQ_DROOP:
        return (
            f"dead band {Decimal(value['dBOF']) / 1000} Hz over, {Decimal(value['dBUF']) / 1000} Hz under; "
            f"droop {Decimal(value['kOF']) / 1000} over, {Decimal(value['kUF']) / 1000} under; "
            f"open loop {Decimal(value['openLoopTms']) / 100:.2f} s"
        )
    raise ValueError(f"No display for {kind}")


def si_power(watts: Decimal, unit: str) -> str:
    """5000 W -> "5.00 kW"; values under a kilo stay in plain units."""
    for factor, prefix in _SI_PREFIXES:
        if abs(watts) >= factor:
            return f"{watts / factor:.2f} {prefix}{unit}"
    return f"{_at_least_two_places(watts)} {unit}"


def _at_least_two_places(number: Decimal) -> str:
    return f"{number:.2f}" if number.as_tuple().exponent >= -2 else str(number.normalize())


def from_hundredths_unit(number: Decimal) -> int:
    """60.00 (%) -> 6000, the schema's hundredths."""
    return int(number * 100)


def power_factor(factor: Decimal, *, absorbing: bool) -> dict[str, int | bool]:
    """0.95 -> displacement 95, multiplier -2; 0.975 -> 975, -3 (the schema's own example)."""
    places = max(2, -factor.normalize().as_tuple().exponent)
    return {
        "displacement": int(factor.scaleb(places)),
        "excitation": absorbing,
        "multiplier": -places,
    }


def power(kilo: Decimal, unit: str) -> dict[str, int]:
    """kW (or kvar) -> the schema's 16-bit value with a power-of-ten multiplier, exactly or not at all."""
    base = int(kilo * 1000)
    for multiplier in range(10):
        value, rest = divmod(abs(base), 10**multiplier)
        if rest:
            break
        if value <= INT16_MAX:
            return {"multiplier": multiplier, "value": value if base >= 0 else -value}
    raise ValidationError(
        f"2030.5 sends {kilo} k{unit} as a 16-bit number times a power of ten, which cannot hold it "
        "exactly; round it to fewer significant digits."
    )


def form_inputs(control: Control, value: Value, *, name: str) -> dict[str, object]:
    """The portal form's inputs showing ``value``: the way back of the form's own translation, keyed like
    ``derms.portal.forms.control_fields`` names them."""
    kind = control.kind
    if kind is Kind.BOOLEAN:
        return {name: "on" if value else "off"}
    if hundredths_unit(control):
        return {name: Decimal(value).scaleb(-2)}
    if kind is Kind.CURVE or kind.is_simple:
        return {name: value}
    if kind is Kind.POWER_FACTOR:
        factor = Decimal(value["displacement"]).scaleb(value["multiplier"])
        return {
            f"{name}__factor": factor,
            f"{name}__excitation": "absorbing" if value["excitation"] else "injecting",
        }
    if kind is Kind.FIXED_VAR:
        return {f"{name}__value": Decimal(value["value"]) / 100, f"{name}__refType": str(value["refType"])}
    if kind is Kind.POWER:
        return {name: Decimal(value["value"]).scaleb(value["multiplier"]) / 1000}
    return {f"{name}__{part.element}": value[part.element] for part in kind.parts}


#: What a curve's axes measure, by DERCurveType (CSIP 5.2.4.3, 2030.5 DERCurve): the x and y quantities
#: and their units, before the curve's power-of-ten multipliers.
CURVE_AXES = {
    CurveType.FREQ_WATT: ("Frequency", "Hz", "Active power", "% of yRefType"),
    CurveType.HFRT_MAY_TRIP: ("Time", "s", "Frequency", "Hz"),
    CurveType.HFRT_MUST_TRIP: ("Time", "s", "Frequency", "Hz"),
    CurveType.HVRT_MAY_TRIP: ("Time", "s", "Voltage", "% of nominal"),
    CurveType.HVRT_MOMENTARY_CESSATION: ("Time", "s", "Voltage", "% of nominal"),
    CurveType.HVRT_MUST_TRIP: ("Time", "s", "Voltage", "% of nominal"),
    CurveType.LFRT_MAY_TRIP: ("Time", "s", "Frequency", "Hz"),
    CurveType.LFRT_MUST_TRIP: ("Time", "s", "Frequency", "Hz"),
    CurveType.LVRT_MAY_TRIP: ("Time", "s", "Voltage", "% of nominal"),
    CurveType.LVRT_MOMENTARY_CESSATION: ("Time", "s", "Voltage", "% of nominal"),
    CurveType.LVRT_MUST_TRIP: ("Time", "s", "Voltage", "% of nominal"),
    CurveType.VOLT_VAR: ("Voltage", "% of nominal", "Reactive power", "% of yRefType"),
    CurveType.VOLT_WATT: ("Voltage", "% of nominal", "Active power", "% of yRefType"),
    CurveType.WATT_PF: ("Active power", "% of setMaxW", "Power factor", "PF"),
    CurveType.WATT_VAR: ("Active power", "% of setMaxW", "Reactive power", "% of yRefType"),
}
