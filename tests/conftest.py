"""The cast every test module shares: a small grid, a direct DER, an aggregator with two DERs, a
stranger, a dispatcher and a handbook administrator; plus, as plugins, the richer utility of the 2030.5
tests and the certificates and real servers of the TLS and end-to-end tests."""

from dataclasses import dataclass

import pytest
from django.conf import settings

from csip_api import identity
from csip_api.cache import documents
from derms.celery import app as celery_app
from derms.changefeed import lease
from derms.models import EndDevice, Role
from derms.staff import DISPATCHERS, HANDBOOK_ADMINISTRATORS
from groups.models import Group, Level
from live import publish
from tests.factories import make_end_device, make_group, make_lfdi, make_staff_user

pytest_plugins = ["tests.csip_api.utility", "tests.tls.fixtures", "tests.notifications.fixtures"]

# What this process enqueues (a fan-out after each committed change) has no worker here: keep it in
# memory rather than on a broker. Tests of delivery run a real worker, which the server processes of
# tests/tls/fixtures.py and Celery beat feed.
celery_app.conf.broker_url = "memory://"


@pytest.fixture(autouse=True)
def _nothing_remembered():
    """Each test starts with empty 2030.5 caches in this process (server processes rely on the database
    generation a flush renews, see derms.apps)."""
    identity.forget_clients()
    documents.forget()
    lease.forget()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    """The live changes a test caused are sent before its fixtures go: the publisher's timer thread
    would otherwise read the database after the test's database access ended."""
    publish.flush_pending()


class ManualClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def lease_clock(monkeypatch) -> ManualClock:
    """This process's leased copy of the feed's versions (derms.changefeed.lease) on a clock the test
    moves: its leases run out when the test says so, not as the machine's speed has it."""
    clock = ManualClock()
    copy = lease.VersionLease(
        seconds=settings.DERMS_VERSION_LEASE, max_keys=settings.DERMS_VERSION_LEASE_KEYS, clock=clock
    )
    monkeypatch.setattr(lease, "_lease", copy)
    return clock


@dataclass
class Topology:
    system: Group
    substation: Group
    feeder: Group
    service_point: Group


@pytest.fixture
def topology(db) -> Topology:
    """System > Substation > Feeder > Service point (sub-transmission, segment and transformer skipped)."""
    system = make_group("SYS-A1", Level.SYSTEM)
    substation = make_group("SUB-A1-C1", Level.SUBSTATION, system)
    feeder = make_group("FDR-A1-C1-D1", Level.FEEDER, substation)
    service_point = make_group("SP-A1-C1-D1-G1", Level.SERVICE_POINT, feeder)
    return Topology(system, substation, feeder, service_point)


@pytest.fixture
def direct_der(topology) -> EndDevice:
    """A DER client that talks to the utility itself, approved and placed at the service point."""
    return make_end_device(seed="direct-der", role=Role.DIRECT, topology_group=topology.service_point)


@pytest.fixture
def aggregator(db) -> EndDevice:
    return make_end_device(seed="aggregator", role=Role.AGGREGATOR)


@pytest.fixture
def managed_ders(aggregator, topology) -> list[EndDevice]:
    """The aggregator's two DERs: one at the service point, one straight on the feeder."""
    return [
        make_end_device(
            seed="managed-der-1",
            role=Role.MANAGED,
            aggregator=aggregator,
            topology_group=topology.service_point,
        ),
        make_end_device(
            seed="managed-der-2", role=Role.MANAGED, aggregator=aggregator, topology_group=topology.feeder
        ),
    ]


@pytest.fixture
def stranger_lfdi() -> str:
    """An LFDI the utility has never heard of."""
    return make_lfdi("stranger")


@pytest.fixture
def dispatcher(db):
    return make_staff_user("dispatcher", role=DISPATCHERS)


@pytest.fixture
def handbook_administrator(db):
    return make_staff_user("handbook", role=HANDBOOK_ADMINISTRATORS)
