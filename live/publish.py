"""Tell the portal's live views that a DER reported something, after the commit and coalesced.

An aggregator posting statuses for 10,000 DERs commits 10,000 transactions; sending a channel-layer message
for each to every open dashboard would swamp the layer (channels-redis drops what a channel cannot hold).
So each process collects the changed DERs and sends at most one message every
``DERMS_LIVE_INTERVAL_MS`` to the one group every live consumer is in, naming the DERs and topology paths
that changed (or, past a few hundred, none: everything). Consumers read the state itself from the database,
so a message only says where to look.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django import db
from django.conf import settings
from django.db import transaction

from derms.models import EndDevice

#: Every live consumer listens here; each decides from a message whether it concerns what it shows.
FLEET_GROUP = "live.fleet"
#: Past this many changed DERs (or topology paths) in one message, consumers are told "everything" instead.
MAX_NAMED = 200


class Kind:
    """What changed; the browser uses it to say what moved."""

    STATUS = "status"
    READINGS = "readings"
    ALARM = "alarm"
    RESPONSE = "response"
    REGISTRATION = "registration"


def changed(*, end_device: EndDevice, kind: str) -> None:
    """Publish that ``end_device`` reported ``kind``, once the current transaction commits."""
    changed_by_id(end_device_id=end_device.pk, group_id=end_device.topology_group_id, kind=kind)


def changed_by_id(*, end_device_id: int, group_id: int | None, kind: str) -> None:
    """:func:`changed` for a DER known by its ids: a post of readings builds no EndDevice."""
    transaction.on_commit(lambda: _coalescer.add(end_device_id=end_device_id, group_id=group_id, kind=kind))


@dataclass
class _Pending:
    devices: dict[int, set[str]] = field(default_factory=dict)
    group_ids: set[int | None] = field(default_factory=set)

    def message(self) -> dict:
        kinds = sorted({kind for device_kinds in self.devices.values() for kind in device_kinds})
        few = len(self.devices) <= MAX_NAMED
        return {
            "type": "live.changed",
            "kinds": kinds,
            "devices": len(self.devices),
            "device_ids": sorted(self.devices) if few else None,
            "paths": _paths(self.group_ids) if len(self.group_ids) <= MAX_NAMED else None,
        }


def _paths(group_ids: set[int | None]) -> list[str]:
    from groups.models import Group

    return sorted(Group.objects.filter(pk__in=[pk for pk in group_ids if pk]).values_list("path", flat=True))


class Coalescer:
    """Collects changes and flushes them at most once per interval, the first one at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = _Pending()
        self._timer: threading.Timer | None = None
        self._last_flush = 0.0

    def add(self, *, end_device_id: int, group_id: int | None, kind: str) -> None:
        with self._lock:
            self._pending.devices.setdefault(end_device_id, set()).add(kind)
            self._pending.group_ids.add(group_id)
            if self._timer is not None:
                return
            interval = settings.DERMS_LIVE_INTERVAL_MS / 1000
            delay = max(0.0, self._last_flush + interval - time.monotonic())
            self._timer = threading.Timer(delay, self._flush_in_thread)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, _Pending()
            self._timer = None
            if pending.devices:
                # The interval runs from the last message: a flush with nothing to send delays nothing.
                self._last_flush = time.monotonic()
        if pending.devices:
            _send(pending.message())

    def flush_now(self) -> None:
        """Flush at once, the pending timer's flush included: it is cancelled, or waited for if running."""
        with self._lock:
            timer = self._timer
        if timer is not None:
            timer.cancel()
            timer.join()
        self.flush()

    def _flush_in_thread(self) -> None:
        try:
            self.flush()
        finally:
            # The timer thread ends here: give its database connection back.
            db.connection.close()


#: The loop of this process's consumers, for the in-memory layer (see bind_loop).
_consumer_loop: asyncio.AbstractEventLoop | None = None


def bind_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the loop the consumers run on.

    The in-memory layer's queues belong to the consumers' event loop and are not thread-safe, so its
    messages must be sent from that loop; channels-redis is safe from any thread.
    """
    global _consumer_loop
    _consumer_loop = loop


def _send(message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all():
        await layer.group_send(FLEET_GROUP, message)

    if isinstance(layer, InMemoryChannelLayer):
        # Without a consumer in this process nobody can hear the in-memory layer.
        if _consumer_loop is not None and not _consumer_loop.is_closed():
            asyncio.run_coroutine_threadsafe(send_all(), _consumer_loop).result(timeout=10)
        return
    async_to_sync(send_all)()


_coalescer = Coalescer()


def flush_pending() -> None:
    """Send what this process has collected now, without waiting out its interval: before the process
    exits (gunicorn's ``worker_exit``), whose daemon timer would otherwise take the last changes with it."""
    _coalescer.flush_now()
