"""Writing DERPrograms and their DER controls: events, defaults and curves (CSIP 5.2.3, 5.2.4, 6.1.8).

These are the only way the admin, the portal, the JSON API, the demo and the tests change what a
DERProgram tells its DERs.
Each checks its input fully before writing, raises ValidationError keyed by field, and writes the change,
its audit entry and its change-feed record (:mod:`derms.changefeed`) in one transaction.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from derms import changefeed
from derms.changefeed import affected
from derms.der_controls import CONTROLS, DEFAULT_ONLY_SETTINGS, CurveType
from derms.events.lifecycle import has_randomization, is_live_at
from derms.events.supersede import apply_supersede_rules, withdraw_supersedes_by
from derms.events.values import clean_control_values, control_values, write_control_values
from derms.models import (
    CurvePoint,
    DefaultDERControl,
    DERControl,
    DERCurve,
    DERProgram,
    EventStatus,
)
from derms.models.programs import new_mrid, validate_curve_points, validate_mrid
from derms.services import audit
from groups.models import Group

NOW: Literal["now"] = "now"
#: How far in the past a start may be: the minutes between an operator filling a form and sending it.
START_GRACE = dt.timedelta(minutes=5)
UINT16_MAX = 2**16 - 1
UINT32_MAX = 2**32 - 1
ONE_HOUR = 3600
#: ResponseRequiredType: bit 0 message received, bit 1 specific response, bit 2 response required.
RESPONSE_REQUIRED_MAX = 0b111
DESCRIPTION_MAX = 32  # String32
REASON_MAX = 192  # String192
PRIMACY_MAX = 255  # PrimacyType is a UInt8


def create_program(
    *, group: Group, primacy: int, description: str = "", mrid: str | None = None, actor: Any = None
) -> DERProgram:
    """Give ``group`` its DERProgram, with the empty DefaultDERControl its DefaultDERControlLink names.

    CSIP 5.2.3: one program per group, and only for groups the utility intends to send controls to;
    creating one is that decision. The defaults start empty: a DER keeps its own settings until a
    dispatcher fills them in with ``update_default_control``.
    """
    errors: dict[str, list[str]] = {}
    _check(errors, "primacy", lambda: _in_range("primacy", primacy, 0, PRIMACY_MAX))
    _check(errors, "description", lambda: _max_length(description, DESCRIPTION_MAX))
    if mrid is not None:
        _check(errors, "mrid", lambda: _unused_mrid(DERProgram, mrid))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            program = DERProgram.objects.create(
                group=group, primacy=primacy, description=description, mrid=mrid or new_mrid()
            )
            DefaultDERControl.objects.create(program=program, description=f"Defaults {description}"[:32])
            changefeed.record("program_created", affected.group(group.pk))
            audit.record_change(actor=actor, action="der_program.create", obj=program, before=None)
    except IntegrityError as exc:
        # The unique constraint decides, so two operators creating the same program at once both learn.
        message = f"{group.name} already has a DER program (one per group)."
        raise ValidationError({"group": message}) from exc
    return program


def update_program(*, program: DERProgram, primacy: int, description: str, actor: Any = None) -> DERProgram:
    """Change a program's primacy or description: every DER following it sees the new value in its
    DERProgramList (CSIP 5.2.4.2: primacy decides between overlapping controls)."""
    errors: dict[str, list[str]] = {}
    _check(errors, "primacy", lambda: _in_range("primacy", primacy, 0, PRIMACY_MAX))
    _check(errors, "description", lambda: _max_length(description, DESCRIPTION_MAX))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        program = DERProgram.objects.select_for_update().get(pk=program.pk)
        before = audit.snapshot(program)
        program.primacy, program.description = primacy, description
        program.save(update_fields=["primacy", "description"])
        changefeed.record("program_changed", affected.program(program))
        audit.record_change(actor=actor, action="der_program.change", obj=program, before=before)
    return program


def build_control(
    *,
    program: DERProgram,
    start: dt.datetime | Literal["now"],
    duration: int,
    values: Mapping[str, Any],
    randomize_start: int | None = None,
    randomize_duration: int | None = None,
    response_required: int = 0,
    device_category: int | None = None,
    description: str = "",
    mrid: str | None = None,
    now: dt.datetime,
) -> DERControl:
    """The DERControl event create_control would store, created at ``now``, unsaved.

    Raise ValidationError, keyed by field or control element, listing every problem at once.
    """
    errors: dict[str, list[str]] = {}
    start_at = _check(errors, "start", lambda: _clean_start(start, now=now))
    _check(errors, "duration", lambda: _in_range("Duration (seconds)", duration, 1, UINT32_MAX))
    for name, value in (("randomize_start", randomize_start), ("randomize_duration", randomize_duration)):
        if value is not None:
            _check(errors, name, lambda v=value: _in_range("Randomization (seconds)", v, -ONE_HOUR, ONE_HOUR))
    _check(
        errors,
        "response_required",
        lambda: _in_range("responseRequired", response_required, 0, RESPONSE_REQUIRED_MAX),
    )
    if device_category is not None:
        _check(errors, "device_category", lambda: _in_range("deviceCategory", device_category, 1, UINT32_MAX))
    _check(errors, "description", lambda: _max_length(description, DESCRIPTION_MAX))
    if mrid is not None:
        _check(errors, "mrid", lambda: _unused_mrid(DERControl, mrid))
    cleaned = _check_values(errors, values, program=program, for_event=True)
    if cleaned is not None and not cleaned:
        errors.setdefault("values", []).append("An event must set at least one control.")
    if errors:
        raise ValidationError(errors)
    control = DERControl(
        mrid=mrid or new_mrid(),
        program=program,
        creation_time=now,
        status_time=now,
        start=start_at,
        duration=duration,
        randomize_start=randomize_start,
        randomize_duration=randomize_duration,
        response_required=response_required,
        device_category=device_category,
        description=description,
    )
    write_control_values(control, values=cleaned, controls=CONTROLS)
    control.set_period()
    return control


def create_control(*, program: DERProgram, actor: Any = None, **fields: Any) -> DERControl:
    """Schedule a DERControl event in ``program`` and apply the supersede rules to its neighbours.

    ``fields`` are build_control's. ``mrid`` is for events that already have one upstream (an ADMS, an
    import); otherwise a new one.
    """
    with transaction.atomic():
        _lock(program.pk)
        # The clock is read under the lock, so creation times follow the order the writers commit in.
        now = timezone.now()
        control = build_control(program=program, now=now, **fields)
        control.save()
        changefeed.record("control_created", affected.control(control))
        apply_supersede_rules(newer=control, now=now)
        audit.record(actor=actor, action="der_control.create", obj=control, after=_event_state(control))
    return control


def cancel_control(*, control: DERControl, actor: Any = None, reason: str = "") -> DERControl:
    """Cancel an event that is not over; clients must still see it for its original duration."""
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"At most {REASON_MAX} characters."})
    with transaction.atomic():
        _lock(control.program_id)
        control = DERControl.objects.select_for_update().get(pk=control.pk)
        now = timezone.now()
        if not is_live_at(control, now):
            raise ValidationError(
                {"status": "Only a scheduled or active event can be cancelled; this one is over or replaced."}
            )
        before = _event_state(control)
        control.status = (
            EventStatus.CANCELLED_WITH_RANDOMIZATION if has_randomization(control) else EventStatus.CANCELLED
        )
        control.status_time = now
        control.reason = reason
        control.save(update_fields=["status", "status_time", "reason"])
        changefeed.record("control_cancelled", affected.control(control))
        withdraw_supersedes_by(cancelled=control, now=now)
        audit.record(
            actor=actor, action="der_control.cancel", obj=control, before=before, after=_event_state(control)
        )
    return control


def update_default_control(
    *, program: DERProgram, values: Mapping[str, Any], actor: Any = None
) -> DefaultDERControl:
    """Replace the program's DefaultDERControl with ``values``; controls left out are unset."""
    controls = CONTROLS + DEFAULT_ONLY_SETTINGS
    cleaned = clean_control_values(values, program=program, for_event=False)
    with transaction.atomic():
        default = DefaultDERControl.objects.select_for_update().get(program=program)
        before = control_values(default, controls=controls)
        write_control_values(default, values=cleaned, controls=controls)
        default.version += 1
        default.updated = timezone.now()
        default.save()
        changefeed.record("default_updated", affected.default_control(program.pk))
        audit.record(
            actor=actor,
            action="default_der_control.update",
            obj=default,
            before=before,
            after=control_values(default, controls=controls),
        )
    return default


