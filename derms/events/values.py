"""Control values as plain data: read from, written to and checked against the DERControlBase columns.

A control's value is keyed by its schema element name (``opModMaxLimW``) and is, by its Kind:
a bool or an int for single-scalar controls, a dict of part element -> value for composite ones
(``{"displacement": 95, "excitation": False, "multiplier": -2}``), and the DERCurve mRID for curve
controls. The portal, the JSON API, the tests and the resolver all use this one shape.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError

from derms.der_controls import CONTROLS, CONTROLS_BY_ELEMENT, DEFAULT_ONLY_SETTINGS, Control, Kind, Part
from derms.models import DERCurve, DERProgram

Value = bool | int | dict[str, bool | int] | str


def control_values(
    obj: Any, *, controls: Iterable[Control] = CONTROLS, curve_mrids: Mapping[int, str] | None = None
) -> dict[str, Value]:
    """The controls ``obj`` sets, in schema order; ``curve_mrids`` (id -> mRID) saves a query per curve."""
    values: dict[str, Value] = {}
    for control in controls:
        raw = _raw(obj, control)
        if all(v is None for v in raw):
            continue
        if control.kind is Kind.CURVE:
            curve_id = raw[0]
            values[control.element] = (
                curve_mrids[curve_id] if curve_mrids is not None else getattr(obj, control.field).mrid
            )
        elif control.kind.is_simple:
            values[control.element] = raw[0]
        else:
            values[control.element] = {
                part.element: v for part, v in zip(control.kind.parts, raw, strict=True)
            }
    return values


def write_control_values(obj: Any, *, values: Mapping[str, Any], controls: Iterable[Control]) -> None:
    """Set ``obj``'s columns from cleaned values; controls absent from ``values`` are cleared."""
    for control in controls:
        value = values.get(control.element)
        if control.kind is Kind.CURVE:
            setattr(obj, control.field, value)
            continue
        names = control.field_names()
        if value is None:
            for name in names:
                setattr(obj, name, None)
        elif control.kind.is_simple:
            setattr(obj, names[0], value)
        else:
            for part, name in zip(control.kind.parts, names, strict=True):
                setattr(obj, name, value[part.element])


def clean_control_values(
    values: Mapping[str, Any], *, program: DERProgram, for_event: bool
) -> dict[str, bool | int | dict | DERCurve]:
    """Check values against CSIP Table 9 and the schema's ranges; curve mRIDs become DERCurves.

    Raise ValidationError keyed by element name. ``for_event`` refuses the default-only settings
    (ramp rates and enter-service parameters), which CSIP 5.2.4 allows only in DefaultDERControl.
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    curve_elements = {}
    for element, value in values.items():
        control = CONTROLS_BY_ELEMENT.get(element)
        if control is None:
            errors[element] = [f"{element} is not a DER control."]
        elif for_event and not control.schedulable:
            errors[element] = [
                f"{element} can only be set in the program's DefaultDERControl, never in an event "
                "(CSIP 5.2.4, 6.1.8.2)."
            ]
        elif control.kind is Kind.CURVE:
            if not isinstance(value, str | DERCurve):
                errors[element] = [f"{element} takes the mRID of a DERCurve."]
            else:
                curve_elements[element] = value
        else:
            try:
                cleaned[element] = _clean_scalar_or_parts(control, value)
            except ValidationError as exc:
                errors[element] = exc.messages
    for element, error in _clean_curves(curve_elements, program=program, cleaned=cleaned).items():
        errors[element] = [error]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_curves(
    refs: Mapping[str, str | DERCurve], *, program: DERProgram, cleaned: dict
) -> dict[str, str]:
    """Resolve curve references in one query; a curve must be in ``program`` and of the control's type."""
    mrids = {ref if isinstance(ref, str) else ref.mrid for ref in refs.values()}
    curves = {c.mrid: c for c in DERCurve.objects.filter(mrid__in=mrids)} if mrids else {}
    errors = {}
    for element, ref in refs.items():
        control = CONTROLS_BY_ELEMENT[element]
        curve = curves.get(ref if isinstance(ref, str) else ref.mrid)
        if curve is None:
            errors[element] = f"No DERCurve with mRID {ref}."
        elif curve.program_id != program.pk:
            errors[element] = f"{element} must point to a curve of this program's DERCurveList."
        elif curve.curve_type != control.curve_type:
            errors[element] = (
                f"{element} needs a curve of curveType {control.curve_type}, "
                f"not {curve.curve_type} ({curve.get_curve_type_display()})."
            )
        else:
            cleaned[element] = curve
    return errors


def _clean_scalar_or_parts(control: Control, value: Any) -> bool | int | dict[str, bool | int]:
    if control.kind.is_simple:
        return _clean_part(control.element, control.kind.parts[0], value)
    if not isinstance(value, Mapping):
        names = ", ".join(p.element for p in control.kind.parts)
        raise ValidationError(f"{control.element} takes an object with {names}.")
    expected = {p.element for p in control.kind.parts}
    if unknown := sorted(set(value) - expected):
        raise ValidationError(f"{control.element} has no part {', '.join(unknown)}.")
    if missing := [p.element for p in control.kind.parts if value.get(p.element) is None]:
        raise ValidationError(f"{control.element} needs {', '.join(missing)}.")
    return {
        p.element: _clean_part(f"{control.element}.{p.element}", p, value[p.element])
        for p in control.kind.parts
    }


def _clean_part(name: str, part: Part, value: Any) -> bool | int:
    if part.boolean:
        if not isinstance(value, bool):
            raise ValidationError(f"{name} must be true or false.")
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be a whole number.")
    if not part.minimum <= value <= part.maximum:
        raise ValidationError(f"{name} must be between {part.minimum} and {part.maximum}, not {value}.")
    return value


def controls_set(obj: Any, *, controls: Iterable[Control] = CONTROLS) -> frozenset[str]:
    """The elements ``obj`` sets, read from its columns without loading any curve."""
    return frozenset(c.element for c in controls if any(v is not None for v in _raw(obj, c)))


def _raw(obj: Any, control: Control) -> list:
    """The column values of one control; a curve's is its id, so no curve is loaded."""
    return [getattr(obj, name) for name in _COLUMNS[control.element]]


_COLUMNS = {
    c.element: [f"{c.field}_id"] if c.kind is Kind.CURVE else c.field_names()
    for c in CONTROLS + DEFAULT_ONLY_SETTINGS
}
