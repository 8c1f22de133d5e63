"""The cast for portal tests: the shared grid with a program at the System and at the service point,
a DER at the service point that reports to the utility, a dispatcher and a read-only staff member."""

import datetime as dt

import pytest
from django.utils import timezone

from derms.der_controls import CurveType
from derms.events.services import create_control, update_default_control
from derms.staff import VIEWERS
from tests.factories import make_curve, make_program, make_staff_user


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def system_program(topology):
    program = make_program(topology.system, primacy=89, description="System")
    update_default_control(program=program, values={"opModConnect": True, "opModMaxLimW": 10000})
    return program


@pytest.fixture
def service_point_program(topology):
    return make_program(topology.service_point, primacy=83, description="Service point")


@pytest.fixture
def volt_var_curve(system_program):
    curve = make_curve(system_program, curve_type=CurveType.VOLT_VAR, points=[(9200, 3000), (10700, -3000)])
    curve.description = "Rule 21 volt-var"
    curve.save()
    return curve


@pytest.fixture
def export_limit(system_program, now):
    """60 % of setMaxW from the System program, starting in two hours for three hours."""
    return create_control(
        program=system_program,
        start=now + dt.timedelta(hours=2),
        duration=3 * 3600,
        values={"opModMaxLimW": 6000},
        description="Peak export limit",
    )


@pytest.fixture
def dispatcher_client(client, dispatcher):
    client.force_login(dispatcher)
    return client


@pytest.fixture
def read_only_client(client, handbook_administrator):
    """Staff who may read every page but schedule nothing."""
    client.force_login(handbook_administrator)
    return client


@pytest.fixture
def viewer(db):
    return make_staff_user("viewer", role=VIEWERS)


@pytest.fixture
def handbook_client(client, handbook_administrator):
    """A handbook administrator: may shape the group tree and decide the authorization list."""
    client.force_login(handbook_administrator)
    return client


@pytest.fixture(params=["dispatcher", "viewer"])
def refused_client(request, client):
    """Staff who read the group and registration pages but may change nothing there."""
    client.force_login(request.getfixturevalue(request.param))
    return client
