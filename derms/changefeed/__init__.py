"""The change feed: the one writer of what changed for 2030.5 clients, and of each resource's version.

Every service that changes something a client can read calls :func:`record` inside the transaction that
makes the change (a transactional outbox): the ``Change`` rows and the version bumps commit or roll back
with it, so no change is lost and none is announced that did not happen. Readers ask :func:`versions`
(on the hot path :func:`leased_versions`, see :mod:`.lease`) whether a resource changed since they
rendered it; the notification work claims the due ``Change`` rows (:func:`claim_due`), fans them out and
marks them consumed; :func:`prune` drops consumed rows after ``DERMS_CHANGE_RETENTION``.

After a transaction that recorded changes commits and has waited out the readers' leases,
:data:`changes_committed` is sent once. The domain does not know who listens (the notification
dispatcher, caches): they connect to the signal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, connections, transaction
from django.dispatch import Signal
from django.utils import timezone

from derms.changefeed import lease
from derms.changefeed.resources import DATABASE, TOPOLOGY, Kind, Resource
from derms.models.changes import Change, ResourceVersion

__all__ = [
    "DATABASE",
    "TOPOLOGY",
    "Change",
    "Kind",
    "Resource",
    "backlog",
    "changes_committed",
    "claim_due",
    "leased_versions",
    "mark_consumed",
    "new_generation",
    "prune",
    "record",
    "snapshot",
    "versions",
]

logger = logging.getLogger(__name__)

#: Sent (sender=Change) after the commit of a transaction that recorded at least one change.
changes_committed = Signal()

#: Keys per INSERT statement: well under SQLite's 32,766 bound parameters.
_BATCH = 2000


def record(
    action: str,
    resources: Iterable[Resource],
    *,
    effective_at: dt.datetime | None = None,
) -> dict[Resource, int]:
    """Record that ``action`` (e.g. ``"control_created"``) altered ``resources``; return their new versions.

    Call it inside the transaction that makes the change. Versions only grow: concurrent writers of one
    resource queue on its version row, in the order they commit. ``effective_at`` is when clients see the
    change, for one that takes effect later than now (a supersede at the newer event's start).
    """
    unique = sorted(set(resources))
    if not unique:
        return {}
    now = timezone.now()
    with transaction.atomic():
        new_versions = _bump(unique)
        Change.objects.bulk_create(
            (
                Change(
                    resource=resource.kind,
                    object_id=resource.object_id,
                    version=new_versions[resource],
                    action=action,
                    effective_at=effective_at or now,
                    recorded_at=now,
                )
                for resource in unique
            ),
            batch_size=_BATCH,
        )
    _announce_on_commit()
    return new_versions


def versions(resources: Iterable[Resource]) -> dict[Resource, int]:
    """The current version of each resource, 0 for one never changed; one query, in the caller's
    snapshot (what a reader renders is filed under these)."""
    wanted = {resource.key: resource for resource in resources}
    if not wanted:
        return {}
    found = lease.read(list(wanted))
    return {resource: found.get(key, 0) for key, resource in wanted.items()}


def leased_versions(resources: Iterable[Resource]) -> dict[Resource, int]:
    """What :func:`versions` says, from this process's copy renewed once per lease (:mod:`.lease`).

    Inside a transaction the database answers, from the transaction's own snapshot.
    """
    if connection.in_atomic_block:
        return versions(resources)
    return lease.current(resources)


def new_generation(*, using: str = "default") -> None:
    """Give the database a new :data:`DATABASE` version (after migrate or flush: see derms.apps)."""
    quote = connections[using].ops.quote_name
    table, key, version, stamp = (
        quote(n) for n in (ResourceVersion._meta.db_table, "key", "version", "stamp")
    )
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {version}, {stamp}) VALUES (%s, %s, {lease.stamp_sql(using)}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {version} = EXCLUDED.{version}, {stamp} = EXCLUDED.{stamp}",
            [DATABASE.key, secrets.randbits(62)],
        )
        transaction.on_commit(lease.wait_out_leases, using=using)


@contextlib.contextmanager
def snapshot():
    """A transaction whose reads all see one moment: what a reader renders and the :func:`versions` it
    reads afterwards agree, so a change committing meanwhile shows as a newer version, never as a
    document filed under the older one.

    Yields whether the snapshot is the reader's own: inside a caller's transaction the reads may include
    its uncommitted writes (and versions a rollback would hand out again), so nothing read then may be
    remembered.
    """
    own = not connection.in_atomic_block
    with transaction.atomic():
        if own and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # SQLite: derms opens its transactions IMMEDIATE (settings), so no writer commits meanwhile.
        yield own


def claim_due(*, now: dt.datetime, limit: int) -> list[Change]:
    """Lock and return the oldest unconsumed changes clients may see by ``now``, for the caller's
    transaction. Rows another worker holds are skipped, not waited for (SKIP LOCKED where the database
    has it; SQLite has one writer at a time anyway)."""
    if not connection.in_atomic_block:
        raise RuntimeError("claim_due needs the transaction that marks the changes consumed")
    due = Change.objects.filter(consumed_at__isnull=True, effective_at__lte=now).order_by("id")
    return list(
        due.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)[:limit]
    )


def mark_consumed(changes: Iterable[Change], *, now: dt.datetime) -> None:
    Change.objects.filter(pk__in=[change.pk for change in changes]).update(consumed_at=now)


def backlog() -> int:
    """How many changes are not yet fanned out to subscribers (shown to staff: it should stay near 0)."""
    return Change.objects.filter(consumed_at__isnull=True).count()


def prune(*, now: dt.datetime | None = None) -> int:
    """Delete the changes consumed longer than ``DERMS_CHANGE_RETENTION`` ago; return how many.

    Versions stay: they are what readers compare, and there is one row per resource, not per change.
    """
    cutoff = (now or timezone.now()) - settings.DERMS_CHANGE_RETENTION
    deleted, _ = Change.objects.filter(consumed_at__lt=cutoff).delete()
    return deleted


def _bump(resources: list[Resource]) -> dict[Resource, int]:
    """Add one to each resource's version in one statement per batch, in key order (no deadlocks)."""
    quote = connection.ops.quote_name
    table, key, version, stamp = (
        quote(n) for n in (ResourceVersion._meta.db_table, "key", "version", "stamp")
    )
    result: dict[Resource, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(resources), _BATCH):
            batch = resources[start : start + _BATCH]
            rows = ", ".join([f"(%s, 1, {lease.stamp_sql()})"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({key}, {version}, {stamp}) VALUES {rows} "
                f"ON CONFLICT ({key}) DO UPDATE "
                f"SET {version} = {table}.{version} + 1, {stamp} = EXCLUDED.{stamp} "
                f"RETURNING {key}, {version}",
                [resource.key for resource in batch],
            )
            result.update((Resource.from_key(key), version) for key, version in cursor.fetchall())
    return result


def _announce() -> None:
    """Wait out the readers' leases, then tell the listeners; one that fails (a broker that is down) is
    logged, never the committer's error.

    The change is committed already: a 2030.5 client must get its 2xx, and the notification sweep fans
    out whatever no listener announced.
    """
    lease.wait_out_leases()
    for receiver, outcome in changes_committed.send_robust(sender=Change):
        if isinstance(outcome, Exception):
            logger.error("change-feed listener %r failed", receiver, exc_info=outcome)


def _announce_on_commit() -> None:
    """Send the signal once per transaction, however many times it recorded."""
    if connection.in_atomic_block and any(func is _announce for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_announce)
