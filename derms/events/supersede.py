"""The server's supersede rules inside one DERProgram (2030.5 EventStatus, CSIP 5.2.4.2 and 7.10).

A newer event that overlaps an older one in time and sets exactly the same controls for the same device
categories supersedes it at the newer event's earliest effective start; an overlap in some but not all of
them marks both as potentially superseded. Across programs the server marks nothing: clients decide by
primacy, and ``derms.events.resolver`` computes what they will do.
"""

import datetime as dt

from derms import changefeed
from derms.changefeed import affected
from derms.events.lifecycle import MAX_RANDOMIZATION, earliest_start, is_live_at
from derms.events.values import controls_set
from derms.models import DERControl, EventStatus


def _overlap_in_time(a: DERControl, b: DERControl) -> bool:
    return a.start < b.end and b.start < a.end


def _categories_equal(a: DERControl, b: DERControl) -> bool:
    return a.device_category == b.device_category


def _categories_overlap(a: DERControl, b: DERControl) -> bool:
    if a.device_category is None or b.device_category is None:
        return True
    return bool(a.device_category & b.device_category)


def supersedes(newer: DERControl, older: DERControl) -> bool:
    """``newer`` replaces ``older``: same program, overlapping, the exact same controls and categories."""
    return (
        newer.program_id == older.program_id
        and _overlap_in_time(newer, older)
        and _categories_equal(newer, older)
        and controls_set(newer) == controls_set(older)
    )


def partly_overlaps(newer: DERControl, older: DERControl) -> bool:
    """Overlapping in time and in some, but not all, controls or device categories."""
    if newer.program_id != older.program_id or not _overlap_in_time(newer, older):
        return False
    if not _categories_overlap(newer, older) or not controls_set(newer) & controls_set(older):
        return False
    return not supersedes(newer, older)


def _neighbours(control: DERControl, *, now: dt.datetime) -> list[DERControl]:
    """The program's other events overlapping ``control`` in time that may not be over, locked for update."""
    return list(
        DERControl.objects.select_for_update()
        .filter(program_id=control.program_id, start__lt=control.end, end__gt=control.start)
        .filter(end__gt=now - 2 * MAX_RANDOMIZATION)
        .exclude(pk=control.pk)
        .order_by("creation_time", "id")
    )


def _is_newer(a: DERControl, b: DERControl) -> bool:
    return (a.creation_time, a.pk) > (b.creation_time, b.pk)


def apply_supersede_rules(*, newer: DERControl, now: dt.datetime) -> None:
    """Mark the events ``newer`` supersedes or partly overlaps, each change recorded in the feed.

    A supersede that takes effect later (at the newer event's start) is recorded for that time.
    """
    marked_potentially = False
    for older in _neighbours(newer, now=now):
        if not is_live_at(older, now) or not _is_newer(newer, older):
            continue
        if supersedes(newer, older):
            at = max(now, earliest_start(newer))
            if older.status == EventStatus.SUPERSEDED and older.status_time <= at:
                continue  # an earlier newer event replaces it first: nothing changes
            older.status, older.status_time = EventStatus.SUPERSEDED, at
            older.save(update_fields=["status", "status_time"])
            _record_supersede(older)
        elif partly_overlaps(newer, older):
            marked_potentially = True
            if not older.potentially_superseded:
                _mark_potentially_superseded(older, now)
    if marked_potentially and not newer.potentially_superseded:
        _mark_potentially_superseded(newer, now)


def withdraw_supersedes_by(*, cancelled: DERControl, now: dt.datetime) -> None:
    """Recompute the supersedes still to come that ``cancelled`` caused: it replaces nothing now.

    A supersede recorded for later stays in the feed: when its time comes subscribers are sent the event
    as it is then, which is true, rather than nothing.
    """
    for older in _neighbours(cancelled, now=now):
        pending = older.status == EventStatus.SUPERSEDED and older.status_time > now
        if not pending or not supersedes(cancelled, older) or not _is_newer(cancelled, older):
            continue
        times = [
            max(now, earliest_start(other))
            for other in _neighbours(older, now=now)
            if is_live_at(other, now) and _is_newer(other, older) and supersedes(other, older)
        ]
        if times:
            older.status_time = min(times)
            older.save(update_fields=["status", "status_time"])
            _record_supersede(older)
        else:
            older.status, older.status_time = EventStatus.SCHEDULED, older.creation_time
            older.save(update_fields=["status", "status_time"])
            changefeed.record("supersede_withdrawn", affected.control(older))


def _record_supersede(control: DERControl) -> None:
    """Clients see the supersede from the control's status time, which may be later than now."""
    changefeed.record("control_superseded", affected.control(control), effective_at=control.status_time)


def _mark_potentially_superseded(control: DERControl, now: dt.datetime) -> None:
    control.potentially_superseded, control.potentially_superseded_time = True, now
    control.save(update_fields=["potentially_superseded", "potentially_superseded_time"])
    changefeed.record("control_potentially_superseded", affected.control(control))
