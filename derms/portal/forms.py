"""The portal's forms: the timeline window, and DERControl events and DefaultDERControls built from the
control registry.

The control forms check what a form can (required inputs, units, ranges the registry gives) and turns a
dispatcher's units into schema values; derms.events.services.create_control stays the judge of what may
be scheduled, and its errors are shown on the fields they concern.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from derms import control_units
from derms.der_controls import CONTROLS, DEFAULT_ONLY_SETTINGS, Control, Kind, Part
from derms.events.services import DESCRIPTION_MAX, NOW, ONE_HOUR, UINT32_MAX
from derms.events.values import Value, control_values
from derms.models import DERCurve, DERProgram
from derms.models.programs import MAX_CURVE_POINTS
from derms.selectors.timelines import MAX_TIMELINE_WINDOW, curve_name

LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
DEFAULT_WINDOW = dt.timedelta(hours=24)
DEFAULT_CONTROLS = CONTROLS + DEFAULT_ONLY_SETTINGS


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker; the value is read in the utility's time zone."""

    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format=LOCAL_INPUT_FORMAT)


def local_datetime_field(**kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT_FORMAT], **kwargs)


class WindowBoundField(forms.DateTimeField):
    """A bound of a window to look at, in the utility's wall-clock time. A time the clocks pass twice
    (the hour they fall back) is its first instant, and one they skip is read with the offset before
    the change: looking needs no refusal there, and the page offers such a time itself on that night.
    An event's start stays strict (:func:`local_datetime_field`)."""

    widget = LocalDateTimeInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            wall_clock = dt.datetime.strptime(str(value).strip(), LOCAL_INPUT_FORMAT)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return wall_clock.replace(tzinfo=timezone.get_current_timezone()).astimezone(dt.UTC)


class TimelineWindowForm(forms.Form):
    start = WindowBoundField(label="From")
    end = WindowBoundField(label="To")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "The window must end after it starts.")
        elif start and end and end - start > MAX_TIMELINE_WINDOW:
            self.add_error("end", f"Show at most {MAX_TIMELINE_WINDOW.days} days at once.")
        return data

    @classmethod
    def from_query(cls, query, *, now: dt.datetime) -> "TimelineWindowForm":
        """Bound to the query string, or unbound, showing now .. +24 h, when it names no window.

        The default is kept as instants, not re-read from local wall-clock text: around a DST change
        that text can be ambiguous or name no instant at all, and 24 h later is not 24 wall-clock hours.
        """
        if "start" in query or "end" in query:
            return cls(query)
        start = now.replace(second=0, microsecond=0)
        return cls(initial={"start": start, "end": start + DEFAULT_WINDOW})

    @property
    def instants(self) -> dict[str, dt.datetime] | None:
        """The ``start`` and ``end`` to show, or None when the query's are invalid."""
        if not self.is_bound:
            return {"start": self.initial["start"], "end": self.initial["end"]}
        return self.cleaned_data if self.is_valid() else None


BOOLEAN_CHOICES = [("", "not set"), ("on", "on"), ("off", "off")]
EXCITATION_CHOICES = [
    ("", "—"),
    ("injecting", "injecting var (over-excited)"),
    ("absorbing", "absorbing var (under-excited)"),
]
RESPONSE_BITS = [(1, "Message received"), (2, "Specific response"), (4, "Response required")]


def _hundredths_field(part: Part, unit: str, label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        decimal_places=2,
        min_value=Decimal(part.minimum) / 100,
        max_value=Decimal(part.maximum) / 100,
        help_text=unit,
    )


def _kilo_field(control: Control) -> forms.DecimalField:
    unit = control_units.power_unit(control)
    return forms.DecimalField(label=control.label, required=False, decimal_places=3, help_text=f"k{unit}")


