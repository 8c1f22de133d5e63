"""The server's supersede rules within one DERProgram (2030.5 EventStatus annotation, CSIP 7.10)."""

import datetime as dt

from derms.changefeed import Kind
from derms.events.lifecycle import status_at
from derms.events.services import NOW, cancel_control, create_control
from derms.models import Change, EventStatus
from tests.factories import feed_actions

MINUTE = dt.timedelta(minutes=1)


def reloaded(control):
    control.refresh_from_db()
    return control


def test_a_newer_overlapping_event_with_the_same_controls_supersedes_the_older_at_its_start(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values={"opModMaxLimW": 5000})
    newer = create_control(
        program=program, start=soon + 30 * MINUTE, duration=600, values={"opModMaxLimW": 2000}
    )
    older = reloaded(older)
    assert (older.status, older.status_time) == (EventStatus.SUPERSEDED, newer.start)
    assert status_at(older, newer.start - MINUTE).current_status == EventStatus.ACTIVE
    assert status_at(older, newer.start).current_status == EventStatus.SUPERSEDED
    assert supersede_announcements(older) == [newer.start]


def test_a_superseded_event_never_resumes_after_the_newer_one_ends(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values={"opModMaxLimW": 5000})
    newer = create_control(
        program=program, start=soon + 10 * MINUTE, duration=600, values={"opModMaxLimW": 0}
    )
    assert status_at(reloaded(older), newer.end + MINUTE).current_status == EventStatus.SUPERSEDED


def test_the_supersede_time_is_the_newer_events_earliest_effective_start(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values={"opModConnect": True})
    newer = create_control(
        program=program,
        start=soon + 30 * MINUTE,
        duration=600,
        randomize_start=-120,
        values={"opModConnect": False},
    )
    assert reloaded(older).status_time == newer.start - dt.timedelta(seconds=120)


def test_a_newer_event_starting_now_supersedes_immediately(program, now):
    older = create_control(program=program, start=NOW, duration=3600, values={"opModFixedW": 100})
    newer = create_control(program=program, start=NOW, duration=600, values={"opModFixedW": -100})
    older = reloaded(older)
    assert older.status_time == newer.creation_time
    assert status_at(older, newer.creation_time).current_status == EventStatus.SUPERSEDED


def test_partly_overlapping_controls_mark_both_events_potentially_superseded(program, soon):
    older = create_control(
        program=program, start=soon, duration=3600, values={"opModMaxLimW": 5000, "opModFixedW": 100}
    )
    newer = create_control(
        program=program, start=soon + 10 * MINUTE, duration=600, values={"opModMaxLimW": 0}
    )
    older = reloaded(older)
    newer = reloaded(newer)
    assert older.status == EventStatus.SCHEDULED
    assert (older.potentially_superseded, older.potentially_superseded_time) == (True, newer.creation_time)
    assert (newer.potentially_superseded, newer.potentially_superseded_time) == (True, newer.creation_time)
    view = status_at(older, soon)
    assert (view.potentially_superseded, view.potentially_superseded_time) == (True, newer.creation_time)


def test_events_that_do_not_overlap_in_time_leave_each_other_alone(program, soon):
    older = create_control(program=program, start=soon, duration=600, values={"opModMaxLimW": 5000})
    create_control(program=program, start=soon + 10 * MINUTE, duration=600, values={"opModMaxLimW": 0})
    older = reloaded(older)
    assert (older.status, older.potentially_superseded) == (EventStatus.SCHEDULED, False)


def test_events_of_another_program_are_never_marked_by_the_server(program, vendor_program, soon):
    older = create_control(program=vendor_program, start=soon, duration=3600, values={"opModMaxLimW": 5000})
    create_control(program=program, start=soon, duration=3600, values={"opModMaxLimW": 0})
    older = reloaded(older)
    assert (older.status, older.potentially_superseded) == (EventStatus.SCHEDULED, False)


def test_events_for_other_device_categories_do_not_supersede(program, soon):
    photovoltaic, storage = 0x20000, 0x40000
    older = create_control(
        program=program, start=soon, duration=3600, device_category=photovoltaic, values={"opModMaxLimW": 1}
    )
    create_control(
        program=program, start=soon, duration=3600, device_category=storage, values={"opModMaxLimW": 2}
    )
    assert reloaded(older).status == EventStatus.SCHEDULED


def test_cancelling_the_newer_event_before_it_starts_withdraws_the_supersede(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values={"opModMaxLimW": 5000})
    newer = create_control(
        program=program, start=soon + 30 * MINUTE, duration=600, values={"opModMaxLimW": 0}
    )
    cancel_control(control=newer)
    older = reloaded(older)
    assert (older.status, older.status_time) == (EventStatus.SCHEDULED, older.creation_time)
    assert status_at(older, soon + 45 * MINUTE).current_status == EventStatus.ACTIVE


def test_cancelling_one_of_two_superseding_events_keeps_the_other_supersede(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values={"opModMaxLimW": 5000})
    early = create_control(program=program, start=soon + 10 * MINUTE, duration=60, values={"opModMaxLimW": 1})
    late = create_control(program=program, start=soon + 30 * MINUTE, duration=60, values={"opModMaxLimW": 2})
    assert reloaded(older).status_time == early.start
    cancel_control(control=early)
    older = reloaded(older)
    assert (older.status, older.status_time) == (EventStatus.SUPERSEDED, late.start)


def supersede_announcements(control) -> list:
    return list(
        Change.objects.filter(
            resource=Kind.DER_CONTROL, object_id=control.pk, action="control_superseded"
        ).values_list("effective_at", flat=True)
    )


def test_a_withdrawn_supersede_is_recorded_when_it_is_withdrawn(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values={"opModMaxLimW": 5000})
    newer = create_control(
        program=program, start=soon + 30 * MINUTE, duration=600, values={"opModMaxLimW": 0}
    )
    assert supersede_announcements(older) == [newer.start]

    cancel_control(control=newer)

    # The announcement for later stays: at its time subscribers get the event as it is then, scheduled.
    assert feed_actions(Kind.DER_CONTROL, older)[-1] == "supersede_withdrawn"
    assert reloaded(older).status == EventStatus.SCHEDULED


def test_a_supersede_moved_to_the_other_event_is_announced_at_its_new_time(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values={"opModMaxLimW": 5000})
    early = create_control(program=program, start=soon + 10 * MINUTE, duration=60, values={"opModMaxLimW": 1})
    late = create_control(program=program, start=soon + 30 * MINUTE, duration=60, values={"opModMaxLimW": 2})
    assert supersede_announcements(older) == [early.start]

    cancel_control(control=early)

    assert supersede_announcements(older) == [early.start, late.start]
    assert reloaded(older).status_time == late.start


def test_a_supersede_brought_forward_by_a_newer_event_is_announced_at_the_earlier_time(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values={"opModMaxLimW": 5000})
    create_control(program=program, start=soon + 30 * MINUTE, duration=60, values={"opModMaxLimW": 2})
    earlier = create_control(
        program=program, start=soon + 10 * MINUTE, duration=60, values={"opModMaxLimW": 1}
    )

    assert supersede_announcements(older)[-1] == earlier.start
    assert reloaded(older).status_time == earlier.start
