"""What a DER will do: the effective value of every control over a window (CSIP 5.2.4.2, 7.10).

A DER follows every DERProgram its FunctionSetAssignments point to (its topology node, that node's
ancestors and its non-topology groups). For each control, per the 2030.5 event rules as CSIP 7.10 sums
them up:

- the event of the program with the lower primacy wins; at equal primacy the newer creationTime wins;
- an event superseded by a winning one never resumes: if the DER knew the winner before the loser
  started, the loser never runs; if the winner arrived while the loser ran, the loser runs until the
  winner starts (an event that was cancelled or superseded by the server before that moment replaces
  nothing);
- without an event, the DefaultDERControl of the highest-priority program that sets the control applies.

The server's own marks (cancelled, superseded within a program) end an event at their status time. Start
randomization is a per-device draw, so the timeline shows the events' nominal intervals.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from django.db.models import Q

from derms.der_controls import CONTROLS, CURVE_CONTROLS, DEFAULT_ONLY_SETTINGS
from derms.events.lifecycle import TERMINAL_STATUSES
from derms.events.values import Value, control_values
from derms.models import DefaultDERControl, DERControl, DERCurve, DERProgram, EndDevice
from derms.selectors.membership import programs_for_device

NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Segment:
    """One control holding one value from ``start`` to ``end`` (exclusive)."""

    control: str
    value: Value
    start: dt.datetime
    end: dt.datetime
    program: str
    #: The DERControl's mRID, or None when the value comes from the program's DefaultDERControl.
    event: str | None

    @property
    def source(self) -> str:
        return self.event or "default"


@dataclass(frozen=True)
class Inputs:
    """What the resolver needs from the database besides the programs."""

    events: list[DERControl]
    defaults: dict[int, DefaultDERControl]
    curves: list[DERCurve]

    @property
    def curve_mrids(self) -> dict[int, str]:
        return {curve.pk: curve.mrid for curve in self.curves}


def load_inputs(
    *, programs: Iterable[DERProgram], start: dt.datetime, end: dt.datetime, also: Iterable[DERControl] = ()
) -> Inputs:
    """The stored events of ``programs`` that shape [start, end), their defaults, and the curves these
    and the unsaved events ``also`` name; at most three queries."""
    programs = list(programs)
    program_ids = [p.pk for p in programs]
    events = list(DERControl.objects.filter(program_id__in=program_ids, start__lt=end, end__gt=start))
    if events:
        # The events that may cut the ones in the window can lie outside it: load those neighbours too.
        reach_start, reach_end = min(e.start for e in events), max(e.end for e in events)
        if reach_start < start or reach_end > end:
            events += DERControl.objects.filter(
                Q(program_id__in=program_ids, start__lt=reach_end, end__gt=reach_start)
                & ~Q(start__lt=end, end__gt=start)
            )
    defaults = {p.pk: p.default_control for p in programs if hasattr(p, "default_control")}
    curve_ids = {
        getattr(obj, f"{c.field}_id") for obj in [*events, *also, *defaults.values()] for c in CURVE_CONTROLS
    } - {None}
    curves = list(DERCurve.objects.filter(pk__in=curve_ids)) if curve_ids else []
    return Inputs(events=events, defaults=defaults, curves=curves)


def timeline_for_device(*, end_device: EndDevice, start: dt.datetime, end: dt.datetime) -> list[Segment]:
    """Every control's effective value for ``end_device`` over [start, end), from the database."""
    programs = programs_for_device(end_device)
    inputs = load_inputs(programs=programs, start=start, end=end)
    return resolve(
        programs=programs,
        events=inputs.events,
        defaults=inputs.defaults,
        curve_mrids=inputs.curve_mrids,
        device_category=end_device.device_category,
        start=start,
        end=end,
    )


