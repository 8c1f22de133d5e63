"""How long a DERControl on the System group takes to reach every subscribed aggregator, end to end.

Run as ``python bench/notify.py``. It builds a utility in a scratch directory (SQLite and the filesystem
broker, as ``make start`` runs; set ``DATABASE_URL`` and ``REDIS_URL`` for PostgreSQL and Redis): one System
group with its DERProgram, 100 aggregators managing 100,000 DERs in all, each aggregator subscribed to the
System DERControlList with a real HTTPS receiver on loopback (CSIP TLS, client certificates from a scratch
development PKI). Real Celery workers (with beat) do the fan-out and the deliveries. Then it schedules
events through the event service and prints, per event: the time until the last aggregator had its
notification, notifications per second, and how many aggregators were never told (lost; goal 0, all
within 60 s on a 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import ensure_database  # noqa: E402

AGGREGATORS = 100
DERS = 100_000
DEADLINE = 60.0


def build(aggregators: int, ders: int, receiver_uri: str):
    """The utility, written in bulk; returns the System program."""
    from django.conf import settings
    from django.utils import timezone

    from derms.events.services import create_program
    from derms.lfdi import sfdi_from_lfdi
    from derms.models import Authorization, EndDevice, Role
    from groups.models import Group, Level
    from notifications.models import Subscribed, Subscription

    system = Group.objects.add_root(create_kwargs={"name": "SYSTEM", "level": Level.SYSTEM})
    program = create_program(group=system, primacy=10, description="System")
    owners = EndDevice.objects.bulk_create(
        EndDevice(lfdi=lfdi, sfdi=sfdi_from_lfdi(lfdi), role=Role.AGGREGATOR)
        for lfdi in (f"{index:040x}" for index in range(aggregators))
    )
    Authorization.objects.bulk_create(
        Authorization(lfdi=a.lfdi, role=Role.AGGREGATOR, status=Authorization.Status.APPROVED) for a in owners
    )
    per_aggregator = ders // aggregators
    EndDevice.objects.bulk_create(
        (
            EndDevice(
                lfdi=f"{1 << 100 | index:040x}",
                sfdi=sfdi_from_lfdi(f"{1 << 100 | index:040x}"),
                role=Role.MANAGED,
                aggregator=owners[index // per_aggregator],
                topology_group=system,
            )
            for index in range(per_aggregator * aggregators)
        ),
        batch_size=5000,
    )
    path = f"/derp/{program.pk}/derc"
    expires = timezone.now() + settings.DERMS_SUBSCRIPTION_LIFETIME
    Subscription.objects.bulk_create(
        Subscription(
            subscriber=owner,
            resource=Subscribed.DER_CONTROL_LIST,
            object_id=program.pk,
            subscribed_path=path,
            limit=1,
            notification_uri=f"{receiver_uri}/{owner.pk}",
            expires_at=expires,
        )
        for owner in owners
    )
    return program


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aggregators", type=int, default=AGGREGATORS)
    parser.add_argument("--ders", type=int, default=DERS)
    parser.add_argument("--events", type=int, default=3, help="events scheduled one after another")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="derms-notify-") as tmp:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="derms.settings",
            DERMS_VAR_DIR=tmp,
            CSIP_PKI_DIR=f"{tmp}/pki",
            DERMS_NOTIFY_PRIVATE_ADDRESSES="true",
            DERMS_LOG_LEVEL="WARNING",
        )
        database_url = os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
        if database_url.rsplit("/", 1)[-1] == "test":
            sys.exit("DATABASE_URL must name a database of the bench's own: it is dropped and built again.")
        ensure_database(database_url, rebuild=True)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from csip_api.pki import ensure_server_pki
        from derms.events.services import NOW, create_control
        from tests.notifications.fixtures import Worker
        from tests.notifications.receiver import Receiver

        call_command("migrate", verbosity=0)
        pki, _ = ensure_server_pki(directory=settings.CSIP_PKI_DIR, server_names=["localhost", "127.0.0.1"])
        receiver = Receiver(pki).start()
        started = time.perf_counter()
        program = build(args.aggregators, args.ders, receiver.uri)
        print(
            f"built {args.aggregators} aggregators, {args.ders} DERs in {time.perf_counter() - started:.1f} s"
        )
        workers = [
            Worker(dict(os.environ), Path(tmp) / f"worker-{n}.log").start() for n in range(args.workers)
        ]
        try:
            print(
                f"{platform.node()}: {os.cpu_count()} CPUs, {settings.DATABASES['default']['ENGINE']}, "
                f"broker {settings.CELERY_BROKER_URL.split('://')[0]}, {args.workers} workers"
            )
            print(f"{'event':>5} {'last arrived (s)':>17} {'notifications/s':>16} {'lost':>5}")
            for number in range(1, args.events + 1):
                receiver.received.clear()
                sent = time.perf_counter()
                create_control(program=program, start=NOW, duration=600, values={"opModMaxLimW": number})
                told: set[str] = set()
                while len(told) < args.aggregators and time.perf_counter() - sent < DEADLINE:
                    told = {r.path for r in list(receiver.received)}
                    time.sleep(0.05)
                elapsed = time.perf_counter() - sent
                rate = len(told) / elapsed if elapsed else 0.0
                print(f"{number:>5} {elapsed:>17.2f} {rate:>16.1f} {args.aggregators - len(told):>5}")
                time.sleep(2)  # past the coalescing window: the next event is news of its own
        finally:
            for worker in workers:
                worker.stop()
            receiver.stop()


if __name__ == "__main__":
    main()
