"""How the 2030.5 read path holds up for a utility with 100,000 DERs: queries and latency per request.

Run as ``python bench/read_path.py``. It uses ``DATABASE_URL`` (default: PostgreSQL database ``wt7`` on
127.0.0.1), creates and migrates that database, and builds the utility once with bulk_create: one System,
substations, feeders and thousands of service points; 100,000 DERs, of which two aggregators manage
20,000 each; vendor and enrolment groups; programs at several levels, each with its defaults, curves and
24 hourly events around now. Later runs reuse the data (``--rebuild`` starts over).

Each resource a polling client reads is requested through Django's WSGI handler in-process (the test
Client), through the real identity path: ``CSIP_TLS_MODE=proxy`` and X-Forwarded-Client-Cert from
127.0.0.1. Per resource it prints the queries of one request and the median/p95 latency over a bounded
number of requests, with the machine it ran on. ``--explain`` also prints EXPLAIN ANALYZE (PostgreSQL) of
every query of every resource.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wt7")
os.environ["CSIP_TLS_MODE"] = "proxy"
os.environ["CSIP_TRUSTED_PROXIES"] = "127.0.0.1"

import django  # noqa: E402

from bench.databases import ensure_database  # noqa: E402
from bench.utility import (  # noqa: E402
    BATCH,
    build_end_devices,
    build_groups,
    build_programs,
    give_certificate,
    machine,
)

SUBSTATIONS = 5
FEEDERS_PER_SUBSTATION = 8
SERVICE_POINTS_PER_FEEDER = 100
#: One service point in this many has a program of its own.
SERVICE_POINT_PROGRAM_EVERY = 20
AGGREGATORS = 2
DERS_PER_AGGREGATOR = 20_000
EVENTS_PER_PROGRAM = 24
VENDORS = 3
ROW = "{:<11} {:<32} {:>6} {:>7} {:>7} {:>9} {:>7}"


@dataclass(frozen=True)
class Plan:
    ders: int

    @property
    def service_points(self) -> int:
        return SUBSTATIONS * FEEDERS_PER_SUBSTATION * SERVICE_POINTS_PER_FEEDER


def build(plan: Plan) -> None:
    """The whole utility in one transaction, so an interrupted build leaves nothing behind."""
    from django.db import transaction
    from django.utils import timezone

    from derms.models import EndDevice, Role

    rng = random.Random(2030_5)
    now = timezone.now()
    with transaction.atomic():
        tree = build_groups(
            substations=SUBSTATIONS,
            feeders_per_substation=FEEDERS_PER_SUBSTATION,
            service_points_per_feeder=SERVICE_POINTS_PER_FEEDER,
            non_topology=[f"VENDOR-{v}" for v in range(VENDORS)] + ["DR-ENROLMENT", "NO-PROGRAM"],
        )
        non_topology = tree.non_topology
        vendors, enrolment = non_topology[:VENDORS], non_topology[VENDORS]
        programs = (
            [(tree.system, 89)]
            + [(g, 88) for g in tree.substations]
            + [(g, 85) for g in tree.feeders]
            + [(g, 83) for g in tree.service_points[::SERVICE_POINT_PROGRAM_EVERY]]
            + [(g, 81) for g in vendors]
            + [(enrolment, 80)]
        )
        hour = now.replace(minute=0, second=0, microsecond=0)
        first_start = hour - dt.timedelta(hours=EVENTS_PER_PROGRAM // 2)
        build_programs(
            [(g, primacy, EVENTS_PER_PROGRAM) for g, primacy in programs], now=now, first_start=first_start
        )
        build_end_devices(
            aggregators=AGGREGATORS,
            managed=AGGREGATORS * DERS_PER_AGGREGATOR,
            ders=plan.ders,
            service_points=tree.service_points,
            rng=rng,
        )
        through = EndDevice.non_topology_groups.through
        ids = EndDevice.objects.exclude(role=Role.AGGREGATOR).values_list("pk", flat=True).order_by("pk")
        memberships = []
        for position, pk in enumerate(ids.iterator(chunk_size=BATCH)):
            memberships.append(through(enddevice_id=pk, group_id=vendors[position % VENDORS].pk))
            if position % 10 == 0:
                memberships.append(through(enddevice_id=pk, group_id=enrolment.pk))
            if position % 7 == 0:
                memberships.append(through(enddevice_id=pk, group_id=non_topology[-1].pk))
        through.objects.bulk_create(memberships, batch_size=BATCH)


@dataclass
class Actor:
    name: str
    header: str
    end_device: object
    urls: list[str]


def _certificate_for(end_device, name: str) -> str:
    """A fresh certificate for a benchmark client; its LFDI replaces the EndDevice's (and its approval's)."""
    from tests.tls.servers import forwarded_header, scratch_certificate

    certificate = scratch_certificate(name)
    give_certificate(end_device, certificate.lfdi)
    return forwarded_header(certificate)


def _program_of(der) -> int:
    """The program of the DER's feeder: one with a day of hourly events, an active one among them."""
    from derms.models import DERProgram
    from groups.models import Group

    feeder_path = der.topology_group.path[: 3 * Group.steplen]
    return DERProgram.objects.get(group__path=feeder_path).pk


