"""The admin of what DERPrograms tell their DERs: every write is a call to a derms.events service.

The admin, the portal, the JSON API and the tests share those services (issue 6), so a change made here
gets the same checks, audit entry, supersede rules and outbox rows as one made anywhere else.

- DERProgram: added with ``create_program`` (which also makes its DefaultDERControl); group and mRID
  are fixed once it exists.
- DefaultDERControl: changed with ``update_default_control``; it comes and goes with its program.
- DERControl: read-only; added with ``create_control``, cancelled with ``cancel_control`` (an action).
  Nothing deletes an event: clients must keep seeing it for its effective scheduled period.
- DERCurve: added with ``create_curve``, then never changed. Clients may have read a curve by its mRID,
  and 2030.5 gives every modification a new version; a curve in use cannot change under its events
  either. To change a curve, add a new one and point the controls to it. Curves are not deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from derms.admin.audited import AuditedModelAdmin, ViewOnlyMixin
from derms.der_controls import CONTROLS, CONTROLS_BY_ELEMENT, DEFAULT_ONLY_SETTINGS, Control
from derms.events.lifecycle import status_at
from derms.events.services import (
    NOW,
    cancel_control,
    create_control,
    create_curve,
    create_program,
    update_default_control,
)
from derms.events.values import control_values
from derms.models import CurvePoint, DefaultDERControl, DERControl, DERCurve, DERProgram, EventStatus


class ServiceForm(forms.ModelForm):
    """A form whose save is one service call, made while the form is cleaned so that the service's
    ValidationError lands on the form's fields. The service checks and writes everything itself."""

    #: The signed-in operator, set per request by ServiceAdmin.get_form.
    actor = None

    def call_service(self, cleaned: dict):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.instance = self.call_service(cleaned)
            except ValidationError as exc:
                self._add_service_errors(exc)
        return cleaned

    def _post_clean(self):
        """Nothing: the service validated what it wrote, and the model's own checks would see a draft."""

    def save(self, commit=True):
        return self.instance

    def save_m2m(self):
        """Nothing: the service saved everything."""

    def make_mrid_optional(self, help_text: str) -> None:
        """The service makes a new mRID unless one from elsewhere is given."""
        field = self.fields["mrid"]
        field.required, field.initial, field.help_text = False, None, help_text

    def _add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.message_dict.items():
            self.add_error(self._field_for(key), errors)

    def _field_for(self, key: str) -> str | None:
        """The form field a service error key names: a field, or a control's first part (by element)."""
        control = CONTROLS_BY_ELEMENT.get(key)
        name = control.field_names()[0] if control is not None else key
        return name if name in self.fields else None


def control_value_fields(controls: tuple[Control, ...]) -> list[str]:
    return [name for control in controls for name in control.field_names()]


def values_from(cleaned: dict, *, model, controls: tuple[Control, ...]) -> dict:
    """The control values a form filled in, in the services' shape (keyed by element name)."""
    draft = model(**{name: cleaned.get(name) for name in control_value_fields(controls)})
    return control_values(draft, controls=controls)


class ServiceAdmin(admin.ModelAdmin):
    """Saving goes through the form's service call; nothing is saved a second time.

    ``read_only_after_add``: an existing object is only viewed, with a plain form.
    """

    read_only_after_add = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and self.read_only_after_add:
            kwargs["form"] = forms.ModelForm
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        """The service saved it while the form was cleaned."""

    def save_related(self, request, form, formsets, change):
        """The service saved it while the form was cleaned."""


def control_fieldset(title: str, controls: tuple[Control, ...]) -> tuple[str, dict]:
    """One admin fieldset for controls from der_controls, each control's parts on one line."""
    return (title, {"fields": [tuple(c.field_names()) for c in controls], "classes": ["collapse"]})


class ProgramAddForm(ServiceForm):
    class Meta:
        model = DERProgram
        fields = ("group", "primacy", "description", "mrid")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.make_mrid_optional("Leave empty for a new one; give one only if another system made it.")

    def call_service(self, cleaned):
        return create_program(
            group=cleaned["group"],
            primacy=cleaned["primacy"],
            description=cleaned.get("description", ""),
            mrid=cleaned.get("mrid") or None,
            actor=self.actor,
        )


