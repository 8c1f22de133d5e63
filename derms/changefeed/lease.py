"""Versions without a query on every read: this process's copy of the feed's versions, renewed per lease.

A cached 2030.5 read only has to know that nothing it was built from changed, and asking the database
costs more than the rest of the read (a round trip is ~70 % of a cached GET's CPU). So each process
keeps the versions it has read and renews them at most once per ``DERMS_VERSION_LEASE`` seconds, with
one query for every version written by a transaction its previous renewal may not have seen. Each
version row carries a stamp to find them by: on PostgreSQL the writer's transaction ID, read back from
the snapshot's xmin (every transaction that snapshot did not see has an ID at least that high); on
SQLite, whose writers commit one at a time, one more than the highest stamp.

Against this, a transaction that recorded changes waits out one lease after its commit before its
writer goes on (:func:`wait_out_leases`, a commit wait, run before the change is announced; a
notification waits one after reading what it carries). The writer's answer (the dispatcher's page, a
client's 201) therefore comes after every lease taken before the commit has run out: a request that
starts after it finds its process renewed, or renews it. The change takes effect when its write
returns: while the writer waits (one lease), a client may already read it in a document rendered
afresh and not yet in one served from an older copy, as with any read concurrent with a write.

The fast path reads the lease's expiry and then the copy without the lock; a renewal publishes its copy
before its expiry. That order holds under the GIL (not on a free-threaded build).

The database generation (:data:`~derms.changefeed.DATABASE`) is read by every renewal: a new one (a
flush, a migration, hand edits announced with ``renew_database_generation``) drops the whole copy, since
a flushed table forgets its versions rather than growing them.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, connections

from derms.changefeed.resources import DATABASE, Resource
from derms.models.changes import ResourceVersion
from derms.prepared_statements import prepared_cursor

#: Above any stamp: the first renewal reads nothing but the generation (everything is loaded on demand).
_NOTHING_YET = 2**62


def stamp_sql(using: str = "default") -> str:
    """The SQL expression for the stamp of a version row written now (see the module's docstring)."""
    vendor = connections[using].vendor
    if vendor == "postgresql":
        return "pg_current_xact_id()::text::bigint"
    if vendor == "sqlite":
        quote = connections[using].ops.quote_name
        return f"(SELECT COALESCE(MAX({quote('stamp')}), 0) + 1 FROM {quote(ResourceVersion._meta.db_table)})"
    raise NotImplementedError(f"the change feed has no version stamps on {vendor}")


@functools.cache
def _statements(vendor: str) -> tuple[str, str]:
    """The two reads of the version table, written once per database vendor: by keys (to be completed
    with as many placeholders as keys), and since a horizon (with the next renewal's horizon, read in
    the same statement and so from the same snapshot)."""
    quote = connection.ops.quote_name
    table, key, version, stamp = (
        quote(n) for n in (ResourceVersion._meta.db_table, "key", "version", "stamp")
    )
    select = f"SELECT {key}, {version} FROM {table}"
    if vendor == "postgresql":
        horizon = "SELECT NULL, pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
    else:
        horizon = f"SELECT NULL, COALESCE(MAX({stamp}), 0) + 1 FROM {table}"
    return f"{select} WHERE {key} IN ", f"{select} WHERE {stamp} >= %s OR {key} = %s UNION ALL {horizon}"


def read(keys: list[str]) -> dict[str, int]:
    """The versions of ``keys`` that have one, from the database itself (in the caller's snapshot)."""
    by_keys, _ = _statements(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"{by_keys}({', '.join(['%s'] * len(keys))})", keys)
        return dict(cursor.fetchall())


def _read_since(horizon: int) -> tuple[dict[str, int], int]:
    """The versions stamped from ``horizon`` on, the generation, and the next renewal's horizon.

    Prepared: every process renews up to once per lease, inside whichever request finds it run out.
    """
    _, since = _statements(connection.vendor)
    with prepared_cursor() as cursor:
        cursor.execute(since, [horizon, DATABASE.key])
        rows = cursor.fetchall()
    return {key: version for key, version in rows if key is not None}, next(v for k, v in rows if k is None)


class VersionLease:
    """The versions this process has read, current as of a renewal less than ``seconds`` ago."""

    def __init__(self, *, seconds: float, max_keys: int, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, int] = {}
        self._horizon = _NOTHING_YET
        self._expires = float("-inf")

    def versions(self, resources: Iterable[Resource]) -> dict[Resource, int]:
        """The current version of each resource, 0 for one never changed; a query only to renew the
        lease or to read a resource this process has not read yet."""
        wanted = {resource.key: resource for resource in resources}
        # The lease before the copy: a renewal publishes its copy first, then its expiry.
        if self._clock() < self._expires:
            known = self._known
            if all(key in known for key in wanted):
                return {resource: known[key] for key, resource in wanted.items()}
        with self._lock:
            if self._clock() >= self._expires:
                self._renew()
            missing = [key for key in wanted if key not in self._known]
            if missing:
                self._load(missing, wanted)
            known = self._known
            return {resource: known[key] for key, resource in wanted.items()}

    def forget(self) -> None:
        with self._lock:
            self._known = {}
            self._horizon = _NOTHING_YET
            self._expires = float("-inf")

    def _renew(self) -> None:
        # Taken before the query: the lease never outlives the snapshot it rests on by more than its length.
        started = self._clock()
        changed, horizon = _read_since(self._horizon)
        generation = changed.get(DATABASE.key, 0)
        # A horizon below the last one is another stamp space (a database restored or replicated into
        # another cluster, a failover that lost transactions, an emptied table): stamps below the old
        # horizon may be new, so nothing read since can be told current.
        if self._known.get(DATABASE.key) != generation or horizon < self._horizon:
            self._known = {DATABASE.key: generation}
        else:
            known = self._known
            for key, version in changed.items():
                if key in known:
                    known[key] = version
        self._horizon = horizon
        self._expires = started + self.seconds

    def _load(self, keys: list[str], wanted: Iterable[str]) -> None:
        found = read(keys)
        if len(self._known) + len(keys) > self.max_keys:
            # Bounded memory: start over with the generation and what this read asked for (the caller
            # answers from the copy); the rest is read again on demand.
            old = self._known
            self._known = {key: old[key] for key in (DATABASE.key, *wanted) if key in old}
        known = self._known
        for key in keys:
            known[key] = found.get(key, 0)


_lease = VersionLease(seconds=settings.DERMS_VERSION_LEASE, max_keys=settings.DERMS_VERSION_LEASE_KEYS)


def current(resources: Iterable[Resource]) -> dict[Resource, int]:
    """The versions from this process's copy; only outside a transaction (see
    :func:`derms.changefeed.leased_versions`)."""
    return _lease.versions(resources)


def wait_out_leases() -> None:
    """The commit wait: after it, no process's copy predates the commit just made."""
    time.sleep(settings.DERMS_VERSION_LEASE)


def forget() -> None:
    """Drop this process's copy (tests that rewrite the database under it)."""
    _lease.forget()
