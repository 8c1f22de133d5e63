"""Live status tests: a websocket communicator per browser, on the in-memory layer and, when REDIS_URL is
set, on Redis; and the services that store what DERs report, as the 2030.5 views call them."""

import time

import pytest
import redis
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from derms.models import EndDevice
from derms.models.logevents import DER_FUNCTION_SET
from derms.services.alarms import post_log_event
from derms.services.der_reports import put_der_resource
from live.consumers import LiveConsumer

LAYERS = {
    "memory": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    "redis": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [django_settings.REDIS_URL]},
    },
}


@pytest.fixture(params=["memory", "redis"])
def channel_layer(request, settings):
    """Each live test runs on the in-memory layer, and on Redis when REDIS_URL names one."""
    if request.param == "redis" and not django_settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the Redis channel layer is tested in CI")
    settings.CHANNEL_LAYERS = {"default": LAYERS[request.param]}
    settings.DERMS_LIVE_INTERVAL_MS = 200
    yield request.param
    if request.param == "redis":
        # What the layer left in Redis (groups, queued messages), under its key prefix only.
        client = redis.Redis.from_url(django_settings.REDIS_URL)
        for key in client.scan_iter("asgi*"):
            client.delete(key)


def browser(user) -> WebsocketCommunicator:
    """A browser of ``user`` (None: nobody signed in) on the live websocket."""
    from django.contrib.auth.models import AnonymousUser

    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = user or AnonymousUser()
    return communicator


async def open_browser(user, subscription: dict) -> WebsocketCommunicator:
    """A signed-in browser, subscribed, past its greeting and first snapshot."""
    communicator = browser(user)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    await communicator.send_json_to(subscription)
    first = await communicator.receive_json_from(timeout=5)
    assert first["type"] == "snapshot"
    return communicator


@database_sync_to_async
def report_status(end_device: EndDevice, *, connect: int = 0b111, alarm_status: int | None = None):
    """What the DERStatus view stores when ``end_device`` PUTs its status."""
    values = {
        "readingTime": int(time.time()),
        "genConnectStatus": {"dateTime": int(time.time()), "value": connect},
    }
    if alarm_status is not None:
        values["alarmStatus"] = alarm_status
    return put_der_resource(end_device=end_device, resource="DERStatus", values=values)


@database_sync_to_async
def report_alarm(end_device: EndDevice, *, code: int):
    """What the LogEvent view stores when ``end_device`` posts an alarm (CSIP Table 14 code)."""
    return post_log_event(
        end_device=end_device,
        values={
            "createdDateTime": int(time.time()),
            "functionSet": DER_FUNCTION_SET,
            "logEventCode": code,
            "logEventID": int(time.time() * 1000) % 65536,
            "logEventPEN": 0,
            "profileID": 2,
        },
    )