@admin.register(DERProgram)
class DERProgramAdmin(AuditedModelAdmin):
    """Added through create_program; afterwards primacy and description may change, audited."""

    list_display = ("description", "mrid", "group", "group_level", "primacy")
    list_filter = ("group__level",)
    list_select_related = ("group",)
    search_fields = ("description", "mrid", "group__name")
    autocomplete_fields = ("group",)
    fields = ("group", "primacy", "description", "mrid", "version")

    @admin.display(description="level", ordering="group__level")
    def group_level(self, obj) -> str:
        return obj.group.get_level_display()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("ProgramAddForm", (ProgramAddForm,), {"actor": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ProgramAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return ("group", "mrid", "version") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)


class DefaultControlForm(ServiceForm):
    class Meta:
        model = DefaultDERControl
        fields = control_value_fields(CONTROLS + DEFAULT_ONLY_SETTINGS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_curves_to_program(self, self.instance.program_id)

    def call_service(self, cleaned):
        controls = CONTROLS + DEFAULT_ONLY_SETTINGS
        return update_default_control(
            program=self.instance.program,
            values=values_from(cleaned, model=DefaultDERControl, controls=controls),
            actor=self.actor,
        )


def _limit_curves_to_program(form: forms.ModelForm, program_id: int | None) -> None:
    for control in CONTROLS:
        field = form.fields.get(control.field)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = DERCurve.objects.filter(curve_type=control.curve_type).filter(
                **({"program_id": program_id} if program_id else {})
            )


@admin.register(DefaultDERControl)
class DefaultDERControlAdmin(ServiceAdmin):
    """Changed through update_default_control; made with its program by create_program."""

    form = DefaultControlForm
    list_display = ("program", "mrid", "version", "updated")
    list_filter = ("program__group__level",)
    list_select_related = ("program",)
    search_fields = ("program__description", "mrid")
    readonly_fields = ("program", "mrid", "description", "version", "updated")
    fieldsets = (
        (None, {"fields": ["program", "mrid", "description", "version", "updated"]}),
        control_fieldset("DER controls", CONTROLS),
        control_fieldset("Default-only settings", DEFAULT_ONLY_SETTINGS),
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ControlAddForm(ServiceForm):
    start = forms.SplitDateTimeField(
        required=False, widget=admin.widgets.AdminSplitDateTime, help_text="In the server's time zone."
    )
    start_now = forms.BooleanField(required=False, label="Start now", help_text="Ignore the start above.")

    class Meta:
        model = DERControl
        fields = (
            "program",
            "mrid",
            "description",
            "duration",
            "randomize_start",
            "randomize_duration",
            "response_required",
            "device_category",
            *control_value_fields(CONTROLS),
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.make_mrid_optional("Leave empty for a new one; give an imported event's upstream mRID.")
        _limit_curves_to_program(self, None)

    def call_service(self, cleaned):
        start = NOW if cleaned.get("start_now") else cleaned.get("start")
        if start is None:
            raise ValidationError({"start": 'Give a start, or tick "Start now".'})
        return create_control(
            program=cleaned["program"],
            start=start,
            duration=cleaned["duration"],
            values=values_from(cleaned, model=DERControl, controls=CONTROLS),
            randomize_start=cleaned.get("randomize_start"),
            randomize_duration=cleaned.get("randomize_duration"),
            response_required=cleaned.get("response_required") or 0,
            device_category=cleaned.get("device_category"),
            description=cleaned.get("description", ""),
            mrid=cleaned.get("mrid") or None,
            actor=self.actor,
        )


class StatusNowFilter(admin.SimpleListFilter):
    """Events by their status now, as clients read it (lifecycle.status_at), not as stored."""

    title = "status now"
    parameter_name = "status_now"

    def lookups(self, request, model_admin):
        return [
            ("scheduled", "Scheduled"),
            ("active", "Active"),
            ("cancelled", "Cancelled"),
            ("superseded", "Superseded"),
            ("over", "Over (gone from what clients read)"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        undecided = Q(status=EventStatus.SCHEDULED) | Q(status_time__gt=now)
        listed = queryset.filter(effective_end__gt=now)
        cancelled = (EventStatus.CANCELLED, EventStatus.CANCELLED_WITH_RANDOMIZATION)
        return {
            None: queryset,
            "scheduled": listed.filter(undecided, effective_start__gt=now),
            "active": listed.filter(undecided, effective_start__lte=now),
            "cancelled": listed.filter(status__in=cancelled, status_time__lte=now),
            "superseded": listed.filter(status=EventStatus.SUPERSEDED, status_time__lte=now),
            "over": queryset.filter(effective_end__lte=now),
        }.get(self.value(), queryset)


_EVENT_FIELDS = [
    "program",
    "mrid",
    "description",
    "version",
    "creation_time",
    ("start", "duration"),
    ("randomize_start", "randomize_duration"),
    "response_required",
    "device_category",
]


@admin.register(DERControl)
class DERControlAdmin(ServiceAdmin):
    """Read-only events; added through create_control, cancelled through cancel_control, never deleted."""

    form = ControlAddForm
    read_only_after_add = True
    readonly_fields = ("status_now",)
    list_display = ("description", "mrid", "program", "start", "duration", "status_now")
    list_filter = (StatusNowFilter, ("program", admin.RelatedOnlyFieldListFilter), "program__group__level")
    list_select_related = ("program",)
    search_fields = ("description", "mrid", "program__description")
    autocomplete_fields = ("program",)
    date_hierarchy = "start"
    actions = ("cancel_events",)

    @admin.display(description="status now")
    def status_now(self, obj) -> str:
        view = status_at(obj, timezone.now())
        return f"{view.current_status.label} (over)" if view.is_over else view.current_status.label

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            fields = [f for f in _EVENT_FIELDS if f not in ("version", "creation_time")]
            fields[fields.index(("start", "duration"))] = ("start", "start_now", "duration")
            return ((None, {"fields": fields}), control_fieldset("DER controls", CONTROLS))
        status = ["status_now", "status", "status_time"]
        status += [("potentially_superseded", "potentially_superseded_time"), "reason"]
        return (
            (None, {"fields": _EVENT_FIELDS}),
            ("Event status", {"fields": status}),
            control_fieldset("DER controls", CONTROLS),
        )

    def has_change_permission(self, request, obj=None):
        # Permission to act on the list (the cancel action), never to edit an event's fields.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel selected events", permissions=["change"])
    def cancel_events(self, request, queryset):
        cancelled = 0
        for control in queryset.select_related("program"):
            try:
                cancel_control(control=control, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{control}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                cancelled += 1
        if cancelled:
            self.message_user(
                request, f"{cancelled} event{'' if cancelled == 1 else 's'} cancelled.", messages.SUCCESS
            )


class CurveAddForm(ServiceForm):
    points = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "cols": 30}),
        help_text="1 to 10 points, one a line: x, y and, for a volt-var curve, optionally the excitation "
        "(true or false); x strictly increasing.",
    )

    class Meta:
        model = DERCurve
        fields = (
            "program",
            "description",
            "curve_type",
            "x_multiplier",
            "y_multiplier",
            "y_ref_type",
            "autonomous_vref_enable",
            "autonomous_vref_time_constant",
            "open_loop_tms",
            "ramp_dec_tms",
            "ramp_inc_tms",
            "ramp_pt1_tms",
            "vref",
        )

    def clean_points(self) -> list[tuple[int, int, bool | None]]:
        points = []
        for number, line in enumerate(self.cleaned_data["points"].splitlines(), start=1):
            if line.strip():
                points.append(_curve_point(line, number))
        return points

    def call_service(self, cleaned):
        fields = (*self.Meta.fields, "points")
        return create_curve(actor=self.actor, **{name: cleaned[name] for name in fields})


def _curve_point(line: str, number: int) -> tuple[int, int, bool | None]:
    parts = [part.strip() for part in line.split(",")]
    excitation = {"true": True, "false": False}
    try:
        if len(parts) == 2:
            return int(parts[0]), int(parts[1]), None
        if len(parts) == 3 and parts[2].lower() in excitation:
            return int(parts[0]), int(parts[1]), excitation[parts[2].lower()]
        raise ValueError
    except ValueError:
        raise ValidationError(f"Line {number}: write x, y or x, y, true/false, not {line!r}.") from None


class CurvePointInline(ViewOnlyMixin, admin.TabularInline):
    model = CurvePoint
    fields = ("position", "x", "y", "excitation")
    extra = 0


@admin.register(DERCurve)
class DERCurveAdmin(ServiceAdmin):
    """Added through create_curve and never changed or deleted (see this module's docstring)."""

    form = CurveAddForm
    read_only_after_add = True
    list_display = ("description", "mrid", "curve_type", "program", "creation_time")
    list_filter = ("curve_type", ("program", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("program",)
    search_fields = ("description", "mrid", "program__description")
    autocomplete_fields = ("program",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return (*CurveAddForm.Meta.fields, "points")
        return ("program", "mrid", "creation_time", *CurveAddForm.Meta.fields[1:])

    def get_inlines(self, request, obj):
        return (CurvePointInline,) if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
