"""Builders of a benchmark utility, shared by the benchmarks that need a fleet in PostgreSQL.

Everything is written with bulk_create (no services, no change-feed records: a fresh database has every
version at 0), so 100,000 DERs build in seconds. The caller wraps a build in one transaction. Changes to
a utility already built go through the change feed, as the services' do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BATCH = 5_000


def bench_lfdi(index: int) -> str:
    return hashlib.sha256(f"bench-der-{index}".encode()).hexdigest()[:40]


@dataclass
class Topology:
    system: object
    substations: list
    feeders: list
    service_points: list
    non_topology: list


def build_groups(
    *,
    substations: int,
    feeders_per_substation: int,
    service_points_per_feeder: int,
    non_topology: Sequence[str] = (),
) -> Topology:
    """One System with its substations, feeders and service points, and non-topology roots beside it,
    with materialized paths computed here (treebeard's MP)."""
    from groups.models import Group, Level

    def node(name, level, path, depth, numchild=0):
        return Group(name=name, level=level, path=path, depth=depth, numchild=numchild)

    system = node("SYS-1", Level.SYSTEM, Group._get_path(None, 1, 1), 1, substations)
    nodes, points, feeders, subs = [system], [], [], []
    for s in range(substations):
        sub = node(f"SUB-{s:02}", Level.SUBSTATION, Group._get_path(system.path, 2, s + 1), 2)
        sub.numchild = feeders_per_substation
        subs.append(sub)
        nodes.append(sub)
        for f in range(feeders_per_substation):
            feeder = node(f"FDR-{s:02}-{f:02}", Level.FEEDER, Group._get_path(sub.path, 3, f + 1), 3)
            feeder.numchild = service_points_per_feeder
            feeders.append(feeder)
            nodes.append(feeder)
            for p in range(service_points_per_feeder):
                point = node(
                    f"SP-{s:02}-{f:02}-{p:03}", Level.SERVICE_POINT, Group._get_path(feeder.path, 4, p + 1), 4
                )
                points.append(point)
                nodes.append(point)
    others = [
        node(name, Level.NON_TOPOLOGY, Group._get_path(None, 1, index + 2), 1)
        for index, name in enumerate(non_topology)
    ]
    Group.objects.bulk_create(nodes + others, batch_size=BATCH)
    by_path = {g.path: g.pk for g in Group.objects.all()}
    for g in nodes + others:
        g.pk = g.id = by_path[g.path]
    return Topology(system, subs, feeders, points, others)


def build_programs(
    programs: Sequence[tuple[object, int, int]], *, now: dt.datetime, first_start: dt.datetime
) -> list:
    """A program per (group, primacy, events): its defaults, two curves, and that many hourly events
    from ``first_start`` on."""
    from derms.der_controls import CurveType
    from derms.models import CurvePoint, DefaultDERControl, DERControl, DERCurve, DERProgram

    created = DERProgram.objects.bulk_create(
        [DERProgram(group=g, primacy=primacy, description=g.name[:32]) for g, primacy, _ in programs]
    )
    DefaultDERControl.objects.bulk_create(
        [
            DefaultDERControl(program=p, op_mod_energize=True, op_mod_max_lim_w=10000, set_grad_w=100)
            for p in created
        ]
    )
    curves = DERCurve.objects.bulk_create(
        [
            DERCurve(program=p, curve_type=curve_type, y_ref_type=3, description=f"curve {curve_type}")
            for p in created
            for curve_type in (CurveType.VOLT_VAR, CurveType.VOLT_WATT)
        ]
    )
    shape = [(9500, 3000), (9800, 0), (10200, 0), (10500, -3000)]
    CurvePoint.objects.bulk_create(
        [CurvePoint(curve=c, position=i, x=x, y=y) for c in curves for i, (x, y) in enumerate(shape)],
        batch_size=BATCH,
    )
    events = [
        DERControl(
            program=p,
            start=first_start + dt.timedelta(hours=h),
            duration=3600,
            op_mod_max_lim_w=5000 + 100 * h,
            response_required=3,
            creation_time=now - dt.timedelta(days=1),
            status_time=now - dt.timedelta(days=1),
        )
        for p, (_, _, count) in zip(created, programs, strict=True)
        for h in range(count)
    ]
    for event in events:
        event.set_period()  # bulk_create skips save(), which derives the stored event period
    DERControl.objects.bulk_create(events, batch_size=BATCH)
    return created


def build_end_devices(*, aggregators: int, managed: int, ders: int, service_points: list, rng: random.Random):
    """``aggregators`` aggregators and ``ders`` DERs at random service points, each approved: the first
    ``managed`` shared round-robin among the aggregators, the rest direct. Returns both lists."""
    from derms.lfdi import sfdi_from_lfdi
    from derms.models import Authorization, EndDevice, Role

    created_aggregators = EndDevice.objects.bulk_create(
        [
            EndDevice(lfdi=lfdi, sfdi=sfdi_from_lfdi(lfdi), role=Role.AGGREGATOR)
            for lfdi in (bench_lfdi(-1 - a) for a in range(aggregators))
        ]
    )
    devices = []
    for index in range(ders):
        lfdi = bench_lfdi(index)
        aggregator = created_aggregators[index % aggregators] if index < managed else None
        devices.append(
            EndDevice(
                lfdi=lfdi,
                sfdi=sfdi_from_lfdi(lfdi),
                role=Role.MANAGED if aggregator else Role.DIRECT,
                aggregator=aggregator,
                topology_group=rng.choice(service_points),
                device_category=0x20000,
                pin=111115,
            )
        )
    EndDevice.objects.bulk_create(devices, batch_size=BATCH)
    Authorization.objects.bulk_create(
        [
            Authorization(
                lfdi=d.lfdi,
                role=d.role,
                aggregator=d.aggregator,
                status=Authorization.Status.APPROVED,
                topology_group=d.topology_group,
            )
            for d in [*created_aggregators, *devices]
        ],
        batch_size=BATCH,
    )
    return created_aggregators, devices


def give_certificate(end_device, lfdi: str) -> None:
    """Move an EndDevice (and its approval) to the LFDI of a certificate issued for the benchmark."""
    from django.db import transaction

    from derms import changefeed
    from derms.changefeed import affected
    from derms.lfdi import sfdi_from_lfdi
    from derms.models import Authorization, EndDevice

    if end_device.lfdi == lfdi:
        return
    former = end_device.lfdi
    with transaction.atomic():
        Authorization.objects.filter(lfdi=former).update(lfdi=lfdi)
        EndDevice.objects.filter(pk=end_device.pk).update(lfdi=lfdi, sfdi=sfdi_from_lfdi(lfdi))
        end_device.lfdi = lfdi
        # Who both LFDIs are changed: nothing remembered about either may answer for them.
        changefeed.record("certificate_replaced", [affected.client(former), *affected.end_device(end_device)])


def machine() -> list[str]:
    """What the figures were measured on: CPU, Python and Django, the database server."""
    import django
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
        else:
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        database = cursor.fetchone()[0]
    return [
        f"cpu:    {cpu} ({os.cpu_count()} logical)",
        f"python: {platform.python_implementation()} {platform.python_version()} ({sys.executable}), "
        f"Django {django.get_version()}",
        f"db:     {database}",
    ]
