"""What a DER will do: the resolver over all programs of its FSAs (CSIP 5.2.4.2, 7.10)."""

import datetime as dt

import pytest
from django.utils import timezone

from derms.der_controls import CurveType
from derms.events.resolver import timeline_for_device
from derms.events.services import NOW, cancel_control, create_control, create_curve, update_default_control
from derms.models import DERControl, DERProgram, EndDevice, Role
from derms.selectors.membership import programs_for_device
from groups.models import MAX_GROUPS_PER_DER, Group, Level

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def limits(segments):
    """The opModMaxLimW timeline as (value, start, end, source)."""
    return [(s.value, s.start, s.end, s.source) for s in segments if s.control == "opModMaxLimW"]


@pytest.fixture
def system_default(system_program):
    return update_default_control(program=system_program, values={"opModMaxLimW": 10000})


def test_csip_7_10_superseded_before_start_the_lower_priority_event_never_runs(
    der, feeder_program, service_point_program, system_default, soon
):
    lower = create_control(program=feeder_program, start=soon, duration=7200, values={"opModMaxLimW": 6000})
    higher = create_control(
        program=service_point_program, start=soon + 30 * MINUTE, duration=1800, values={"opModMaxLimW": 3000}
    )
    window_end = soon + 3 * HOUR
    assert limits(timeline_for_device(end_device=der, start=soon, end=window_end)) == [
        (10000, soon, higher.start, "default"),
        (3000, higher.start, higher.end, higher.mrid),
        (10000, higher.end, window_end, "default"),
    ]
    assert lower.mrid not in {
        s.event for s in timeline_for_device(end_device=der, start=soon, end=window_end)
    }


def test_csip_7_10_superseded_after_start_the_lower_priority_event_runs_until_the_higher_starts(
    der, feeder_program, service_point_program, system_default
):
    lower = create_control(program=feeder_program, start=NOW, duration=7200, values={"opModMaxLimW": 6000})
    higher_start = timezone.now() + 30 * MINUTE
    higher = create_control(
        program=service_point_program, start=higher_start, duration=1800, values={"opModMaxLimW": 3000}
    )
    window_end = lower.start + 3 * HOUR
    assert limits(timeline_for_device(end_device=der, start=lower.start, end=window_end)) == [
        (6000, lower.start, higher.start, lower.mrid),
        (3000, higher.start, higher.end, higher.mrid),
        (10000, higher.end, window_end, "default"),
    ]


def test_a_winner_outside_the_window_still_keeps_the_superseded_event_out_of_it(
    der, feeder_program, service_point_program, system_default, soon
):
    lower = create_control(
        program=feeder_program, start=soon, duration=3 * 3600, values={"opModMaxLimW": 6000}
    )
    create_control(
        program=service_point_program, start=soon + 10 * MINUTE, duration=600, values={"opModMaxLimW": 0}
    )
    window_start, window_end = soon + HOUR, soon + 2 * HOUR
    assert lower.start < window_start < window_end < lower.end
    assert limits(timeline_for_device(end_device=der, start=window_start, end=window_end)) == [
        (10000, window_start, window_end, "default")
    ]


def test_at_equal_primacy_the_newer_event_wins(der, feeder_program, vendor_program, soon):
    vendor_program.primacy = feeder_program.primacy
    vendor_program.save()
    create_control(program=feeder_program, start=soon, duration=600, values={"opModFixedW": 100})
    newer = create_control(program=vendor_program, start=soon, duration=600, values={"opModFixedW": -100})
    segments = timeline_for_device(end_device=der, start=soon, end=soon + 10 * MINUTE)
    assert [(s.value, s.event) for s in segments if s.control == "opModFixedW"] == [(-100, newer.mrid)]


def test_different_controls_of_overlapping_events_are_both_in_effect(
    der, feeder_program, service_point_program, soon
):
    create_control(program=feeder_program, start=soon, duration=600, values={"opModMaxLimW": 5000})
    create_control(
        program=service_point_program,
        start=soon,
        duration=600,
        values={"opModFixedPFInjectW": {"displacement": 95, "excitation": False, "multiplier": -2}},
    )
    segments = timeline_for_device(end_device=der, start=soon, end=soon + 10 * MINUTE)
    assert {s.control: s.value for s in segments} == {
        "opModMaxLimW": 5000,
        "opModFixedPFInjectW": {"displacement": 95, "excitation": False, "multiplier": -2},
    }


