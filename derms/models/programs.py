"""DERPrograms and what they hold: default controls, control events and curves (CSIP 5.2.3, 5.2.4)."""

import datetime as dt
import itertools
import re
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from derms.der_controls import CONTROLS, DEFAULT_ONLY_SETTINGS, Control, Kind

MAX_CURVE_POINTS = 10


def new_mrid() -> str:
    """A fresh mRID (HexBinary128), stable for the life of the object it names."""
    return uuid.uuid4().hex.upper()


#: HexBinary128 (sep.xsd mRIDType): xs:hexBinary of at most 16 octets, so 2 to 32 hex digits in pairs.
_HEX_BINARY_128 = re.compile(r"^(?:[0-9A-Fa-f]{2}){1,16}$")


def validate_mrid(value: str) -> None:
    """Refuse what sep.xsd's mRIDType refuses, so no document the server emits fails validation."""
    if not isinstance(value, str) or not _HEX_BINARY_128.match(value):
        raise ValidationError(
            "An mRID is 2 to 32 hexadecimal digits, an even number of them (2030.5 HexBinary128).",
            code="invalid_mrid",
        )


class MRIDField(models.CharField):
    default_validators = [validate_mrid]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("default", new_mrid)
        kwargs.setdefault("verbose_name", "mRID")
        super().__init__(*args, **kwargs)


class IdentifiedObject(models.Model):
    """mRID, description and version, which every 2030.5 IdentifiedObject carries."""

    mrid = MRIDField()
    description = models.CharField(max_length=32, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DERProgram(IdentifiedObject):
    """The program through which a group receives its controls; at most one per group (CSIP 5.2.3)."""

    group = models.OneToOneField("groups.Group", on_delete=models.PROTECT, related_name="der_program")
    #: Lower primacy wins when controls conflict (CSIP 5.2.4.2).
    primacy = models.PositiveSmallIntegerField()
    #: Seconds between polls of the DERProgramLists holding it (the fastest of a list's programs wins);
    #: empty: CSIP_POLL_RATE. Set through derms.services.rates.
    poll_rate = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "DER program"
        ordering = ["primacy", "id"]
        indexes = [models.Index(fields=["primacy", "id"])]
        constraints = [models.CheckConstraint(condition=models.Q(primacy__lte=255), name="primacy_uint8")]

    def __str__(self):
        return f"{self.description or self.mrid} (primacy {self.primacy})"


def _control_model_fields(controls: tuple[Control, ...]) -> dict[str, models.Field]:
    """Nullable model fields for each control's parts: an unset control is absent from the XML."""
    fields: dict[str, models.Field] = {}
    for control in controls:
        if control.kind is Kind.CURVE:
            fields[control.field] = models.ForeignKey(
                "derms.DERCurve",
                null=True,
                blank=True,
                on_delete=models.PROTECT,
                related_name="+",
                verbose_name=control.label,
            )
            continue
        for part, name in zip(control.kind.parts, control.field_names(), strict=True):
            verbose = f"{control.label} {part.element}".strip()
            if part.boolean:
                fields[name] = models.BooleanField(null=True, blank=True, verbose_name=verbose)
            elif part.maximum > 2**31 - 1:
                # UInt32 parts do not fit PostgreSQL's integer.
                fields[name] = models.BigIntegerField(null=True, blank=True, verbose_name=verbose)
            else:
                # UInt32 parts (setESDelay, dBOF, ...) overflow a 32-bit signed column on PostgreSQL.
                wide = part.maximum is not None and part.maximum > 2**31 - 1
                column = models.BigIntegerField if wide else models.IntegerField
                fields[name] = column(null=True, blank=True, verbose_name=verbose)
    return fields


class _ControlBaseMeta:
    abstract = True


#: Abstract model with one nullable column per DERControlBase part, generated from der_controls.CONTROLS.
DERControlBase = type(
    "DERControlBase",
    (models.Model,),
    {"__module__": __name__, "Meta": _ControlBaseMeta, **_control_model_fields(CONTROLS)},
)


class DefaultDERControl(IdentifiedObject, DERControlBase):
    """What a DER does when no event is active, including the default-only settings (CSIP 6.1.8.2)."""

    program = models.OneToOneField(DERProgram, on_delete=models.CASCADE, related_name="default_control")
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "default DER control"

    def __str__(self):
        return f"Defaults of {self.program}"


for _name, _field in _control_model_fields(DEFAULT_ONLY_SETTINGS).items():
    DefaultDERControl.add_to_class(_name, _field)


class EventStatus(models.IntegerChoices):
    """EventStatus currentStatus (2030.5)."""

    SCHEDULED = 0, "Scheduled"
    ACTIVE = 1, "Active"
    CANCELLED = 2, "Cancelled"
    CANCELLED_WITH_RANDOMIZATION = 3, "Cancelled with randomization"
    SUPERSEDED = 4, "Superseded"


class DERControl(IdentifiedObject, DERControlBase):
    """A scheduled DER control event (CSIP 6.1.8).

    ``status`` holds what the server decided (scheduled, cancelled, superseded); whether a scheduled
    event is Scheduled or Active at a given moment follows from the clock when it is read.
    """

    program = models.ForeignKey(DERProgram, on_delete=models.PROTECT, related_name="controls")
    creation_time = models.DateTimeField(default=timezone.now)
    start = models.DateTimeField()
    duration = models.PositiveBigIntegerField(help_text="Seconds (UInt32).")
    #: start + duration, kept so "events overlapping a window" is one indexed query on every database.
    end = models.DateTimeField(editable=False)
    #: The effective scheduled period with the widest randomization a client may draw (2030.5 event
    #: rules): when the event may first be Active, and when it stops affecting any client. Stored so the
    #: DERControlList and ActiveDERControlList are indexed queries, exact to the second.
    effective_start = models.DateTimeField(editable=False)
    effective_end = models.DateTimeField(editable=False)
    randomize_start = models.SmallIntegerField(null=True, blank=True, help_text="Seconds, -3600 to 3600.")
    randomize_duration = models.SmallIntegerField(null=True, blank=True, help_text="Seconds, -3600 to 3600.")
    #: ResponseRequiredType bitmap: 1 message received, 2 specific response, 4 response required.
    response_required = models.PositiveSmallIntegerField(default=0)
    device_category = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    status_time = models.DateTimeField(default=timezone.now)
    potentially_superseded = models.BooleanField(default=False)
    potentially_superseded_time = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=192, blank=True)

    class Meta:
        verbose_name = "DER control"
        # DERControlList order (CSIP-NOTES): start ascending, then newer creationTime first.
        ordering = ["start", "-creation_time", "-id"]
        indexes = [
            models.Index(fields=["program", "start", "-creation_time", "-id"], name="dercontrol_list_order"),
            models.Index(fields=["program", "end"], name="dercontrol_program_end"),
            models.Index(fields=["program", "effective_end"], name="dercontrol_program_eff_end"),
            models.Index(fields=["start"], name="dercontrol_start"),
            models.Index(fields=["end"], name="dercontrol_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(randomize_start__gte=-3600, randomize_start__lte=3600)
                | models.Q(randomize_start__isnull=True),
                name="randomize_start_one_hour",
            ),
            models.CheckConstraint(
                condition=models.Q(randomize_duration__gte=-3600, randomize_duration__lte=3600)
                | models.Q(randomize_duration__isnull=True),
                name="randomize_duration_one_hour",
            ),
        ]

    def __str__(self):
        return f"{self.description or self.mrid} @ {self.start:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.set_period()
        super().save(*args, **kwargs)

    def set_period(self) -> None:
        """Derive ``end`` and the effective period; call it before a bulk_create, which skips save()."""
        self.end = self.start + dt.timedelta(seconds=self.duration)
        self.effective_start, self.effective_end = self.effective_period()

    def effective_period(self) -> tuple[dt.datetime, dt.datetime]:
        """From the earliest effective start (a negative randomizeStart moves it earlier) to the latest
        end a client may draw."""
        first = self.start + dt.timedelta(seconds=min(0, self.randomize_start or 0))
        spread = max(0, self.randomize_start or 0) + max(0, self.randomize_duration or 0)
        return first, self.start + dt.timedelta(seconds=self.duration + spread)


