"""The ActiveDERControlList query agrees with status_at: what a client reads as Active is listed there."""

import datetime as dt

from csip_api.selectors.programs import active_controls, listed_controls
from derms.events.lifecycle import status_at
from derms.events.services import create_control
from derms.models import EventStatus

LIMIT = {"opModMaxLimW": 5000}
PF = {"opModFixedPFInjectW": {"displacement": 95, "excitation": False, "multiplier": -2}}


def active_at(program, moment):
    return set(active_controls(program.pk, moment).values_list("mrid", flat=True))


def test_an_event_is_listed_as_active_from_its_earliest_effective_start(program, soon):
    control = create_control(program=program, start=soon, duration=600, randomize_start=-300, values=LIMIT)
    assert active_at(program, soon - dt.timedelta(seconds=301)) == set()
    assert active_at(program, soon - dt.timedelta(seconds=300)) == {control.mrid}


def test_an_event_superseded_in_the_future_stays_active_until_then(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values=LIMIT)
    later = soon + dt.timedelta(minutes=30)
    create_control(program=program, start=later, duration=600, values={"opModMaxLimW": 3000})
    older.refresh_from_db()
    assert older.status == EventStatus.SUPERSEDED
    midway = soon + dt.timedelta(minutes=10)
    assert status_at(older, midway).current_status == EventStatus.ACTIVE
    assert older.mrid in active_at(program, midway)
    assert older.mrid not in active_at(program, later)


def test_an_event_leaves_both_lists_when_its_randomized_period_is_over(program, soon):
    control = create_control(program=program, start=soon, duration=600, randomize_duration=120, values=PF)
    last_moment = soon + dt.timedelta(seconds=719)
    assert active_at(program, last_moment) == {control.mrid}
    over = soon + dt.timedelta(seconds=720)
    assert status_at(control, over).is_over
    assert active_at(program, over) == set()
    assert not listed_controls(program.pk, over).exists()
