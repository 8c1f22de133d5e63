"""Edges of the leased copy of the feed's versions: what its bound, a flush and concurrent renewals
must not break."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from derms import changefeed
from derms.changefeed import Kind, Resource, lease

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = settings.DERMS_VERSION_LEASE


def test_a_read_that_overflows_the_bound_answers_every_resource_it_asked_for(monkeypatch, lease_clock):
    small = lease.VersionLease(seconds=LEASE, max_keys=3, clock=lease_clock)
    monkeypatch.setattr(lease, "_lease", small)
    known, new = Resource(Kind.DER_CONTROL, 1), Resource(Kind.DER_CONTROL, 2)
    changefeed.record("control_created", [known, new])
    assert changefeed.leased_versions([known, Resource(Kind.DER_CONTROL, 3)])[known] == 1
    # The copy is full (the generation and two versions): one known and one new resource in one read.
    assert changefeed.leased_versions([known, new]) == {known: 1, new: 1}
    assert len(small._known) <= 3


def test_a_horizon_below_the_last_one_drops_the_copy(lease_clock):
    controls = Resource(Kind.DER_CONTROL_LIST, 7)
    changefeed.record("control_created", [controls])
    assert changefeed.leased_versions([controls]) == {controls: 1}
    lease_clock.advance(LEASE)
    changefeed.leased_versions([controls])
    # As if the renewals so far had read another stamp space, with the same generation: a database
    # restored or replicated into another cluster, whose transaction IDs start lower.
    lease._lease._horizon = 2**40
    changefeed.record("control_created", [controls])
    lease_clock.advance(LEASE)
    assert changefeed.leased_versions([controls]) == {controls: 2}


def test_threads_reading_while_the_copy_renews_and_overflows_see_versions_only_grow(monkeypatch):
    # Renewed on nearly every read, and over its bound on most: the paths that replace or update the copy.
    busy = lease.VersionLease(seconds=1e-6, max_keys=4, clock=time.monotonic)
    monkeypatch.setattr(lease, "_lease", busy)
    resources = [Resource(Kind.DER_CONTROL, pk) for pk in range(1, 7)]
    problems: list[str] = []
    stop = threading.Event()

    def reader(offset: int):
        seen: dict[Resource, int] = {}
        try:
            for n in range(300):
                wanted = [resources[(offset + n + i) % len(resources)] for i in range(3)]
                for resource, version in changefeed.leased_versions(wanted).items():
                    if version < seen.get(resource, 0):
                        problems.append(f"{resource.key} went back from {seen[resource]} to {version}")
                    seen[resource] = version
        except Exception as error:  # a thread's exception would not fail the test: reported below
            problems.append(repr(error))
        finally:
            connection.close()

    def writer():
        try:
            while not stop.is_set():
                changefeed.record("control_created", resources[:3])
        finally:
            connection.close()

    monkeypatch.setattr(lease, "wait_out_leases", lambda: None)
    threads = [threading.Thread(target=reader, args=(offset,)) for offset in range(4)]
    writing = threading.Thread(target=writer)
    writing.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    stop.set()
    writing.join(60)
    assert problems == []