def _der_urls(der) -> list[str]:
    from csip_api import hrefs

    derp = _program_of(der)
    return [
        hrefs.href(hrefs.END_DEVICE, edev=der.pk),
        hrefs.href(hrefs.FSA_LIST, edev=der.pk) + "?l=20",
        hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=der.pk, fsa=hrefs.TOPOLOGY_FSA) + "?l=20",
        hrefs.href(hrefs.PROGRAM, derp=derp),
        hrefs.href(hrefs.CONTROL_LIST, derp=derp) + "?l=100",
        hrefs.href(hrefs.ACTIVE_CONTROL_LIST, derp=derp) + "?l=100",
        hrefs.href(hrefs.DEFAULT_CONTROL, derp=derp),
    ]


def _sparse_programs(aggregator) -> list[str]:
    """Programs the aggregator reaches through few of its DERs: a service point's and a vendor's."""
    from django.db.models import Count, Q

    from csip_api import hrefs
    from derms.models import DERProgram
    from groups.models import Level

    mine = Q(group__end_devices__aggregator=aggregator)
    point = (
        DERProgram.objects.filter(group__level=Level.SERVICE_POINT)
        .annotate(ders=Count("group__end_devices", filter=mine))
        .filter(ders__gt=0)
        .order_by("ders", "pk")
        .first()
    )
    vendor = DERProgram.objects.filter(group__name="VENDOR-0").get()
    return [hrefs.href(hrefs.ACTIVE_CONTROL_LIST, derp=p.pk) + "?l=100" for p in (point, vendor)]


def actors() -> list[Actor]:
    from csip_api import hrefs
    from derms.models import EndDevice, Role

    direct = EndDevice.objects.filter(role=Role.DIRECT).select_related("topology_group").order_by("pk")[0]
    aggregator = EndDevice.objects.filter(role=Role.AGGREGATOR).order_by("pk")[0]
    managed = EndDevice.objects.filter(aggregator=aggregator).select_related("topology_group").order_by("pk")
    last_page = max(managed.count() + 1 - 100, 0)
    dcap, edev = hrefs.href(hrefs.DCAP), hrefs.href(hrefs.END_DEVICE_LIST)
    return [
        Actor(
            "direct DER",
            _certificate_for(direct, "bench-direct-der"),
            direct,
            [dcap, edev + "?l=100", *_der_urls(direct)],
        ),
        Actor(
            "aggregator",
            _certificate_for(aggregator, "bench-aggregator"),
            aggregator,
            [
                dcap,
                edev + "?l=100",
                f"{edev}?s={last_page}&l=100",
                *_der_urls(managed[0]),
                *_sparse_programs(aggregator),
            ],
        ),
    ]


@dataclass
class Measure:
    actor: str
    url: str
    status: int
    size: int
    queries: list[str]
    median_ms: float
    p95_ms: float


def measure(actor: Actor, url: str, *, requests: int) -> Measure:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(REMOTE_ADDR="127.0.0.1")
    get = lambda: client.get(url, HTTP_X_FORWARDED_CLIENT_CERT=actor.header)  # noqa: E731
    get()  # warm: connection, URL resolver, lazily compiled things
    with CaptureQueriesContext(connection) as captured:
        response = get()
    queries = [q["sql"] for q in captured.captured_queries]  # the next request clears the log
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        get()
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    return Measure(
        actor=actor.name,
        url=url,
        status=response.status_code,
        size=len(response.content),
        queries=queries,
        median_ms=statistics.median(timings),
        p95_ms=timings[max(0, round(0.95 * len(timings)) - 1)],
    )


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="drop and build the utility again")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per resource (max 1000)")
    parser.add_argument("--ders", type=int, default=100_000, help="DERs in the utility")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of every query")
    args = parser.parse_args()
    requests = max(1, min(args.requests, 1000))
    plan = Plan(ders=max(args.ders, AGGREGATORS * DERS_PER_AGGREGATOR + 1))

    ensure_database(os.environ["DATABASE_URL"], rebuild=args.rebuild)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from derms.models import EndDevice

    setup_test_environment()  # lets the test Client's host through ALLOWED_HOSTS; DEBUG stays off
    call_command("migrate", verbosity=0)
    if not EndDevice.objects.exists():
        began = time.perf_counter()
        build(plan)
        print(f"built {plan.ders} DERs in {time.perf_counter() - began:.0f} s")
    with connection.cursor() as cursor:
        # As autovacuum leaves a live database: planner statistics and a visibility map (index-only scans).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    cast = actors()
    print(*machine(), sep="\n")
    print(
        f"utility: {EndDevice.objects.count()} EndDevices, {plan.service_points} service points, "
        f"{requests} timed requests per resource"
    )
    print("\n" + ROW.format("client", "resource", "status", "bytes", "queries", "median ms", "p95 ms"))
    for actor in cast:
        for url in actor.urls:
            m = measure(actor, url, requests=requests)
            median, p95 = f"{m.median_ms:.2f}", f"{m.p95_ms:.2f}"
            print(ROW.format(m.actor, m.url, m.status, m.size, len(m.queries), median, p95))
            if args.explain and connection.vendor == "postgresql":
                for sql in m.queries:
                    print(f"\n-- {m.actor} {m.url}\n{sql}\n{explain(sql)}\n")


if __name__ == "__main__":
    main()
