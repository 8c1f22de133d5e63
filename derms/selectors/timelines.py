"""The resolver's timeline as a dispatcher reads it: per control, values in human units, named sources."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from derms.control_units import display, plain_label
from derms.der_controls import CONTROLS_BY_ELEMENT, Control
from derms.events.resolver import Segment
from derms.models import DERControl, DERCurve, DERProgram

#: The longest window one timeline read may ask for, on the portal and through the API.
MAX_TIMELINE_WINDOW = dt.timedelta(days=31)


@dataclass(frozen=True)
class TimelineRow:
    start: dt.datetime
    end: dt.datetime
    value: str
    #: The event's description (or mRID), or "default" for the program's DefaultDERControl.
    source: str
    event_mrid: str | None
    program: DERProgram | None

    @property
    def is_default(self) -> bool:
        return self.event_mrid is None


@dataclass(frozen=True)
class ControlTimeline:
    control: Control
    rows: list[TimelineRow]

    @property
    def label(self) -> str:
        return plain_label(self.control)


def curve_names(mrids: Iterable[str]) -> dict[str, str]:
    """DERCurve mRID -> the name a dispatcher knows it by, in one query."""
    wanted = set(mrids)
    if not wanted:
        return {}
    return {curve.mrid: curve_name(curve) for curve in DERCurve.objects.filter(mrid__in=wanted)}


def curve_name(curve: DERCurve) -> str:
    return curve.description or f"{curve.get_curve_type_display()} {curve.mrid[:8]}"


def event_label(event: DERControl) -> str:
    return event.description or event.mrid


def group_by_control(
    segments: Iterable[Segment],
    *,
    programs: Iterable[DERProgram],
    events: Mapping[str, DERControl],
    names_of_curves: Mapping[str, str],
) -> list[ControlTimeline]:
    """Segments per control, in the registry's order, with programs and events looked up by mRID."""
    programs_by_mrid = {p.mrid: p for p in programs}
    timelines: dict[str, ControlTimeline] = {}
    for segment in segments:
        control = CONTROLS_BY_ELEMENT[segment.control]
        event = events.get(segment.event) if segment.event else None
        row = TimelineRow(
            start=segment.start,
            end=segment.end,
            value=display(control, segment.value, curve_names=names_of_curves),
            source=event_label(event) if event else segment.event or "default",
            event_mrid=segment.event,
            program=programs_by_mrid.get(segment.program),
        )
        timelines.setdefault(segment.control, ControlTimeline(control, [])).rows.append(row)
    return list(timelines.values())


def labelled_timeline(segments: list[Segment], *, programs: Iterable[DERProgram]) -> list[ControlTimeline]:
    """Group ``segments`` for the page, loading the events and curves they name in two queries."""
    event_mrids = {s.event for s in segments if s.event}
    events = {e.mrid: e for e in DERControl.objects.filter(mrid__in=event_mrids)} if event_mrids else {}
    curve_mrids = {s.value for s in segments if CONTROLS_BY_ELEMENT[s.control].curve_type is not None}
    return group_by_control(
        segments, programs=programs, events=events, names_of_curves=curve_names(curve_mrids)
    )