def resolve(
    *,
    programs: Sequence[DERProgram],
    events: Iterable[DERControl],
    defaults: Mapping[int, DefaultDERControl],
    curve_mrids: Mapping[int, str],
    device_category: int | None,
    start: dt.datetime,
    end: dt.datetime,
) -> list[Segment]:
    """Combine events and defaults of ``programs`` into segments, per control in schema order."""
    by_id = {p.pk: p for p in programs}
    ranked = sorted(
        (e for e in events if e.program_id in by_id and applies_to(e, device_category)),
        key=lambda e: (by_id[e.program_id].primacy, -e.creation_time.timestamp(), -e.pk),
    )
    event_values = {e.pk: control_values(e, curve_mrids=curve_mrids) for e in ranked}
    setting: dict[str, list[DERControl]] = {}
    for event in ranked:
        for element in event_values[event.pk]:
            setting.setdefault(element, []).append(event)
    default_programs = [p for p in sorted(programs, key=lambda p: (p.primacy, p.pk)) if p.pk in defaults]
    default_values = {
        p.pk: control_values(
            defaults[p.pk], controls=CONTROLS + DEFAULT_ONLY_SETTINGS, curve_mrids=curve_mrids
        )
        for p in default_programs
    }
    segments: list[Segment] = []
    for control in CONTROLS + DEFAULT_ONLY_SETTINGS:
        element = control.element
        fallback = next((p for p in default_programs if element in default_values[p.pk]), None)
        default = (
            Segment(element, default_values[fallback.pk][element], start, end, fallback.mrid, None)
            if fallback
            else None
        )
        contenders = setting.get(element, [])
        runs = [
            Segment(
                element, event_values[e.pk][element], run_start, run_end, by_id[e.program_id].mrid, e.mrid
            )
            for e, (run_start, run_end) in zip(contenders, _runs(contenders), strict=True)
            if run_start < end and run_end > start and run_start < run_end
        ]
        segments += _fill(runs, default=default, start=start, end=end)
    return segments


def applies_to(event: DERControl, device_category: int | None) -> bool:
    """A DER ignores events addressed to other device categories (DERControl deviceCategory)."""
    return (
        event.device_category is None
        or device_category is None
        or bool(event.device_category & device_category)
    )


def _server_stop(event: DERControl) -> dt.datetime:
    """When the server's cancel or supersede ends the event (NEVER if it decided neither)."""
    return event.status_time if event.status in TERMINAL_STATUSES else NEVER


def _runs(ranked: list[DERControl]) -> list[tuple[dt.datetime, dt.datetime]]:
    """For events setting one control, best first: when each actually runs, after every cut."""
    facts = [
        (e.start, e.start + dt.timedelta(seconds=e.duration), e.creation_time, _server_stop(e))
        for e in ranked
    ]
    runs = []
    for i, (start, end, _, server_stop) in enumerate(facts):
        stop = min(end, server_stop)
        for w_start, w_end, w_created, w_server_stop in facts[:i]:
            if w_start >= end or start >= w_end:
                continue
            # Known before this event started: it never runs; else it runs until the winner starts.
            cut = start if w_created <= start else max(start, w_start)
            if w_server_stop > cut:
                stop = min(stop, cut)
        runs.append((start, stop))
    return runs


def _fill(
    runs: list[Segment], *, default: Segment | None, start: dt.datetime, end: dt.datetime
) -> list[Segment]:
    """Clip the runs to the window and let the default fill the gaps between them."""
    result: list[Segment] = []
    cursor = start
    for run in sorted(runs, key=lambda s: s.start):
        run_start, run_end = max(run.start, start, cursor), min(run.end, end)
        if run_start >= run_end:
            continue
        if default and cursor < run_start:
            result.append(_clip(default, cursor, run_start))
        result.append(_clip(run, run_start, run_end))
        cursor = run_end
    if default and cursor < end:
        result.append(_clip(default, cursor, end))
    return result


def _clip(segment: Segment, start: dt.datetime, end: dt.datetime) -> Segment:
    return replace(segment, start=start, end=end)
