"""The cast of a utility, shared by every test tree: System A1 with its substation, two feeders and two
service points, non-topology groups Z and Y, a program per group, a curve and events of feeder 1 and 2."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from derms.der_controls import CONTROLS, Kind
from derms.events.services import create_program
from derms.models import CurvePoint, DefaultDERControl, DERControl, DERCurve, DERProgram
from groups.models import Group, Level


@pytest.fixture
def grid(db):
    """System A1 > Feeder F1 > Service point SP1 (SP2 under Feeder F2), plus non-topology Z and Y."""
    system = Group.objects.add_root(create_kwargs=dict(name="SYS-A1", level=Level.SYSTEM))
    substation = Group.objects.add_child(
        system, create_kwargs=dict(name="SUB-A1-S1", level=Level.SUBSTATION)
    )  # no program: adds nothing
    feeder_1 = Group.objects.add_child(substation, create_kwargs=dict(name="FDR-A1-F1", level=Level.FEEDER))
    feeder_2 = Group.objects.add_child(substation, create_kwargs=dict(name="FDR-A1-F2", level=Level.FEEDER))
    return {
        "system": system,
        "substation": substation,
        "feeder_1": feeder_1,
        "feeder_2": feeder_2,
        "sp_1": Group.objects.add_child(feeder_1, create_kwargs=dict(name="SP-1", level=Level.SERVICE_POINT)),
        "sp_2": Group.objects.add_child(feeder_2, create_kwargs=dict(name="SP-2", level=Level.SERVICE_POINT)),
        "z": Group.objects.add_root(create_kwargs=dict(name="Group-Z", level=Level.NON_TOPOLOGY)),
        "y": Group.objects.add_root(create_kwargs=dict(name="Group-Y", level=Level.NON_TOPOLOGY)),
    }


def make_program(group: Group, primacy: int, description: str) -> DERProgram:
    program = create_program(group=group, primacy=primacy, description=description)
    DefaultDERControl.objects.filter(program=program).update(op_mod_energize=True, set_grad_w=100)
    return program


@pytest.fixture
def programs(grid):
    return {
        "system": make_program(grid["system"], 89, "SYS-A1"),
        "feeder_1": make_program(grid["feeder_1"], 85, "FDR-A1-F1"),
        "feeder_2": make_program(grid["feeder_2"], 85, "FDR-A1-F2"),
        "sp_1": make_program(grid["sp_1"], 83, "SP-1"),
        "z": make_program(grid["z"], 81, "Group-Z"),
        "y": make_program(grid["y"], 80, "Group-Y"),
    }


def make_curve(program: DERProgram, curve_type: int = 11) -> DERCurve:
    curve = DERCurve.objects.create(
        program=program, curve_type=curve_type, y_ref_type=3, description="Volt-var 1"
    )
    for position, (x, y) in enumerate([(9500, 3000), (9800, 0), (10200, 0), (10500, -3000)]):
        CurvePoint.objects.create(curve=curve, position=position, x=x, y=y)
    return curve


def make_event(program: DERProgram, *, start: dt.datetime, duration: int = 3600, **controls) -> DERControl:
    return DERControl.objects.create(program=program, start=start, duration=duration, **controls)


@pytest.fixture
def events(programs):
    now = timezone.now()
    curve = make_curve(programs["feeder_1"])
    return {
        "curve": curve,
        "active": make_event(
            programs["feeder_1"], start=now - dt.timedelta(minutes=5), op_mod_max_lim_w=5000
        ),
        "scheduled": make_event(
            programs["feeder_1"],
            start=now + dt.timedelta(hours=2),
            op_mod_volt_var=curve,
            response_required=3,
        ),
        "ended": make_event(programs["feeder_1"], start=now - dt.timedelta(days=2), op_mod_connect=False),
        "other_feeder": make_event(
            programs["feeder_2"], start=now + dt.timedelta(hours=1), op_mod_fixed_w=-2000
        ),
    }


def every_control_values(curve: DERCurve) -> dict:
    """A value for every DERControlBase field, so one event exercises the whole registry."""
    values = {}
    for control in CONTROLS:
        if control.kind is Kind.CURVE:
            values[control.field] = curve
            continue
        for part, name in zip(control.kind.parts, control.field_names(), strict=True):
            values[name] = True if part.boolean else (part.maximum if part.maximum is not None else 1)
    return values