class DERCurve(IdentifiedObject):
    """A curve a curve-based control points to, e.g. volt-var (CSIP 6.1.8.3)."""

    program = models.ForeignKey(DERProgram, on_delete=models.PROTECT, related_name="curves")
    creation_time = models.DateTimeField(default=timezone.now)
    curve_type = models.PositiveSmallIntegerField(
        choices=[(c.curve_type, c.label) for c in CONTROLS if c.kind is Kind.CURVE]
    )
    x_multiplier = models.SmallIntegerField(default=0)
    y_multiplier = models.SmallIntegerField(default=0)
    #: DERUnitRefType: what the y values are a percentage of.
    y_ref_type = models.PositiveSmallIntegerField()
    autonomous_vref_enable = models.BooleanField(null=True, blank=True)
    autonomous_vref_time_constant = models.PositiveBigIntegerField(null=True, blank=True)
    open_loop_tms = models.PositiveIntegerField(null=True, blank=True)
    ramp_dec_tms = models.PositiveIntegerField(null=True, blank=True)
    ramp_inc_tms = models.PositiveIntegerField(null=True, blank=True)
    ramp_pt1_tms = models.PositiveIntegerField(null=True, blank=True)
    vref = models.PositiveIntegerField(null=True, blank=True, verbose_name="vRef (1/100 %)")

    class Meta:
        verbose_name = "DER curve"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(curve_type__lte=14), name="curve_type_known"),
            models.CheckConstraint(
                condition=models.Q(x_multiplier__gte=-9, x_multiplier__lte=9)
                & models.Q(y_multiplier__gte=-9, y_multiplier__lte=9),
                name="curve_multipliers_power_of_ten",
            ),
            models.CheckConstraint(condition=models.Q(y_ref_type__lte=7), name="curve_y_ref_type_known"),
        ]

    def __str__(self):
        return f"{self.get_curve_type_display()} {self.description or self.mrid}"


class CurvePoint(models.Model):
    """One CurveData entry; points are kept in the order they were given."""

    curve = models.ForeignKey(DERCurve, on_delete=models.CASCADE, related_name="points")
    position = models.PositiveSmallIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    excitation = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["curve", "position"]
        constraints = [models.UniqueConstraint(fields=["curve", "position"], name="curve_point_position")]

    def __str__(self):
        return f"({self.x}, {self.y})"


def validate_curve_points(points: list[tuple[int, int, bool | None]]) -> None:
    """A curve has 1 to 10 points with x strictly increasing (2030.5 CurveData)."""
    if not 1 <= len(points) <= MAX_CURVE_POINTS:
        raise ValidationError(f"A curve needs 1 to {MAX_CURVE_POINTS} points, not {len(points)}.")
    xs = [x for x, _, _ in points]
    if any(b <= a for a, b in itertools.pairwise(xs)):
        raise ValidationError("Curve points must have strictly increasing x values.")
    int32 = (-(2**31), 2**31 - 1)
    for x, y, _ in points:
        if not (int32[0] <= x <= int32[1] and int32[0] <= y <= int32[1]):
            raise ValidationError("Curve values must fit in a 32-bit signed integer.")