def create_curve(
    *,
    program: DERProgram,
    curve_type: int,
    points: Sequence[tuple[int, int, bool | None]],
    y_ref_type: int,
    x_multiplier: int = 0,
    y_multiplier: int = 0,
    description: str = "",
    autonomous_vref_enable: bool | None = None,
    autonomous_vref_time_constant: int | None = None,
    open_loop_tms: int | None = None,
    ramp_dec_tms: int | None = None,
    ramp_inc_tms: int | None = None,
    ramp_pt1_tms: int | None = None,
    vref: int | None = None,
    mrid: str | None = None,
    actor: Any = None,
) -> DERCurve:
    """Add a DERCurve to the program's DERCurveList, for curve controls to point to (CSIP 6.1.8.3).

    ``mrid`` is for curves that already have one elsewhere; otherwise a new one.
    """
    errors: dict[str, list[str]] = {}
    _check(errors, "curve_type", lambda: _in_range("curveType", curve_type, 0, CurveType.WATT_VAR))
    _check(errors, "points", lambda: validate_curve_points(list(points)))
    _check(errors, "y_ref_type", lambda: _in_range("yRefType", y_ref_type, 0, 7))
    _check(errors, "x_multiplier", lambda: _in_range("xMultiplier", x_multiplier, -9, 9))
    _check(errors, "y_multiplier", lambda: _in_range("yMultiplier", y_multiplier, -9, 9))
    _check(errors, "description", lambda: _max_length(description, DESCRIPTION_MAX))
    if mrid is not None:
        _check(errors, "mrid", lambda: _unused_mrid(DERCurve, mrid))
    optional = {
        "autonomous_vref_time_constant": (autonomous_vref_time_constant, UINT32_MAX),
        "open_loop_tms": (open_loop_tms, UINT16_MAX),
        "ramp_dec_tms": (ramp_dec_tms, UINT16_MAX),
        "ramp_inc_tms": (ramp_inc_tms, UINT16_MAX),
        "ramp_pt1_tms": (ramp_pt1_tms, UINT16_MAX),
        "vref": (vref, UINT16_MAX),
    }
    for name, (value, maximum) in optional.items():
        if value is not None:
            _check(errors, name, lambda n=name, v=value, m=maximum: _in_range(n, v, 0, m))
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        curve = DERCurve.objects.create(
            mrid=mrid or new_mrid(),
            program=program,
            curve_type=curve_type,
            y_ref_type=y_ref_type,
            x_multiplier=x_multiplier,
            y_multiplier=y_multiplier,
            description=description,
            autonomous_vref_enable=autonomous_vref_enable,
            **{name: value for name, (value, _) in optional.items()},
        )
        CurvePoint.objects.bulk_create(
            CurvePoint(curve=curve, position=i, x=x, y=y, excitation=excitation)
            for i, (x, y, excitation) in enumerate(points)
        )
        changefeed.record("curve_created", affected.curve(curve))
        audit.record(
            actor=actor,
            action="der_curve.create",
            obj=curve,
            after={"curve_type": curve_type, "points": [list(p) for p in points], "y_ref_type": y_ref_type},
        )
    return curve