def test_a_cancelled_higher_priority_event_replaces_nothing(der, feeder_program, service_point_program, soon):
    lower = create_control(program=feeder_program, start=soon, duration=3600, values={"opModMaxLimW": 6000})
    higher = create_control(
        program=service_point_program, start=soon + 10 * MINUTE, duration=600, values={"opModMaxLimW": 0}
    )
    cancel_control(control=higher)
    segments = timeline_for_device(end_device=der, start=soon, end=lower.end)
    assert limits(segments) == [(6000, soon, lower.end, lower.mrid)]


def test_without_events_the_default_of_the_highest_priority_program_that_sets_the_control_applies(
    der, system_program, feeder_program, service_point_program, vendor_program, soon
):
    update_default_control(program=system_program, values={"opModMaxLimW": 10000, "setGradW": 100})
    update_default_control(program=vendor_program, values={"opModMaxLimW": 9000, "opModConnect": True})
    update_default_control(program=service_point_program, values={"opModFixedW": 50})
    segments = timeline_for_device(end_device=der, start=soon, end=soon + HOUR)
    assert {(s.control, s.value, s.program, s.source) for s in segments} == {
        ("opModMaxLimW", 9000, vendor_program.mrid, "default"),
        ("opModConnect", True, vendor_program.mrid, "default"),
        ("opModFixedW", 50, service_point_program.mrid, "default"),
        ("setGradW", 100, system_program.mrid, "default"),
    }


def test_curve_controls_resolve_to_the_curve_mrid(der, feeder_program, soon):
    curve = create_curve(
        program=feeder_program, curve_type=CurveType.VOLT_VAR, points=[(9000, 100, None)], y_ref_type=2
    )
    event = create_control(
        program=feeder_program, start=soon, duration=600, values={"opModVoltVar": curve.mrid}
    )
    segments = timeline_for_device(end_device=der, start=soon, end=event.end)
    assert [(s.control, s.value, s.event) for s in segments] == [("opModVoltVar", curve.mrid, event.mrid)]


def test_programs_of_other_branches_of_the_topology_do_not_reach_the_der(der, system, soon):
    other_feeder = Group.objects.add_child(system, {"name": "Feeder 13", "level": Level.FEEDER})
    elsewhere = DERProgram.objects.create(group=other_feeder, primacy=1)
    create_control(program=elsewhere, start=soon, duration=600, values={"opModConnect": False})
    assert elsewhere not in programs_for_device(der)
    assert timeline_for_device(end_device=der, start=soon, end=soon + HOUR) == []


def test_events_for_another_device_category_are_ignored(der, feeder_program, soon):
    der.device_category = 0x20000
    der.save()
    create_control(
        program=feeder_program,
        start=soon,
        duration=600,
        device_category=0x40000,
        values={"opModConnect": False},
    )
    assert timeline_for_device(end_device=der, start=soon, end=soon + HOUR) == []


@pytest.fixture
def der_in_fifteen_programs(db):
    """A DER at a service point seven levels deep and in eight non-topology groups, each with a program."""
    node = Group.objects.add_root({"name": "System", "level": Level.SYSTEM})
    topology = [node]
    for level in list(Level)[1:7]:
        node = Group.objects.add_child(node, {"name": level.label, "level": level})
        topology.append(node)
    others = [
        Group.objects.add_root({"name": f"Program {i}", "level": Level.NON_TOPOLOGY})
        for i in range(MAX_GROUPS_PER_DER - len(topology))
    ]
    device = EndDevice.objects.create(lfdi="2990c58a59935a7d5838c952b1a453c967341a07", role=Role.DIRECT)
    device.topology_group = node
    device.save()
    device.non_topology_groups.set(others)
    for primacy, group in enumerate([*topology, *others]):
        DERProgram.objects.create(group=group, primacy=primacy)
    return EndDevice.objects.get(pk=device.pk)


def test_a_der_in_15_programs_with_24_events_each_resolves_in_a_bounded_number_of_queries(
    der_in_fifteen_programs, django_assert_max_num_queries, soon
):
    programs = programs_for_device(der_in_fifteen_programs)
    assert len(programs) == MAX_GROUPS_PER_DER
    for program in programs:
        for hour in range(24):
            create_control(
                program=program,
                start=soon + hour * HOUR,
                duration=3600,
                values={"opModMaxLimW": 100 * program.primacy + hour},
            )
    assert DERControl.objects.count() == 15 * 24
    with django_assert_max_num_queries(5):
        segments = timeline_for_device(end_device=der_in_fifteen_programs, start=soon, end=soon + 24 * HOUR)
    best = programs[0]
    assert [(s.value, s.program) for s in segments] == [(hour, best.mrid) for hour in range(24)]