def control_fields(control: Control, *, curves: list[DERCurve]) -> dict[str, forms.Field]:
    """The inputs of one control, named ``<element>`` or ``<element>__<part>``, in the registry's units."""
    name, kind, label = control.element, control.kind, control_units.plain_label(control)
    if kind is Kind.CURVE:
        choices = [(c.mrid, curve_name(c)) for c in curves if c.curve_type == control.curve_type]
        return {name: forms.ChoiceField(label=label, required=False, choices=[("", "not set"), *choices])}
    if kind is Kind.BOOLEAN:
        return {name: forms.ChoiceField(label=label, required=False, choices=BOOLEAN_CHOICES)}
    if unit := control_units.hundredths_unit(control):
        return {name: _hundredths_field(kind.parts[0], unit, label)}
    if kind.is_simple:
        part = kind.parts[0]
        return {
            name: forms.IntegerField(
                label=label, required=False, min_value=part.minimum, max_value=part.maximum
            )
        }
    if kind is Kind.POWER_FACTOR:
        return {
            f"{name}__factor": forms.DecimalField(
                label=label, required=False, decimal_places=3, min_value=0, max_value=1, help_text="PF"
            ),
            f"{name}__excitation": forms.ChoiceField(
                label=f"{label} excitation", required=False, choices=EXCITATION_CHOICES
            ),
        }
    if kind is Kind.FIXED_VAR:
        _, value = kind.parts
        references = [(str(n), f"% of {text}") for n, text in control_units.UNIT_REF_TYPES.items()]
        return {
            f"{name}__value": _hundredths_field(value, "%", label),
            f"{name}__refType": forms.ChoiceField(
                label=f"{label} reference", required=False, choices=[("", "—"), *references]
            ),
        }
    if kind is Kind.POWER:
        return {name: _kilo_field(control)}
    return {
        f"{name}__{part.element}": forms.IntegerField(
            label=f"{label} {part.element}",
            required=False,
            min_value=part.minimum,
            max_value=part.maximum,
            help_text=part.element,
        )
        for part in kind.parts
    }


def control_value(control: Control, given: dict) -> Value | None:
    """The schema value from a control's cleaned inputs; None when all are empty.

    Raise ValidationError when only some parts of a composite control are given.
    """
    if all(v in (None, "") for v in given.values()):
        return None
    if missing := [name.split("__")[-1] for name, v in given.items() if v in (None, "")]:
        raise ValidationError(f"Give {', '.join(missing)} too, or leave the whole control empty.")
    name, kind = control.element, control.kind
    if kind is Kind.CURVE:
        return given[name]
    if kind is Kind.BOOLEAN:
        return given[name] == "on"
    if control_units.hundredths_unit(control):
        return control_units.from_hundredths_unit(given[name])
    if kind.is_simple:
        return given[name]
    if kind is Kind.POWER_FACTOR:
        return control_units.power_factor(
            given[f"{name}__factor"], absorbing=given[f"{name}__excitation"] == "absorbing"
        )
    if kind is Kind.FIXED_VAR:
        return {
            "refType": int(given[f"{name}__refType"]),
            "value": control_units.from_hundredths_unit(given[f"{name}__value"]),
        }
    if kind is Kind.POWER:
        return control_units.power(given[name], control_units.power_unit(control))
    return {part.element: given[f"{name}__{part.element}"] for part in kind.parts}


class DefaultControlForm(forms.Form):
    """A program's DefaultDERControl: every control and default-only setting of CSIP Table 9, in the units
    a dispatcher reads, starting from what the program sends now. Controls left empty are unset."""

    def __init__(self, *args, program: DERProgram, **kwargs):
        curves = list(program.curves.order_by("curve_type", "id"))
        mrids = {curve.pk: curve.mrid for curve in curves}
        current = control_values(program.default_control, controls=DEFAULT_CONTROLS, curve_mrids=mrids)
        initial = {}
        for control in DEFAULT_CONTROLS:
            if control.element in current:
                initial |= control_units.form_inputs(control, current[control.element], name=control.element)
        super().__init__(*args, initial=initial, **kwargs)
        self.program = program
        self.controls: list[tuple[Control, list[str]]] = []
        for control in DEFAULT_CONTROLS:
            fields = control_fields(control, curves=curves)
            self.fields.update(fields)
            self.controls.append((control, list(fields)))

    def control_rows(self) -> list["ControlRow"]:
        return [
            ControlRow(control_units.plain_label(control), [self[name] for name in names])
            for control, names in self.controls
        ]

    def clean(self):
        data = super().clean()
        data["values"] = _values(self, data)
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        first_input = {control.element: names[0] for control, names in self.controls}
        for key, messages in error.message_dict.items():
            self.add_error(first_input.get(key), messages)


