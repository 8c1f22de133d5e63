"""DERPrograms as dispatchers see them: the list by primacy, and one program's events, defaults, curves."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch

from derms.control_units import display, plain_label
from derms.der_controls import CONTROLS, CONTROLS_BY_ELEMENT, DEFAULT_ONLY_SETTINGS
from derms.events.lifecycle import StatusView, is_live_at, status_at
from derms.events.values import control_values
from derms.models import CurvePoint, DERControl, DERCurve, DERProgram, EventStatus
from derms.selectors.timelines import curve_name

EVENTS_SHOWN = 50


def programs_by_primacy() -> list[DERProgram]:
    """Every DERProgram with its group and event count, highest priority (lowest primacy) first."""
    return list(
        DERProgram.objects.select_related("group")
        .annotate(events=Count("controls"))
        .order_by("primacy", "id")
    )


@dataclass(frozen=True)
class ControlValueRow:
    label: str
    value: str


@dataclass(frozen=True)
class EventRow:
    event: DERControl
    status: StatusView
    #: Still scheduled or active and not over: a dispatcher may cancel it.
    cancellable: bool
    values: list[ControlValueRow]

    @property
    def status_label(self) -> str:
        if self.status.is_over and self.status.current_status == EventStatus.ACTIVE:
            return "Over"
        return self.status.current_status.label


@dataclass(frozen=True)
class ProgramDetail:
    program: DERProgram
    event_count: int
    events: list[EventRow]
    defaults: list[ControlValueRow]
    curves: list[DERCurve]


def program_detail(*, program: DERProgram, now: dt.datetime) -> ProgramDetail:
    """The program's latest events with their status at ``now``, its defaults and curves; five queries."""
    curves = list(
        program.curves.order_by("curve_type", "id").prefetch_related(
            Prefetch("points", queryset=CurvePoint.objects.order_by("position"))
        )
    )
    names = {curve.mrid: curve_name(curve) for curve in curves}
    mrids = {curve.pk: curve.mrid for curve in curves}
    events = list(program.controls.order_by("-start", "-creation_time", "-id")[:EVENTS_SHOWN])
    default = getattr(program, "default_control", None)
    defaults = (
        control_rows(
            control_values(default, controls=CONTROLS + DEFAULT_ONLY_SETTINGS, curve_mrids=mrids),
            curve_names=names,
        )
        if default
        else []
    )
    return ProgramDetail(
        program=program,
        event_count=program.controls.count(),
        events=[
            EventRow(
                event,
                status_at(event, now),
                is_live_at(event, now),
                control_rows(control_values(event, curve_mrids=mrids), curve_names=names),
            )
            for event in events
        ],
        defaults=defaults,
        curves=curves,
    )


def control_rows(values: dict, *, curve_names: dict[str, str]) -> list[ControlValueRow]:
    """Schema values keyed by element as labelled, human-readable rows."""
    return [
        ControlValueRow(
            plain_label(CONTROLS_BY_ELEMENT[element]),
            display(CONTROLS_BY_ELEMENT[element], value, curve_names=curve_names),
        )
        for element, value in values.items()
    ]
