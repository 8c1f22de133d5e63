"""Live status under a burst: messages per second delivered to 50 open dashboards while 10,000 DERs report.

Run as ``python bench/live_burst.py``. It builds a utility in a scratch directory (SQLite and the in-memory
channel layer, as ``make start`` runs; set ``DATABASE_URL`` and ``REDIS_URL`` for PostgreSQL and
channels-redis): one System group, 20 feeders, 10,000 direct DERs. 50 dashboards connect to the live
consumer (Channels' communicator, in this process, as daphne would run them) and watch the whole fleet.
Then threads store one DERStatus per DER through the same service the 2030.5 DERStatus view calls, as fast
as the database takes them, and the script prints: statuses stored per second, channel-layer messages the
publishers sent to the fleet group, messages delivered to the dashboards (all, per second, and the most
one dashboard got in any one second), and how long after the last status every dashboard showed all
10,000 reporting. The coalescing goal: at most one message per dashboard per DERMS_LIVE_INTERVAL_MS.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DERS = 10_000
DASHBOARDS = 50
FEEDERS = 20


def build(ders: int):
    """The utility, written in bulk; returns its DERs and a staff user."""
    from django.contrib.auth import get_user_model

    from derms.lfdi import sfdi_from_lfdi
    from derms.models import EndDevice, Role
    from groups.models import Group, Level

    system = Group.objects.add_root(create_kwargs={"name": "SYSTEM", "level": Level.SYSTEM})
    feeders = [
        Group.objects.add_child(system, create_kwargs={"name": f"FDR-{n:02d}", "level": Level.FEEDER})
        for n in range(FEEDERS)
    ]
    EndDevice.objects.bulk_create(
        (
            EndDevice(
                lfdi=f"{1 << 100 | n:040x}",
                sfdi=sfdi_from_lfdi(f"{1 << 100 | n:040x}"),
                role=Role.DIRECT,
                topology_group=feeders[n % FEEDERS],
            )
            for n in range(ders)
        ),
        batch_size=5000,
    )
    user = get_user_model().objects.create_user("bench", password="bench", is_staff=True)
    return list(EndDevice.objects.all()), user


def store_status(end_device) -> None:
    from derms.services.der_reports import put_der_resource

    now = int(time.time())
    values = {"readingTime": now, "genConnectStatus": {"dateTime": now, "value": 7}}
    put_der_resource(end_device=end_device, resource="DERStatus", values=values)


async def dashboard(user, arrivals: list[float], ders: int, done: asyncio.Event, everyone_ready):
    """One browser on the fleet: counts what it receives until it shows every DER reporting."""
    from channels.testing import WebsocketCommunicator

    from live.consumers import LiveConsumer

    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = user
    await communicator.connect()
    await communicator.receive_json_from(timeout=30)  # hello
    await communicator.send_json_to({"subscribe": "fleet"})
    await communicator.receive_json_from(timeout=60)  # the first snapshot, before the burst
    await everyone_ready()
    while True:
        message = await communicator.receive_json_from(timeout=600)
        arrivals.append(time.perf_counter())
        if message["area"]["reporting"] >= ders:
            done.set()
            break
    await communicator.disconnect()


async def measure(args, ders, user):
    from channels.layers import get_channel_layer

    from live import publish

    publish.bind_loop(asyncio.get_running_loop())
    layer = get_channel_layer()
    published = await layer.new_channel()
    await layer.group_add(publish.FLEET_GROUP, published)
    ready = asyncio.Barrier(args.dashboards + 1)
    arrivals = [[] for _ in range(args.dashboards)]
    dones = [asyncio.Event() for _ in range(args.dashboards)]
    tasks = [
        asyncio.create_task(dashboard(user, arrivals[n], len(ders), dones[n], ready.wait))
        for n in range(args.dashboards)
    ]
    await ready.wait()

    layer_messages = 0

    async def count_published():
        nonlocal layer_messages
        while True:
            await layer.receive(published)
            layer_messages += 1

    counter = asyncio.create_task(count_published())
    started = time.perf_counter()

    def burst():
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(store_status, ders))

    stored_at = await asyncio.get_running_loop().run_in_executor(
        None, lambda: (burst(), time.perf_counter())[1]
    )
    await asyncio.gather(*tasks)
    shown_at = time.perf_counter()
    counter.cancel()
    return started, stored_at, shown_at, arrivals, layer_messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ders", type=int, default=DERS)
    parser.add_argument("--dashboards", type=int, default=DASHBOARDS)
    parser.add_argument("--threads", type=int, default=2, help="threads storing statuses")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="derms-live-") as tmp:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="derms.settings", DERMS_VAR_DIR=tmp, DERMS_LOG_LEVEL="WARNING"
        )
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        built = time.perf_counter()
        ders, user = build(args.ders)
        print(f"built {len(ders)} DERs in {time.perf_counter() - built:.1f} s")
        layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
        print(
            f"{platform.node()}: {os.cpu_count()} CPUs, {settings.DATABASES['default']['ENGINE']}, {layer}, "
            f"DERMS_LIVE_INTERVAL_MS={settings.DERMS_LIVE_INTERVAL_MS}, {args.threads} storing threads"
        )
        started, stored_at, shown_at, arrivals, layer_messages = asyncio.run(measure(args, ders, user))
        burst = stored_at - started
        delivered = sum(len(a) for a in arrivals)
        window = shown_at - started
        busiest = max(
            (max(collections.Counter(int(t - started) for t in a).values()) for a in arrivals if a), default=0
        )
        print(f"burst: {len(ders)} DERStatus stored in {burst:.1f} s ({len(ders) / burst:.0f}/s)")
        print(
            f"publishers sent {layer_messages} messages to the fleet group ({layer_messages / burst:.1f}/s)"
        )
        print(
            f"dashboards received {delivered} messages in {window:.1f} s: {delivered / window:.1f}/s to all "
            f"{args.dashboards}, {delivered / window / args.dashboards:.2f}/s each, at most {busiest} in one "
            "second to one dashboard"
        )
        print(
            f"every dashboard showed all {len(ders)} reporting "
            f"{shown_at - stored_at:.2f} s after the last status"
        )


if __name__ == "__main__":
    main()