class CurveForm(forms.Form):
    """A DERCurve: its type (fixed once made), scaling, and up to ten points in a table.

    Points are the schema's integers; the page shows them scaled by the multipliers, on the curve type's
    own axes. Rows left empty are not points; a half-filled row or an x not above the row before is an
    error beside that row.
    """

    curve_type = forms.TypedChoiceField(
        label="Curve type", coerce=int, choices=DERCurve._meta.get_field("curve_type").choices
    )
    description = forms.CharField(max_length=DESCRIPTION_MAX, required=False)
    y_ref_type = forms.TypedChoiceField(
        label="y is a percentage of",
        coerce=int,
        choices=list(control_units.UNIT_REF_TYPES.items()),
        initial=1,
    )
    x_multiplier = forms.IntegerField(label="x scale (10^)", min_value=-9, max_value=9, initial=0)
    y_multiplier = forms.IntegerField(label="y scale (10^)", min_value=-9, max_value=9, initial=0)

    def __init__(self, *args, curve: DERCurve | None = None, **kwargs):
        initial = kwargs.pop("initial", {})
        if curve is not None:
            initial |= {name: getattr(curve, name) for name in ("curve_type", "description", "y_ref_type")}
            initial |= {"x_multiplier": curve.x_multiplier, "y_multiplier": curve.y_multiplier}
            for i, point in enumerate(curve.points.order_by("position")):
                initial |= {
                    f"x_{i}": point.x,
                    f"y_{i}": point.y,
                    f"excitation_{i}": _excitation(point.excitation),
                }
        super().__init__(*args, initial=initial, **kwargs)
        if curve is not None:
            self.fields["curve_type"].disabled = True  # events point to it by type
        for i in range(MAX_CURVE_POINTS):
            self.fields[f"x_{i}"] = forms.IntegerField(label=f"x {i + 1}", required=False)
            self.fields[f"y_{i}"] = forms.IntegerField(label=f"y {i + 1}", required=False)
            self.fields[f"excitation_{i}"] = forms.ChoiceField(
                label=f"excitation {i + 1}", required=False, choices=EXCITATION_CHOICES
            )

    def curve_fields(self) -> list[forms.BoundField]:
        return [
            self[name] for name in ("curve_type", "description", "y_ref_type", "x_multiplier", "y_multiplier")
        ]

    def point_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"{name}_{i}"] for name in ("x", "y", "excitation")] for i in range(MAX_CURVE_POINTS)]

    def clean(self):
        data = super().clean()
        points, previous = [], None
        for i in range(MAX_CURVE_POINTS):
            x, y = data.get(f"x_{i}"), data.get(f"y_{i}")
            if x is None and y is None:
                continue
            if x is None or y is None:
                self.add_error(f"x_{i}" if x is None else f"y_{i}", "Give both x and y, or neither.")
                continue
            if previous is not None and x <= previous:
                self.add_error(f"x_{i}", "x must be greater than the point before.")
            previous = x
            excitation = data.get(f"excitation_{i}")
            points.append((x, y, None if not excitation else excitation == "absorbing"))
        if not points and not self.errors:
            self.add_error(None, "Give at least one point.")
        data["points"] = points
        return data

    def curve_arguments(self) -> dict:
        data = self.cleaned_data
        fields = ("points", "y_ref_type", "x_multiplier", "y_multiplier", "description")
        return {name: data[name] for name in fields}

    def add_service_errors(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)


