"""Who may open the live websocket, what each subscription sees, and how bursts are coalesced."""

import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from derms.models import Role
from groups.models import Level
from live.consumers import FORBIDDEN
from tests.factories import make_end_device, make_group
from tests.live.conftest import browser, open_browser, report_alarm, report_status

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario):
    async_to_sync(scenario)()


def test_a_browser_nobody_signed_in_to_is_refused(channel_layer):
    async def scenario():
        connected, code = await browser(None).connect()
        assert (connected, code) == (False, FORBIDDEN)

    run(scenario)


def test_a_signed_in_user_who_is_not_staff_is_refused(channel_layer):
    customer = get_user_model().objects.create_user(username="customer", password="x")

    async def scenario():
        connected, code = await browser(customer).connect()
        assert (connected, code) == (False, FORBIDDEN)

    run(scenario)


def test_staff_who_lose_staff_status_are_cut_off_at_their_next_subscribe(
    channel_layer, dispatcher, direct_der
):
    async def scenario():
        communicator = await open_browser(dispatcher, {"subscribe": "fleet"})
        await database_sync_to_async(get_user_model().objects.filter(pk=dispatcher.pk).update)(is_staff=False)
        await communicator.send_json_to({"subscribe": "device", "lfdi": direct_der.lfdi})
        assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": FORBIDDEN}

    run(scenario)


def test_a_subscription_to_something_that_does_not_exist_is_answered_with_an_error(channel_layer, dispatcher):
    async def scenario():
        communicator = browser(dispatcher)
        await communicator.connect()
        await communicator.receive_json_from()
        await communicator.send_json_to({"subscribe": "device", "lfdi": "00" * 20})
        answer = await communicator.receive_json_from(timeout=5)
        assert answer["type"] == "error"
        await communicator.disconnect()

    run(scenario)


def test_the_fleet_dashboard_shows_a_der_reporting_and_its_alarm(channel_layer, dispatcher, direct_der):
    async def scenario():
        communicator = await open_browser(dispatcher, {"subscribe": "fleet"})
        await report_status(direct_der)
        area = (await communicator.receive_json_from(timeout=5))["area"]
        assert (area["ders"], area["reporting"], area["never_reported"]) == (1, 1, 0)
        assert area["connection"]["operating"] == 1
        await report_alarm(direct_der, code=2)  # over voltage
        area = (await communicator.receive_json_from(timeout=5))["area"]
        assert area["active_alarms"] == 1
        assert area["alarm_feed"][0] == {
            "lfdi": direct_der.lfdi,
            "alarm": "Over voltage",
            "active": True,
            "at": area["alarm_feed"][0]["at"],
        }
        await communicator.disconnect()

    run(scenario)


def test_a_topology_node_sees_only_the_ders_below_it(channel_layer, dispatcher, topology, direct_der):
    other_feeder = make_group("FDR-OTHER", Level.FEEDER, topology.substation)
    elsewhere = make_end_device(seed="elsewhere", role=Role.DIRECT, topology_group=other_feeder)

    async def scenario():
        communicator = await open_browser(dispatcher, {"subscribe": "node", "id": topology.feeder.pk})
        await report_status(elsewhere)
        await report_status(direct_der)
        message = await communicator.receive_json_from(timeout=5)
        assert message["scope"] == {"scope": "node", "id": topology.feeder.pk, "name": topology.feeder.name}
        assert (message["area"]["ders"], message["area"]["reporting"]) == (1, 1)
        assert await communicator.receive_nothing(timeout=0.6)
        await communicator.disconnect()

    run(scenario)


def test_a_device_page_sees_only_its_der(channel_layer, dispatcher, direct_der, managed_ders):
    async def scenario():
        communicator = await open_browser(
            dispatcher, {"subscribe": "device", "lfdi": direct_der.lfdi.lower()}
        )
        await report_status(managed_ders[0], alarm_status=1)
        await report_status(direct_der, alarm_status=0b100)  # under voltage
        device = (await communicator.receive_json_from(timeout=5))["device"]
        assert device["status"]["connection"] == ["connected", "available", "operating"]
        assert [alarm["alarm"] for alarm in device["alarms"]] == ["Under voltage"]
        assert await communicator.receive_nothing(timeout=0.6)
        await communicator.disconnect()

    run(scenario)


def test_a_burst_of_reports_reaches_a_browser_as_at_most_one_message_per_interval(
    channel_layer, settings, dispatcher, topology
):
    ders = [
        make_end_device(seed=f"burst-{n}", role=Role.DIRECT, topology_group=topology.service_point)
        for n in range(40)
    ]
    interval = settings.DERMS_LIVE_INTERVAL_MS / 1000

    async def scenario():
        communicator = await open_browser(dispatcher, {"subscribe": "fleet"})
        started = time.monotonic()
        for der in ders:
            await report_status(der)
        messages = [await communicator.receive_json_from(timeout=5)]
        while messages[-1]["area"]["reporting"] < len(ders):
            messages.append(await communicator.receive_json_from(timeout=5))
        elapsed = time.monotonic() - started
        # One at once, then at most one per interval: never one per report.
        assert len(messages) <= 1 + elapsed / interval
        assert len(messages) < len(ders)
        await communicator.disconnect()

    run(scenario)
