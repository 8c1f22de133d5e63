"""DERPrograms: the list, one program's events, defaults and curves, and scheduling and cancelling events.

Scheduling shows a preview first: the resolver's answer with and without the new event on a few DERs.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from derms import control_units
from derms.der_controls import CurveType
from derms.events.services import (
    REASON_MAX,
    cancel_control,
    create_control,
    create_curve,
    update_curve,
    update_default_control,
)
from derms.models import DERControl, DERCurve, DERProgram
from derms.portal.access import dispatcher_required, may_schedule, staff_required
from derms.portal.forms import CurveForm, DefaultControlForm, EventForm
from derms.selectors import programs
from derms.selectors.event_preview import candidate_event, preview_event
from derms.selectors.responses import response_board
from derms.selectors.timelines import event_label


def _program(pk: int) -> DERProgram:
    return get_object_or_404(DERProgram.objects.select_related("group", "default_control"), pk=pk)


@staff_required
def program_list(request):
    return render(request, "portal/programs.html", {"programs": programs.programs_by_primacy()})


@staff_required
def program_page(request, pk: int):
    detail = programs.program_detail(program=_program(pk), now=timezone.now())
    return render(
        request,
        "portal/program.html",
        {"detail": detail, "may_schedule": may_schedule(request.user), "reason_max": REASON_MAX},
    )


@dispatcher_required
def event_new(request, pk: int):
    """GET an empty form; POST "preview" to see the effect without saving, or "save" to schedule."""
    program = _program(pk)
    if request.method != "POST":
        return _event_form(request, EventForm(program=program))
    form = EventForm(request.POST, program=program)
    preview = None
    if form.is_valid():
        try:
            if "save" in request.POST:
                event = create_control(actor=request.user, **form.event_arguments())
                messages.success(request, f"Scheduled {event_label(event)}.")
                return redirect("portal:program", pk=program.pk)
            preview = preview_event(candidate=candidate_event(**form.event_arguments()))
        except ValidationError as exc:
            form.add_service_errors(exc)
    return _event_form(request, form, preview=preview)


def _event_form(request, form: EventForm, *, preview=None):
    return render(
        request,
        "portal/event_form.html",
        {
            "form": form,
            "program": form.program,
            "control_rows": form.control_rows(curves=False),
            "curve_rows": form.control_rows(curves=True),
            "preview": preview,
        },
        status=400 if form.errors else 200,
    )


@dispatcher_required
def defaults_edit(request, pk: int):
    """The program's DefaultDERControl, every control in a dispatcher's units; saving replaces it."""
    program = _program(pk)
    form = DefaultControlForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            update_default_control(program=program, values=form.cleaned_data["values"], actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Saved the defaults.")
            return redirect("portal:program", pk=program.pk)
    return render(
        request,
        "portal/default_form.html",
        {"form": form, "program": program, "rows": form.control_rows()},
        status=400 if form.errors else 200,
    )


@dispatcher_required
def curve_edit(request, pk: int, curve_pk: int | None = None):
    """A new curve for the program, or new points and scaling for one of its curves."""
    program = _program(pk)
    curve = None if curve_pk is None else get_object_or_404(DERCurve, pk=curve_pk, program=program)
    form = CurveForm(request.POST or None, curve=curve)
    if request.method == "POST" and form.is_valid():
        arguments = form.curve_arguments()
        try:
            if curve is None:
                curve_type = form.cleaned_data["curve_type"]
                curve = create_curve(program=program, curve_type=curve_type, actor=request.user, **arguments)
            else:
                update_curve(curve=curve, actor=request.user, **arguments)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Saved the curve {curve.description or curve.mrid}.")
            return redirect("portal:program", pk=program.pk)
    curve_type = curve.curve_type if curve else form["curve_type"].value()
    axes = control_units.CURVE_AXES.get(_as_int(curve_type), control_units.CURVE_AXES[CurveType.VOLT_VAR])
    return render(
        request,
        "portal/curve_form.html",
        {"form": form, "program": program, "curve": curve, "axes": axes},
        status=400 if form.errors else 200,
    )


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@staff_required
def event_responses(request, pk: int, event_pk: int):
    """Which targeted DERs answered the event, with what, and which are silent."""
    event = get_object_or_404(DERControl.objects.select_related("program__group"), pk=event_pk, program_id=pk)
    return render(request, "portal/event_responses.html", {"board": response_board(event)})


@require_POST
@dispatcher_required
def event_cancel(request, pk: int, event_pk: int):
    event = get_object_or_404(DERControl, pk=event_pk, program_id=pk)
    try:
        cancel_control(control=event, actor=request.user, reason=request.POST.get("reason", "").strip())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Cancelled {event_label(event)}.")
    return redirect("portal:program", pk=pk)
