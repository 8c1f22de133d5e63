"""The DER controls of 2030.5's DERControlBase and DefaultDERControl (CSIP Table 9), described once.

Models, XML rendering and parsing, validation, the resolver and the portal's forms all read this table,
so a control is added or changed in one place. Controls are listed in the schema's sequence order.
Values keep the schema's representation: hundredths of a percent, value plus power-of-ten multiplier,
power factor with excitation.
"""

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Part:
    """One scalar inside a control's value: its schema element, model field suffix and range."""

    element: str
    suffix: str
    minimum: int | None = None
    maximum: int | None = None
    boolean: bool = False


UINT16_RANGE = (0, 65535)
INT16_RANGE = (-32768, 32767)
UINT32_RANGE = (0, 4294967295)
PERCENT_RANGE = (0, 10000)
SIGNED_PERCENT_RANGE = (-10000, 10000)
POWER_OF_TEN_RANGE = (-9, 9)
UNIT_REF_TYPE_RANGE = (0, 7)
# The ranges are named *_RANGE so that Kind's members of the same names do not shadow them in its body.


class Kind(Enum):
    """The schema type of a control's value, with the parts it is made of, in schema order."""

    BOOLEAN = (Part("", "", boolean=True),)
    PERCENT = (Part("", "", *PERCENT_RANGE),)
    SIGNED_PERCENT = (Part("", "", *SIGNED_PERCENT_RANGE),)
    UINT16 = (Part("", "", *UINT16_RANGE),)
    INT16 = (Part("", "", *INT16_RANGE),)
    UINT32 = (Part("", "", *UINT32_RANGE),)
    POWER_FACTOR = (
        Part("displacement", "displacement", *UINT16_RANGE),
        Part("excitation", "excitation", boolean=True),
        Part("multiplier", "multiplier", *POWER_OF_TEN_RANGE),
    )
    FIXED_VAR = (
        Part("refType", "ref_type", *UNIT_REF_TYPE_RANGE),
        Part("value", "value", *SIGNED_PERCENT_RANGE),
    )
    POWER = (Part("multiplier", "multiplier", *POWER_OF_TEN_RANGE), Part("value", "value", *INT16_RANGE))
    FREQ_DROOP = (
        Part("dBOF", "dbof", *UINT32_RANGE),
        Part("dBUF", "dbuf", *UINT32_RANGE),
        Part("kOF", "kof", *UINT16_RANGE),
        Part("kUF", "kuf", *UINT16_RANGE),
        Part("openLoopTms", "open_loop_tms", *UINT16_RANGE),
    )
    CURVE = ()

    @property
    def parts(self) -> tuple[Part, ...]:
        return self.value

    @property
    def is_simple(self) -> bool:
        """A single scalar written directly as the element's text."""
        return len(self.value) == 1 and self.value[0].element == ""


class CurveType:
    """DERCurveType (the schema's enumeration), one per curve-based control."""

    FREQ_WATT = 0
    HFRT_MAY_TRIP = 1
    HFRT_MUST_TRIP = 2
    HVRT_MAY_TRIP = 3
    HVRT_MOMENTARY_CESSATION = 4
    HVRT_MUST_TRIP = 5
    LFRT_MAY_TRIP = 6
    LFRT_MUST_TRIP = 7
    LVRT_MAY_TRIP = 8
    LVRT_MOMENTARY_CESSATION = 9
    LVRT_MUST_TRIP = 10
    VOLT_VAR = 11
    VOLT_WATT = 12
    WATT_PF = 13
    WATT_VAR = 14


@dataclass(frozen=True)
class Control:
    element: str
    field: str
    kind: Kind
    label: str
    curve_type: int | None = None
    #: False for the settings that exist only in DefaultDERControl (CSIP 6.1.8.2): ramp rates and the
    #: enter-service parameters can never be scheduled as events.
    schedulable: bool = True

    def field_names(self) -> list[str]:
        """The model attribute names that hold this control's value."""
        if self.kind is Kind.CURVE:
            return [self.field]
        return [f"{self.field}_{p.suffix}" if p.suffix else self.field for p in self.kind.parts]


def _curve(element: str, field: str, label: str, curve_type: int) -> Control:
    return Control(element, field, Kind.CURVE, label, curve_type=curve_type)


