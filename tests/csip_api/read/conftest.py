"""The cast of the read-side tests: a utility's groups and programs, a direct DER, an aggregator with two
DERs, and a stranger, each with a real certificate presented through the proxy identity path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from derms.der_controls import CONTROLS, Kind
from derms.models import (
    Authorization,
    CurvePoint,
    DefaultDERControl,
    DERControl,
    DERCurve,
    DERProgram,
    EndDevice,
    Role,
)
from groups.models import Group, Level
from tests.csip_api.certificates import client_certificate, forwarded_header, lfdi_of
from tests.csip_api.walking import Walk, walk


@dataclass
class Actor:
    """A client with a certificate; ``get`` goes through the Django test client and real identify()."""

    header: str
    lfdi: str
    end_device: EndDevice | None
    django_client: object

    def get(self, url: str, **extra):
        return self.django_client.get(url, HTTP_X_FORWARDED_CLIENT_CERT=self.header, **extra)

    def fetch(self, url: str) -> tuple[int, bytes]:
        response = self.get(url)
        return response.status_code, response.content

    def walk(self) -> Walk:
        return walk(self.fetch)


@pytest.fixture(autouse=True)
def _proxy_identity(settings):
    settings.CSIP_TLS_MODE = "proxy"
    settings.CSIP_TRUSTED_PROXIES = ["127.0.0.1"]


@pytest.fixture
def topology(db):
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
    program = DERProgram.objects.create(group=group, primacy=primacy, description=description)
    DefaultDERControl.objects.create(program=program, op_mod_energize=True, set_grad_w=100)
    return program


@pytest.fixture
def programs(topology):
    return {
        "system": make_program(topology["system"], 89, "SYS-A1"),
        "feeder_1": make_program(topology["feeder_1"], 85, "FDR-A1-F1"),
        "feeder_2": make_program(topology["feeder_2"], 85, "FDR-A1-F2"),
        "sp_1": make_program(topology["sp_1"], 83, "SP-1"),
        "z": make_program(topology["z"], 81, "Group-Z"),
        "y": make_program(topology["y"], 80, "Group-Y"),
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


def _enroll(lfdi: str, role: str, **fields) -> EndDevice:
    Authorization.objects.create(
        lfdi=lfdi, role=role, status=Authorization.Status.APPROVED, aggregator=fields.get("aggregator")
    )
    return EndDevice.objects.create(lfdi=lfdi, role=role, pin=111115, **fields)


def _actor(client, name: str) -> tuple[str, str]:
    certificate = client_certificate(name)
    return forwarded_header(certificate), lfdi_of(certificate)


@pytest.fixture
def direct_der(client, topology, programs):
    header, lfdi = _actor(client, "direct-der")
    device = _enroll(lfdi, Role.DIRECT, topology_group=topology["sp_1"], device_category=0x20000)
    device.non_topology_groups.add(topology["z"])
    return Actor(header, lfdi, device, client)


@pytest.fixture
def aggregator(client, topology, programs):
    header, lfdi = _actor(client, "aggregator")
    device = _enroll(lfdi, Role.AGGREGATOR)
    managed = []
    for index in range(2):
        _, der_lfdi = _actor(client, f"managed-{index}")
        der = _enroll(der_lfdi, Role.MANAGED, aggregator=device, topology_group=topology["sp_2"])
        der.non_topology_groups.add(topology["y"])
        managed.append(der)
    actor = Actor(header, lfdi, device, client)
    actor.managed = managed
    return actor


@pytest.fixture
def stranger(client, db):
    header, lfdi = _actor(client, "stranger")
    return Actor(header, lfdi, None, client)
