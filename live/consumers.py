"""The portal's live websocket: staff subscribe to the fleet, a topology node or one DER.

A browser sends ``{"subscribe": "fleet"}``, ``{"subscribe": "node", "id": 12}`` or
``{"subscribe": "device", "lfdi": "..."}`` and receives ``{"type": "snapshot", ...}`` documents: one at
once, then one whenever what it watches changed, never more than one per ``DERMS_LIVE_INTERVAL_MS``
however many DERs report. Who may watch is checked on connect and again on every subscribe message, so a
user who lost staff status stops receiving.

With the in-memory channel layer, reports posted through the 2030.5 API (another process) cannot reach
this one, so each subscriber also reads its snapshot once per interval and sends it only when it differs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings
from django.contrib.auth import get_user_model

from derms.models import EndDevice
from groups.models import Group, Level
from live import publish, snapshot

#: Close code for a socket whose user may not watch (the 4000s are the application's).
FORBIDDEN = 4403
#: Even when nothing was published, a subscriber reads its snapshot this often: a DER falls silent
#: without reporting it, and channels-redis drops messages a full channel cannot hold.
REFRESH_SECONDS = 15.0


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One browser's live view."""

    async def connect(self):
        if not await self._may_watch():
            await self.close(code=FORBIDDEN)
            return
        publish.bind_loop(asyncio.get_running_loop())
        self.watch: dict | None = None
        self.joined = False
        self.last_sent: dict | None = None
        self.dirty = asyncio.Event()
        self.polls = isinstance(self.channel_layer, InMemoryChannelLayer)
        await self.accept()
        await self.send_json({"type": "hello", "user": self.scope["user"].get_username()})
        self.sender = asyncio.create_task(self._send_changes())

    async def disconnect(self, code):
        if hasattr(self, "sender"):
            self.sender.cancel()
            await self._leave()

    async def receive_json(self, content, **kwargs):
        if not await self._may_watch():
            await self.close(code=FORBIDDEN)
            return
        watch = await self._watch_of(content)
        if watch is None:
            await self.send_json(
                {"type": "error", "error": "Subscribe to fleet, a topology node id or a DER's lfdi."}
            )
            return
        self.watch, self.last_sent = watch, None
        if not self.joined:
            await self.channel_layer.group_add(publish.FLEET_GROUP, self.channel_name)
            self.joined = True
        self.dirty.set()

    async def live_changed(self, message):
        """A publisher says something changed somewhere: mark this view dirty if it is in it."""
        watch = self.watch
        if watch is None:
            return
        if watch["scope"] == "node" and message["paths"] is not None:
            concerned = any(path.startswith(watch["path"]) for path in message["paths"])
        elif watch["scope"] == "device" and message["device_ids"] is not None:
            concerned = watch["id"] in message["device_ids"]
        else:
            concerned = True
        if concerned:
            self.dirty.set()

    async def _send_changes(self):
        interval = settings.DERMS_LIVE_INTERVAL_MS / 1000
        while True:
            started = time.monotonic()
            if self.watch is not None:
                document = await _read(self.watch)
                if document != self.last_sent:
                    self.last_sent = document
                    await self.send_json({"type": "snapshot", "scope": self.watch["label"], **document})
            # The coalescing window: whatever arrives now waits for the next message.
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
            if not self.polls:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.dirty.wait(), REFRESH_SECONDS)
            self.dirty.clear()

    async def _leave(self):
        if self.joined:
            await self.channel_layer.group_discard(publish.FLEET_GROUP, self.channel_name)
            self.joined = False

    @database_sync_to_async
    def _may_watch(self) -> bool:
        """Staff who are still active staff now (the session's user is read again each time)."""
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return False
        return get_user_model().objects.filter(pk=user.pk, is_active=True, is_staff=True).exists()

    @database_sync_to_async
    def _watch_of(self, content) -> dict | None:
        if not isinstance(content, dict):
            return None
        scope = content.get("subscribe")
        if scope == "fleet":
            return {"scope": "fleet", "label": {"scope": "fleet"}}
        if scope == "node" and isinstance(content.get("id"), int):
            node = Group.objects.filter(pk=content["id"]).exclude(level=Level.NON_TOPOLOGY).first()
            if node is not None:
                label = {"scope": "node", "id": node.pk, "name": node.name}
                return {"scope": "node", "id": node.pk, "path": node.path, "label": label}
        if scope == "device" and isinstance(content.get("lfdi"), str):
            end_device = EndDevice.objects.filter(lfdi=content["lfdi"].upper()).first()
            if end_device is not None:
                label = {"scope": "device", "lfdi": end_device.lfdi}
                return {"scope": "device", "id": end_device.pk, "label": label}
        return None


async def _read(watch: dict) -> dict:
    return await _snapshots.read(watch)


class _SharedSnapshots:
    """Dashboards watching the same thing share one read per interval instead of one each."""

    def __init__(self):
        self._cache: dict[tuple, tuple[float, dict]] = {}
        self._locks: dict[tuple, asyncio.Lock] = {}

    async def read(self, watch: dict) -> dict:
        key = (watch["scope"], watch.get("id"))
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._cache.get(key)
            # Read while this subscriber waited on the lock (within a tenth of the interval): still fresh.
            fresh_for = settings.DERMS_LIVE_INTERVAL_MS / 1000 / 10
            if cached is not None and time.monotonic() - cached[0] < fresh_for:
                return cached[1]
            document = await database_sync_to_async(_snapshot_of)(watch)
            self._cache[key] = (time.monotonic(), document)
            return document


def _snapshot_of(watch: dict) -> dict:
    if watch["scope"] == "device":
        end_device = EndDevice.objects.filter(pk=watch["id"]).first()
        return {"device": None if end_device is None else snapshot.device(end_device=end_device)}
    node = Group.objects.filter(pk=watch["id"]).first() if watch["scope"] == "node" else None
    return {"area": snapshot.area(node=node)}


_snapshots = _SharedSnapshots()