#: DERControlBase, in the schema's sequence order.
CONTROLS: tuple[Control, ...] = (
    Control("opModConnect", "op_mod_connect", Kind.BOOLEAN, "Connect"),
    Control("opModEnergize", "op_mod_energize", Kind.BOOLEAN, "Energize"),
    Control("opModFixedPFAbsorbW", "op_mod_fixed_pf_absorb_w", Kind.POWER_FACTOR, "Fixed PF (absorbing W)"),
    Control("opModFixedPFInjectW", "op_mod_fixed_pf_inject_w", Kind.POWER_FACTOR, "Fixed PF (injecting W)"),
    Control("opModFixedVar", "op_mod_fixed_var", Kind.FIXED_VAR, "Fixed var"),
    Control("opModFixedW", "op_mod_fixed_w", Kind.SIGNED_PERCENT, "Fixed W (% of setMaxW)"),
    Control("opModFreqDroop", "op_mod_freq_droop", Kind.FREQ_DROOP, "Frequency droop"),
    _curve("opModFreqWatt", "op_mod_freq_watt", "Frequency-watt", CurveType.FREQ_WATT),
    _curve("opModHFRTMayTrip", "op_mod_hfrt_may_trip", "HFRT may trip", CurveType.HFRT_MAY_TRIP),
    _curve("opModHFRTMustTrip", "op_mod_hfrt_must_trip", "HFRT must trip", CurveType.HFRT_MUST_TRIP),
    _curve("opModHVRTMayTrip", "op_mod_hvrt_may_trip", "HVRT may trip", CurveType.HVRT_MAY_TRIP),
    _curve(
        "opModHVRTMomentaryCessation",
        "op_mod_hvrt_momentary_cessation",
        "HVRT momentary cessation",
        CurveType.HVRT_MOMENTARY_CESSATION,
    ),
    _curve("opModHVRTMustTrip", "op_mod_hvrt_must_trip", "HVRT must trip", CurveType.HVRT_MUST_TRIP),
    _curve("opModLFRTMayTrip", "op_mod_lfrt_may_trip", "LFRT may trip", CurveType.LFRT_MAY_TRIP),
    _curve("opModLFRTMustTrip", "op_mod_lfrt_must_trip", "LFRT must trip", CurveType.LFRT_MUST_TRIP),
    _curve("opModLVRTMayTrip", "op_mod_lvrt_may_trip", "LVRT may trip", CurveType.LVRT_MAY_TRIP),
    _curve(
        "opModLVRTMomentaryCessation",
        "op_mod_lvrt_momentary_cessation",
        "LVRT momentary cessation",
        CurveType.LVRT_MOMENTARY_CESSATION,
    ),
    _curve("opModLVRTMustTrip", "op_mod_lvrt_must_trip", "LVRT must trip", CurveType.LVRT_MUST_TRIP),
    Control("opModMaxLimW", "op_mod_max_lim_w", Kind.PERCENT, "Max W limit (% of setMaxW)"),
    Control("opModTargetVar", "op_mod_target_var", Kind.POWER, "Target var"),
    Control("opModTargetW", "op_mod_target_w", Kind.POWER, "Target W"),
    _curve("opModVoltVar", "op_mod_volt_var", "Volt-var", CurveType.VOLT_VAR),
    _curve("opModVoltWatt", "op_mod_volt_watt", "Volt-watt", CurveType.VOLT_WATT),
    _curve("opModWattPF", "op_mod_watt_pf", "Watt-PF", CurveType.WATT_PF),
    _curve("opModWattVar", "op_mod_watt_var", "Watt-var", CurveType.WATT_VAR),
    Control("rampTms", "ramp_tms", Kind.UINT16, "Ramp time (1/100 s)"),
)

#: DefaultDERControl's own elements after its DERControlBase, in the schema's sequence order.
DEFAULT_ONLY_SETTINGS: tuple[Control, ...] = (
    Control("setESDelay", "set_es_delay", Kind.UINT32, "Enter service delay (1/100 s)", schedulable=False),
    Control(
        "setESHighFreq",
        "set_es_high_freq",
        Kind.UINT16,
        "Enter service high freq (1/100 Hz)",
        schedulable=False,
    ),
    Control(
        "setESHighVolt",
        "set_es_high_volt",
        Kind.INT16,
        "Enter service high volt (1/100 %)",
        schedulable=False,
    ),
    Control(
        "setESLowFreq", "set_es_low_freq", Kind.UINT16, "Enter service low freq (1/100 Hz)", schedulable=False
    ),
    Control(
        "setESLowVolt", "set_es_low_volt", Kind.INT16, "Enter service low volt (1/100 %)", schedulable=False
    ),
    Control(
        "setESRampTms", "set_es_ramp_tms", Kind.UINT32, "Enter service ramp (1/100 s)", schedulable=False
    ),
    Control(
        "setESRandomDelay",
        "set_es_random_delay",
        Kind.UINT32,
        "Enter service random delay (1/100 s)",
        schedulable=False,
    ),
    Control("setGradW", "set_grad_w", Kind.UINT16, "Ramp rate (1/100 % of setMaxW per s)", schedulable=False),
    Control(
        "setSoftGradW",
        "set_soft_grad_w",
        Kind.UINT16,
        "Soft-start ramp rate (1/100 % per s)",
        schedulable=False,
    ),
)

CONTROLS_BY_ELEMENT = {c.element: c for c in CONTROLS + DEFAULT_ONLY_SETTINGS}
CURVE_CONTROLS = tuple(c for c in CONTROLS if c.kind is Kind.CURVE)
