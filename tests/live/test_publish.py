"""The services publish what DERs report after the commit, coalesced per interval."""

import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from derms.models import Role
from derms.services.der_reports import put_der_resource
from live import publish
from tests.factories import make_end_device
from tests.live.conftest import report_alarm, report_status

pytestmark = pytest.mark.django_db(transaction=True)


async def listener(group: str) -> str:
    """A channel in ``group``, as a consumer would be; the publisher's in-memory sends run on this loop."""
    import asyncio

    publish.bind_loop(asyncio.get_running_loop())
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


def test_a_der_status_is_published_naming_the_der_and_its_place_in_the_topology(
    channel_layer, direct_der, topology
):
    async def scenario():
        layer = get_channel_layer()
        fleet = await listener(publish.FLEET_GROUP)
        await report_status(direct_der)
        fleet_message = await layer.receive(fleet)
        assert fleet_message == {
            "type": "live.changed",
            "kinds": ["status"],
            "devices": 1,
            "device_ids": [direct_der.pk],
            "paths": [topology.service_point.path],
        }

    async_to_sync(scenario)()


def test_a_report_that_is_rolled_back_is_not_published(channel_layer, direct_der):
    async def scenario():
        layer = get_channel_layer()
        fleet = await listener(publish.FLEET_GROUP)

        @database_sync_to_async
        def report_and_roll_back():
            with pytest.raises(RuntimeError), transaction.atomic():
                values = {"readingTime": int(time.time())}
                put_der_resource(end_device=direct_der, resource="DERStatus", values=values)
                raise RuntimeError

        await report_and_roll_back()
        await report_alarm(direct_der, code=2)
        assert (await layer.receive(fleet))["kinds"] == ["alarm"]

    async_to_sync(scenario)()


def test_a_burst_of_reports_is_published_as_at_most_one_message_per_interval(
    channel_layer, settings, topology
):
    ders = [
        make_end_device(seed=f"many-{n}", role=Role.DIRECT, topology_group=topology.feeder) for n in range(30)
    ]
    interval = settings.DERMS_LIVE_INTERVAL_MS / 1000

    async def scenario():
        layer = get_channel_layer()
        fleet = await listener(publish.FLEET_GROUP)
        started = time.monotonic()
        for der in ders:
            await report_status(der)
        told = 0
        messages = 0
        while told < len(ders):
            told += (await layer.receive(fleet))["devices"]
            messages += 1
        elapsed = time.monotonic() - started
        assert messages <= 1 + elapsed / interval + 1
        assert messages < len(ders)

    async_to_sync(scenario)()


def test_what_is_pending_is_sent_at_once_when_the_process_flushes_before_it_exits(
    channel_layer, settings, topology
):
    settings.DERMS_LIVE_INTERVAL_MS = 60_000
    ders = [
        make_end_device(seed=f"last-{n}", role=Role.DIRECT, topology_group=topology.feeder) for n in range(2)
    ]

    async def scenario():
        import asyncio

        layer = get_channel_layer()
        fleet = await listener(publish.FLEET_GROUP)
        for der in ders:
            await report_status(der)
        # All but the first report of an interval wait out a minute; gunicorn's worker_exit does not wait.
        await database_sync_to_async(publish.flush_pending)()
        told: set[int] = set()
        while len(told) < len(ders):
            told.update((await asyncio.wait_for(layer.receive(fleet), timeout=5))["device_ids"])
        assert told == {der.pk for der in ders}

    async_to_sync(scenario)()