def update_curve(
    *,
    curve: DERCurve,
    points: Sequence[tuple[int, int, bool | None]],
    y_ref_type: int,
    x_multiplier: int = 0,
    y_multiplier: int = 0,
    description: str = "",
    actor: Any = None,
) -> DERCurve:
    """Replace a curve's points and scaling; every event and default pointing to it uses the new curve
    from the next read (2030.5 DERCurve: clients re-read a curve whose list changed)."""
    errors: dict[str, list[str]] = {}
    _check(errors, "points", lambda: validate_curve_points(list(points)))
    _check(errors, "y_ref_type", lambda: _in_range("yRefType", y_ref_type, 0, 7))
    _check(errors, "x_multiplier", lambda: _in_range("xMultiplier", x_multiplier, -9, 9))
    _check(errors, "y_multiplier", lambda: _in_range("yMultiplier", y_multiplier, -9, 9))
    _check(errors, "description", lambda: _max_length(description, DESCRIPTION_MAX))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        curve = DERCurve.objects.select_for_update().get(pk=curve.pk)
        before = _curve_state(curve)
        curve.y_ref_type, curve.description = y_ref_type, description
        curve.x_multiplier, curve.y_multiplier = x_multiplier, y_multiplier
        curve.save(update_fields=["y_ref_type", "description", "x_multiplier", "y_multiplier"])
        curve.points.all().delete()
        CurvePoint.objects.bulk_create(
            CurvePoint(curve=curve, position=i, x=x, y=y, excitation=excitation)
            for i, (x, y, excitation) in enumerate(points)
        )
        changefeed.record("curve_changed", affected.curve(curve))
        audit.record(
            actor=actor, action="der_curve.change", obj=curve, before=before, after=_curve_state(curve)
        )
    return curve


