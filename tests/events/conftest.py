"""The cast for event tests: a topology from System to a service point, a vendor group, their
programs, and one DER placed in both (the dispatcher who schedules controls is tests/conftest.py's)."""

import datetime as dt

import pytest
from django.utils import timezone

from derms.der_controls import CurveType
from derms.events.services import create_curve, create_program
from derms.models import EndDevice, Role
from groups.models import Group, Level


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def soon(now):
    """A start far enough ahead that the event is Scheduled while the test runs."""
    return now + dt.timedelta(hours=1)


@pytest.fixture
def system(db):
    return Group.objects.add_root({"name": "System", "level": Level.SYSTEM})


@pytest.fixture
def feeder(system):
    return Group.objects.add_child(system, {"name": "Feeder 12", "level": Level.FEEDER})


@pytest.fixture
def service_point(feeder):
    return Group.objects.add_child(feeder, {"name": "SP 4711", "level": Level.SERVICE_POINT})


@pytest.fixture
def vendor_group(db):
    return Group.objects.add_root({"name": "Vendor A fleet", "level": Level.NON_TOPOLOGY})


@pytest.fixture
def system_program(system):
    return create_program(group=system, primacy=90, description="System")


@pytest.fixture
def feeder_program(feeder):
    return create_program(group=feeder, primacy=20, description="Feeder 12")


@pytest.fixture
def service_point_program(service_point):
    return create_program(group=service_point, primacy=10, description="SP 4711")


@pytest.fixture
def vendor_program(vendor_group):
    return create_program(group=vendor_group, primacy=50, description="Vendor A")


@pytest.fixture
def program(feeder_program):
    return feeder_program


@pytest.fixture
def der(service_point, vendor_group):
    device = EndDevice.objects.create(
        lfdi="247bd68e3378fe57ba604e3c8bdf9e3f78a3d743", role=Role.DIRECT, topology_group=service_point
    )
    device.non_topology_groups.add(vendor_group)
    return device


@pytest.fixture
def volt_var_curve(program):
    return create_curve(
        program=program,
        curve_type=CurveType.VOLT_VAR,
        points=[(9200, 3000, None), (9670, 0, None), (10300, 0, None), (10700, -3000, None)],
        y_ref_type=2,
        x_multiplier=-2,
        y_multiplier=-2,
    )
