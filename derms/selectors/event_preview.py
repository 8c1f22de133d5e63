"""What a new event would do, before it is saved: the resolver with and without it, on a few DERs.

The candidate is an unsaved DERControl; the resolver runs on it in memory next to the stored events, so
a preview writes nothing. It shows which sampled DERs the event would reach and where an event of a
program with lower primacy would override it (CSIP 5.2.4.2, 7.10).
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils import timezone

from derms.events.resolver import Segment, load_inputs, resolve
from derms.events.services import build_control
from derms.events.values import controls_set
from derms.models import DERControl, DERProgram, EndDevice
from derms.selectors.membership import programs_for_device
from derms.selectors.timelines import ControlTimeline, curve_name, group_by_control
from groups.selectors import end_devices_in

SAMPLE_SIZE = 5
#: The time shown before and after the event, so the dispatcher sees what it interrupts.
MARGIN = dt.timedelta(hours=1)
#: An id no stored event has, for the candidate: the resolver keys events by id and, at equal
#: creationTime, lets the higher id win, as the newest event does.
CANDIDATE_ID = 2**63 - 1


class Effect(StrEnum):
    WHOLE = "whole event"
    PARTLY = "partly overridden"
    NONE = "fully overridden"


@dataclass(frozen=True)
class Outcome:
    """What the event does on the sampled DERs that see the same timelines with and without it."""

    ders: list[EndDevice]
    without_event: list[ControlTimeline]
    with_event: list[ControlTimeline]
    effect: Effect
    #: Programs whose events would replace the new one on these DERs, lowest primacy first.
    overridden_by: list[DERProgram]


@dataclass(frozen=True)
class EventPreview:
    candidate: DERControl
    start: dt.datetime
    end: dt.datetime
    der_count: int
    sampled: int
    outcomes: list[Outcome]


def candidate_event(*, program: DERProgram, **fields: Any) -> DERControl:
    """The DERControl create_control would store for the same arguments, in memory only.

    ``fields`` are build_control's (start, duration, values, randomization, description, ...); its
    ValidationError is the one Save would raise.
    """
    candidate = build_control(program=program, now=timezone.now(), **fields)
    candidate.pk = CANDIDATE_ID
    return candidate


def preview_event(*, candidate: DERControl, sample_size: int = SAMPLE_SIZE) -> EventPreview:
    """Resolve the first ``sample_size`` DERs of the candidate's program with and without it.

    Queries: two for the sample, one per sampled DER for its programs, two for the events, one for
    curves, however many events the programs hold.
    """
    program = candidate.program
    start, end = candidate.start - MARGIN, candidate.end + MARGIN
    members = end_devices_in(program.group)
    sample = list(members.select_related("topology_group").order_by("sfdi", "id")[:sample_size])
    programs = {der.pk: programs_for_device(der) for der in sample}
    inputs = load_inputs(
        programs={p.pk: p for ps in programs.values() for p in ps}.values(),
        start=start,
        end=end,
        also=[candidate],
    )
    events, defaults, curves = inputs.events, inputs.defaults, inputs.curves
    names = {curve.mrid: curve_name(curve) for curve in curves}
    mrids = inputs.curve_mrids
    events_by_mrid = {e.mrid: e for e in [*events, candidate]}
    elements = controls_set(candidate)

    def timeline(der: EndDevice, with_candidate: bool) -> list[Segment]:
        segments = resolve(
            programs=programs[der.pk],
            events=[*events, candidate] if with_candidate else events,
            defaults=defaults,
            curve_mrids=mrids,
            device_category=der.device_category,
            start=start,
            end=end,
        )
        return [s for s in segments if s.control in elements]

    def readable(der: EndDevice, segments: list[Segment]) -> list[ControlTimeline]:
        return group_by_control(
            segments, programs=programs[der.pk], events=events_by_mrid, names_of_curves=names
        )

    outcomes: list[Outcome] = []
    for der in sample:
        with_event = timeline(der, True)
        timelines = (readable(der, timeline(der, False)), readable(der, with_event))
        same = next((o for o in outcomes if (o.without_event, o.with_event) == timelines), None)
        if same:
            same.ders.append(der)
            continue
        outcomes.append(
            Outcome(
                [der],
                *timelines,
                effect=_effect(candidate, with_event, control_count=len(elements)),
                overridden_by=_overriders(candidate, with_event, programs=programs[der.pk]),
            )
        )
    return EventPreview(
        candidate=candidate,
        start=start,
        end=end,
        der_count=members.count(),
        sampled=len(sample),
        outcomes=outcomes,
    )


def _effect(candidate: DERControl, segments: list[Segment], *, control_count: int) -> Effect:
    """Whether the event would run its whole duration for every control it sets on this DER."""
    runs = sum((s.end - s.start for s in segments if s.event == candidate.mrid), dt.timedelta())
    if not runs:
        return Effect.NONE
    if runs == dt.timedelta(seconds=candidate.duration) * control_count:
        return Effect.WHOLE
    return Effect.PARTLY


def _overriders(
    candidate: DERControl, segments: list[Segment], *, programs: list[DERProgram]
) -> list[DERProgram]:
    """Programs whose events hold one of the candidate's controls during the candidate's own period."""
    mrids = {
        s.program
        for s in segments
        if s.event not in (None, candidate.mrid) and s.start < candidate.end and s.end > candidate.start
    }
    return [p for p in programs if p.mrid in mrids]
