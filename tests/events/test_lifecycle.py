"""An event's status over time: Scheduled, Active, over, Cancelled; derived from the clock when read."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from derms.changefeed import Kind
from derms.events.lifecycle import status_at, transitions_between
from derms.events.services import NOW, cancel_control, create_control
from derms.models import AuditEntry, DERControl, EventStatus
from tests.factories import feed_actions

LIMIT = {"opModMaxLimW": 5000}
SECOND = dt.timedelta(seconds=1)


def test_a_future_event_is_scheduled_then_active_at_its_start_then_over(program, soon):
    control = create_control(program=program, start=soon, duration=600, values=LIMIT)
    before = status_at(control, soon - SECOND)
    assert (before.current_status, before.date_time, before.is_over) == (
        EventStatus.SCHEDULED,
        control.creation_time,
        False,
    )
    during = status_at(control, soon)
    assert (during.current_status, during.date_time, during.is_over) == (EventStatus.ACTIVE, soon, False)
    assert status_at(control, control.end).is_over


def test_an_event_starting_now_is_never_shown_as_scheduled(program):
    control = create_control(program=program, start=NOW, duration=600, values=LIMIT)
    view = status_at(control, control.creation_time)
    assert view.current_status == EventStatus.ACTIVE
    assert view.date_time == control.creation_time


def test_an_event_becomes_active_at_its_earliest_effective_start(program, soon):
    control = create_control(program=program, start=soon, duration=600, randomize_start=-300, values=LIMIT)
    assert status_at(control, soon - dt.timedelta(seconds=301)).current_status == EventStatus.SCHEDULED
    active = status_at(control, soon - dt.timedelta(seconds=300))
    assert (active.current_status, active.date_time) == (EventStatus.ACTIVE, soon - dt.timedelta(seconds=300))


def test_randomization_stretches_the_effective_scheduled_period(program, soon):
    control = create_control(
        program=program, start=soon, duration=600, randomize_start=120, randomize_duration=60, values=LIMIT
    )
    assert not status_at(control, control.end + dt.timedelta(seconds=179)).is_over
    assert status_at(control, control.end + dt.timedelta(seconds=180)).is_over


def test_a_cancelled_event_stays_visible_for_its_original_duration_and_is_never_deleted(
    program, soon, dispatcher
):
    control = create_control(program=program, start=soon, duration=600, values=LIMIT)
    cancelled = cancel_control(control=control, actor=dispatcher, reason="Feeder back to normal")
    view = status_at(cancelled, soon + dt.timedelta(seconds=10))
    assert (view.current_status, view.date_time, view.reason) == (
        EventStatus.CANCELLED,
        cancelled.status_time,
        "Feeder back to normal",
    )
    assert not view.is_over
    assert status_at(cancelled, cancelled.end).is_over
    assert DERControl.objects.filter(pk=control.pk).exists()


def test_cancelling_a_randomized_event_is_cancelled_with_randomization(program, soon):
    control = create_control(program=program, start=soon, duration=600, randomize_duration=30, values=LIMIT)
    assert cancel_control(control=control).status == EventStatus.CANCELLED_WITH_RANDOMIZATION


def test_cancelling_is_audited_and_announced(program, soon, dispatcher):
    control = create_control(program=program, start=soon, duration=600, values=LIMIT)
    cancel_control(control=control, actor=dispatcher)
    entry = AuditEntry.objects.get(action="der_control.cancel")
    assert (entry.before["status"], entry.after["status"]) == ("Scheduled", "Cancelled")
    assert feed_actions(Kind.DER_CONTROL, control) == ["control_created", "control_cancelled"]


def test_an_event_cannot_be_cancelled_twice(program, soon):
    control = create_control(program=program, start=soon, duration=600, values=LIMIT)
    cancel_control(control=control)
    with pytest.raises(ValidationError) as caught:
        cancel_control(control=control)
    assert "status" in caught.value.message_dict


def test_an_event_that_is_over_cannot_be_cancelled(program, now):
    past = DERControl.objects.create(
        program=program, start=now - dt.timedelta(hours=2), duration=600, op_mod_max_lim_w=5000
    )
    with pytest.raises(ValidationError):
        cancel_control(control=past)
    past.refresh_from_db()
    assert past.status == EventStatus.SCHEDULED


def test_time_driven_transitions_in_a_window_are_listed_in_order(program, soon):
    first = create_control(program=program, start=soon, duration=600, values=LIMIT)
    second = create_control(
        program=program, start=soon + dt.timedelta(minutes=5), duration=60, values={"opModFixedW": 100}
    )
    cancelled = create_control(program=program, start=soon, duration=60, values={"opModConnect": False})
    cancel_control(control=cancelled)
    listed = [
        (t.control, t.kind, t.at)
        for t in transitions_between(start=soon - SECOND, end=soon + dt.timedelta(minutes=10, seconds=1))
    ]
    assert listed == [
        (first, "started", soon),
        (cancelled, "ended", soon + dt.timedelta(seconds=60)),
        (second, "started", soon + dt.timedelta(minutes=5)),
        (second, "ended", soon + dt.timedelta(minutes=6)),
        (first, "ended", soon + dt.timedelta(minutes=10)),
    ]
