"""The leased copy of the feed's versions: current within its lease, renewed with every change a renewal
may not have seen (also one committed by a transaction that was open during the renewal), dropped with
the database generation, bounded; and every writer waits the lease out before it goes on."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from derms import changefeed
from derms.changefeed import DATABASE, Kind, Resource, lease

pytestmark = pytest.mark.django_db(transaction=True)

CONTROLS = Resource(Kind.DER_CONTROL_LIST, 7)
DEFAULTS = Resource(Kind.DEFAULT_DER_CONTROL, 7)
LEASE = settings.DERMS_VERSION_LEASE


def test_a_read_within_the_lease_costs_no_query(lease_clock, django_assert_num_queries):
    changefeed.record("control_created", [CONTROLS])
    assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 1}
    with django_assert_num_queries(0):
        assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 1}


def test_a_change_is_read_once_the_lease_taken_before_it_runs_out(lease_clock):
    assert changefeed.leased_versions([CONTROLS, DEFAULTS]) == {CONTROLS: 0, DEFAULTS: 0}
    changefeed.record("control_created", [CONTROLS])
    # The writer's commit wait is what keeps anyone from asking before this lease ran out.
    lease_clock.advance(LEASE)
    assert changefeed.leased_versions([CONTROLS, DEFAULTS]) == {CONTROLS: 1, DEFAULTS: 0}


def test_a_resource_first_asked_for_is_read_at_once(lease_clock):
    assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 0}
    changefeed.record("control_created", [DEFAULTS])
    assert changefeed.leased_versions([DEFAULTS]) == {DEFAULTS: 1}


@pytest.mark.parametrize("renewals", [1, 2])
def test_a_change_committed_by_a_transaction_open_during_renewals_is_read_by_a_later_one(
    lease_clock, renewals
):
    assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 0}
    written, commit = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                changefeed.record("control_created", [CONTROLS])
                written.set()
                commit.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(10)
        # Renewed while the writer's transaction is open: its version is not visible yet, and each
        # later renewal's horizon must still reach back to it.
        for _ in range(renewals):
            lease_clock.advance(LEASE)
            assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 0}
    finally:
        commit.set()
        thread.join(10)
    lease_clock.advance(LEASE)
    assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 1}


def test_a_new_database_generation_drops_the_copy(lease_clock):
    changefeed.record("control_created", [CONTROLS])
    assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 1}
    # What a flush does: every version forgotten, then a new generation (derms.apps).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM derms_resourceversion")
    changefeed.new_generation()
    lease_clock.advance(LEASE)
    assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 0}
    generation = changefeed.versions([DATABASE])[DATABASE]
    assert changefeed.leased_versions([DATABASE]) == {DATABASE: generation}


def test_the_copy_stays_within_its_bound_and_correct(monkeypatch, lease_clock):
    small = lease.VersionLease(seconds=LEASE, max_keys=3, clock=lease_clock)
    monkeypatch.setattr(lease, "_lease", small)
    resources = [Resource(Kind.DER_CONTROL, pk) for pk in range(1, 8)]
    changefeed.record("control_created", resources[::2])
    for resource in resources:
        expected = 1 if resource in resources[::2] else 0
        assert changefeed.leased_versions([resource]) == {resource: expected}
        assert len(small._known) <= 3


def test_inside_a_transaction_the_database_answers(lease_clock):
    assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 0}
    with transaction.atomic():
        changefeed.record("control_created", [CONTROLS])
        assert changefeed.leased_versions([CONTROLS]) == {CONTROLS: 1}


def test_a_writer_goes_on_only_after_one_lease_from_its_commit():
    committed = []
    with transaction.atomic():
        # Registered first, so it runs first: the moment of the commit.
        transaction.on_commit(lambda: committed.append(time.monotonic()))
        changefeed.record("control_created", [CONTROLS])
    assert time.monotonic() - committed[0] >= LEASE


def test_listeners_hear_of_a_change_only_after_the_commit_wait(monkeypatch):
    waited = []
    monkeypatch.setattr(lease, "wait_out_leases", lambda: waited.append("wait"))

    def listener(**kwargs):
        waited.append("heard")

    changefeed.changes_committed.connect(listener)
    try:
        changefeed.record("control_created", [CONTROLS])
    finally:
        changefeed.changes_committed.disconnect(listener)
    assert waited[:2] == ["wait", "heard"]
