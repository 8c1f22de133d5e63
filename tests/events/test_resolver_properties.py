"""Properties of the resolver that hold for any mix of programs, events and defaults (hypothesis).

The resolver's core works on model instances, so these examples are built in memory: thousands of
cases run in seconds, and the database-backed path is covered by test_resolver.py.
"""

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from derms.events.resolver import resolve
from derms.models import DefaultDERControl, DERControl, DERProgram, EventStatus

BASE = dt.datetime(2030, 6, 1, 12, tzinfo=dt.UTC)
WINDOW_END = BASE + dt.timedelta(hours=3)
#: Three controls of different kinds are enough to mix overlapping and independent events.
FIELDS = {
    "opModMaxLimW": "op_mod_max_lim_w",
    "opModFixedW": "op_mod_fixed_w",
    "opModConnect": "op_mod_connect",
}
VALUES = {
    "opModMaxLimW": st.integers(0, 10000),
    "opModFixedW": st.integers(-10000, 10000),
    "opModConnect": st.booleans(),
}


def minutes(n: int) -> dt.datetime:
    return BASE + dt.timedelta(minutes=n)


@st.composite
def scenarios(draw):
    count = draw(st.integers(1, 5))
    programs = [DERProgram(pk=i + 1, mrid=f"P{i + 1}", primacy=draw(st.integers(0, 3))) for i in range(count)]
    defaults = {}
    for program in programs:
        chosen = draw(st.sets(st.sampled_from(sorted(FIELDS))))
        if chosen:
            defaults[program.pk] = DefaultDERControl(
                program_id=program.pk, **{FIELDS[c]: draw(VALUES[c]) for c in chosen}
            )
    events = []
    for pk in range(1, draw(st.integers(0, 12)) + 1):
        start = minutes(draw(st.integers(-60, 200)))
        status = draw(
            st.sampled_from([EventStatus.SCHEDULED] * 3 + [EventStatus.CANCELLED, EventStatus.SUPERSEDED])
        )
        chosen = draw(st.sets(st.sampled_from(sorted(FIELDS)), min_size=1))
        events.append(
            DERControl(
                pk=pk,
                mrid=f"E{pk}",
                program_id=draw(st.sampled_from(programs)).pk,
                start=start,
                duration=60 * draw(st.integers(1, 120)),
                creation_time=minutes(draw(st.integers(-120, 200))),
                status=status,
                status_time=minutes(draw(st.integers(-60, 240))),
                **{FIELDS[c]: draw(VALUES[c]) for c in chosen},
            )
        )
    return programs, events, defaults


def controls_of(event: DERControl) -> set[str]:
    return {c for c, field in FIELDS.items() if getattr(event, field) is not None}


def end_of(event: DERControl) -> dt.datetime:
    return event.start + dt.timedelta(seconds=event.duration)


def run(programs, events, defaults):
    return resolve(
        programs=programs,
        events=events,
        defaults=defaults,
        curve_mrids={},
        device_category=None,
        start=BASE,
        end=WINDOW_END,
    )


def by_control(segments):
    ordered = sorted(segments, key=lambda s: (s.control, s.start))
    return {c: list(group) for c, group in itertools.groupby(ordered, key=lambda s: s.control)}


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_at_any_instant_each_control_has_at_most_one_value(scenario):
    for segments in by_control(run(*scenario)).values():
        for earlier, later in itertools.pairwise(segments):
            assert earlier.end <= later.start
        assert all(BASE <= s.start < s.end <= WINDOW_END for s in segments)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_a_lower_primacy_programs_event_always_wins_over_an_overlapping_higher_primacy_one(scenario):
    programs, events, defaults = scenario
    primacy = {p.pk: p.primacy for p in programs}
    segments = run(programs, events, defaults)
    for winner, loser in itertools.permutations(events, 2):
        if winner.status != EventStatus.SCHEDULED or primacy[winner.program_id] >= primacy[loser.program_id]:
            continue
        shared = controls_of(winner) & controls_of(loser)
        overlap_start = max(winner.start, loser.start)
        overlap_end = min(end_of(winner), end_of(loser))
        for s in segments:
            if s.control in shared and s.event == loser.mrid:
                assert s.end <= overlap_start or s.start >= overlap_end


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_defaults_fill_exactly_the_gaps_between_events(scenario):
    programs, events, defaults = scenario
    ranked = sorted((p for p in programs if p.pk in defaults), key=lambda p: (p.primacy, p.pk))
    for control, segments in by_control(run(programs, events, defaults)).items():
        best = next((p for p in ranked if getattr(defaults[p.pk], FIELDS[control]) is not None), None)
        for s in segments:
            if s.event is None:
                assert (s.program, s.value) == (best.mrid, getattr(defaults[best.pk], FIELDS[control]))
        if best is None:
            continue
        assert segments[0].start == BASE and segments[-1].end == WINDOW_END
        for earlier, later in itertools.pairwise(segments):
            assert earlier.end == later.start
            assert not (earlier.event is None and later.event is None)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_an_event_runs_at_most_once_and_never_resumes(scenario):
    for segments in by_control(run(*scenario)).values():
        runs = [s.event for s in segments if s.event is not None]
        assert len(runs) == len(set(runs))