def _excitation(absorbing: bool | None) -> str:
    return "" if absorbing is None else ("absorbing" if absorbing else "injecting")


def _values(form, data: dict) -> dict:
    """The schema values of a control form's filled-in controls; errors go on each control's first input."""
    values = {}
    for control, names in form.controls:
        if any(name in form.errors for name in names):
            continue
        try:
            value = control_value(control, {name: data.get(name) for name in names})
        except ValidationError as exc:
            form.add_error(names[0], exc)
            continue
        if value is not None:
            values[control.element] = value
    return values


@dataclass(frozen=True)
class ControlRow:
    label: str
    fields: list[forms.BoundField]

    @property
    def has_errors(self) -> bool:
        return any(field.errors for field in self.fields)


class EventForm(forms.Form):
    """A DERControl event for a fixed program, with every schedulable control of the registry."""

    start_mode = forms.ChoiceField(
        label="Start", choices=[(NOW, "Now"), ("at", "At")], initial="at", widget=forms.RadioSelect
    )
    start_at = local_datetime_field(label="Start at", required=False)
    duration_minutes = forms.IntegerField(
        label="Duration", min_value=1, max_value=UINT32_MAX // 60, initial=60
    )
    randomize_start = forms.IntegerField(
        label="Randomize start", required=False, min_value=-ONE_HOUR, max_value=ONE_HOUR, help_text="s"
    )
    randomize_duration = forms.IntegerField(
        label="Randomize duration", required=False, min_value=-ONE_HOUR, max_value=ONE_HOUR, help_text="s"
    )
    response_required = forms.TypedMultipleChoiceField(
        label="Responses",
        choices=RESPONSE_BITS,
        coerce=int,
        required=False,
        initial=[1, 2],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(max_length=DESCRIPTION_MAX, required=False)

    #: create_control's error keys that are not named like a field of this form.
    _SERVICE_KEYS = {"start": "start_at", "duration": "duration_minutes", "values": None}

    def __init__(self, *args, program: DERProgram, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        curves = list(program.curves.order_by("curve_type", "id"))
        #: (control, its field names), the schedulable controls in the registry's order; curve modes
        #: only where the program has a curve of their type to point to.
        self.controls: list[tuple[Control, list[str]]] = []
        for control in CONTROLS:
            if not control.schedulable or (
                control.kind is Kind.CURVE and all(c.curve_type != control.curve_type for c in curves)
            ):
                continue
            fields = control_fields(control, curves=curves)
            self.fields.update(fields)
            self.controls.append((control, list(fields)))

    def control_rows(self, *, curves: bool) -> list["ControlRow"]:
        """The controls with their bound inputs, for the template: curve modes or the others."""
        return [
            ControlRow(control_units.plain_label(control), [self[name] for name in names])
            for control, names in self.controls
            if (control.kind is Kind.CURVE) == curves
        ]

    def clean(self):
        data = super().clean()
        if data.get("start_mode") == "at" and not data.get("start_at") and "start_at" not in self.errors:
            self.add_error("start_at", 'Give the start, or choose "Now".')
        values = _values(self, data)
        if not values and not self.errors:
            self.add_error(None, "Set at least one control.")
        data["values"] = values
        return data

    def event_arguments(self) -> dict:
        """create_control's arguments (actor aside) from the cleaned form."""
        data = self.cleaned_data
        return {
            "program": self.program,
            "start": NOW if data["start_mode"] == NOW else data["start_at"],
            "duration": data["duration_minutes"] * 60,
            "values": data["values"],
            "randomize_start": data["randomize_start"],
            "randomize_duration": data["randomize_duration"],
            "response_required": sum(set(data["response_required"])),
            "description": data["description"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show create_control's errors on the inputs they concern."""
        first_input = {control.element: names[0] for control, names in self.controls}
        for key, messages in error.message_dict.items():
            field = self._SERVICE_KEYS.get(key, first_input.get(key, key if key in self.fields else None))
            self.add_error(field, messages)