def _curve_state(curve: DERCurve) -> dict:
    points = curve.points.order_by("position").values_list("x", "y", "excitation")
    return {
        "points": [list(p) for p in points],
        "y_ref_type": curve.y_ref_type,
        "x_multiplier": curve.x_multiplier,
        "y_multiplier": curve.y_multiplier,
        "description": curve.description,
    }


def _unused_mrid(model, mrid: str) -> None:
    """An mRID given from elsewhere must be well formed and not name another object already."""
    validate_mrid(mrid)
    if model.objects.filter(mrid=mrid).exists():
        raise ValidationError(f"Another {model._meta.verbose_name} has the mRID {mrid}.")


def _lock(program_id: int) -> None:
    """Serialise the writers of one program's events, so each sees the others' supersedes.

    Locking the neighbouring events is not enough: two new events do not see each other before commit.
    """
    DERProgram.objects.select_for_update().filter(pk=program_id).values_list("pk", flat=True).get()


def _clean_start(start: dt.datetime | str, *, now: dt.datetime) -> dt.datetime:
    if start == NOW:
        return now
    if not isinstance(start, dt.datetime) or timezone.is_naive(start):
        raise ValidationError('Give a date and time with its time zone, or "now".')
    if start < now - START_GRACE:
        raise ValidationError(
            f'The start is in the past ({start:%Y-%m-%d %H:%M:%S %Z}); use "now" to start immediately.'
        )
    return start


def _in_range(name: str, value: Any, minimum: int, maximum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be a whole number.")
    if not minimum <= value <= maximum:
        raise ValidationError(f"{name} must be between {minimum} and {maximum}, not {value}.")


def _max_length(text: str, maximum: int) -> None:
    if len(text) > maximum:
        raise ValidationError(f"At most {maximum} characters (2030.5 String{maximum}).")


def _check(errors: dict[str, list[str]], field: str, check):
    """Run ``check``; collect its ValidationError under ``field`` so every problem is reported at once."""
    try:
        return check()
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None


def _check_values(errors: dict[str, list[str]], values: Mapping[str, Any], **kwargs) -> dict | None:
    if not isinstance(values, Mapping):
        errors.setdefault("values", []).append("Give the controls as an object keyed by element name.")
        return None
    try:
        return clean_control_values(values, **kwargs)
    except ValidationError as exc:
        for element, messages in exc.message_dict.items():
            errors.setdefault(element, []).extend(messages)
        return None


def _event_state(control: DERControl) -> dict:
    return {
        "program": control.program.mrid,
        "mrid": control.mrid,
        "start": control.start.isoformat(),
        "duration": control.duration,
        "randomize_start": control.randomize_start,
        "randomize_duration": control.randomize_duration,
        "status": EventStatus(control.status).label,
        "values": control_values(control),
    }
