"""record_transitions: the clock's changes (an event becomes Active, an event is over) reach the outbox
once each, however often the task runs and however long it was not running."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from derms.celery import app
from derms.changefeed import Kind
from derms.events.services import create_control
from derms.events.tasks import JOB, SETTLE, record_transitions
from derms.models import Change, ClockWatermark, DERControl, EventStatus
from tests.factories import feed_actions

HOUR = dt.timedelta(hours=1)
CLOCK_ACTIONS = ("control_started", "control_ended")


def past_event(program, *, created: dt.datetime, start: dt.datetime, seconds: int, **fields) -> DERControl:
    """An event the server scheduled earlier, written as it was then (the service only takes new ones)."""
    return DERControl.objects.create(
        program=program,
        creation_time=created,
        status_time=fields.pop("status_time", created),
        start=start,
        duration=seconds,
        op_mod_max_lim_w=5000,
        **fields,
    )


def recorded() -> list[tuple[int, str, dt.datetime]]:
    return list(
        Change.objects.filter(resource=Kind.DER_CONTROL, action__in=CLOCK_ACTIONS)
        .order_by("effective_at", "id")
        .values_list("object_id", "action", "effective_at")
    )


def stopped_since(moment: dt.datetime) -> None:
    """The task last ran at ``moment``: the server was down from then until now."""
    ClockWatermark.objects.update_or_create(job=JOB, defaults={"reached": moment})


def test_the_first_run_starts_the_watermark_and_announces_nothing_from_before(program):
    now = timezone.now()
    past_event(program, created=now - 3 * HOUR, start=now - 2 * HOUR, seconds=600)

    assert record_transitions() == 0

    assert recorded() == []
    assert ClockWatermark.objects.get(job=JOB).reached >= now - SETTLE


def test_after_downtime_it_records_every_start_and_end_in_time_order(program):
    now = timezone.now()
    stopped_since(now - 4 * HOUR)
    first = past_event(program, created=now - 5 * HOUR, start=now - 3 * HOUR, seconds=3600)
    second = past_event(
        program, created=now - 5 * HOUR, start=now - 150 * dt.timedelta(minutes=1), seconds=600
    )
    running = past_event(program, created=now - 5 * HOUR, start=now - HOUR, seconds=7200)

    assert record_transitions() == 5

    assert recorded() == [
        (first.pk, "control_started", first.start),
        (second.pk, "control_started", second.start),
        (second.pk, "control_ended", second.end),
        (first.pk, "control_ended", first.end),
        (running.pk, "control_started", running.start),
    ]


def test_running_it_again_records_nothing_twice(program):
    now = timezone.now()
    stopped_since(now - 4 * HOUR)
    past_event(program, created=now - 5 * HOUR, start=now - 3 * HOUR, seconds=3600)
    record_transitions()
    before = recorded()

    assert record_transitions() == 0

    assert recorded() == before


def test_an_event_cancelled_before_its_start_never_starts_but_still_leaves_the_lists(program):
    now = timezone.now()
    stopped_since(now - 4 * HOUR)
    cancelled = past_event(
        program,
        created=now - 5 * HOUR,
        start=now - 2 * HOUR,
        seconds=600,
        status=EventStatus.CANCELLED,
        status_time=now - 3 * HOUR,
    )

    record_transitions()

    assert recorded() == [(cancelled.pk, "control_ended", cancelled.end)]


def test_an_event_created_to_start_now_is_announced_by_its_creation_only(program):
    stopped_since(timezone.now() - HOUR)
    event = create_control(program=program, start="now", duration=600, values={"opModMaxLimW": 1})

    record_transitions()

    assert recorded() == []
    assert feed_actions(Kind.DER_CONTROL, event) == ["control_created"]


def test_events_to_come_are_left_for_a_later_run(program, soon):
    stopped_since(timezone.now() - HOUR)
    create_control(program=program, start=soon, duration=600, values={"opModMaxLimW": 1})

    assert record_transitions() == 0


def test_celery_beat_runs_it_every_five_seconds():
    app.loader.import_default_modules()
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == record_transitions.name]

    assert entry["schedule"] == 5
    assert record_transitions.name in app.tasks
    assert settings.CELERY_BEAT_SCHEDULE_FILENAME.startswith(str(settings.VAR_DIR))
