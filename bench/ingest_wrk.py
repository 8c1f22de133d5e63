"""bench/ingest.py --wrk: 12-reading MirrorMeterReadings POSTed by wrk to gunicorn in proxy mode.

The server is :func:`bench.layout.serve` (derms's gunicorn configuration on loopback TCP, the client
certificate in X-Forwarded-Client-Cert); ``bench/ingest.lua`` posts to one DER's mirror after another.
Every post carries start times no other post has, so each writes 12 new rows: the readings counted in the
database afterwards must be 12 for every post answered 2xx (and for those still in flight when wrk
stopped, which the server completes), or a 2xx was sent for readings that were not committed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

from bench.ingest import NS, QUANTITIES, call, create_mirrors, identity_cost, mrid, prepare
from bench.layout import run_wrk, serve
from bench.utility import machine

LUA = Path(__file__).with_name("ingest.lua")
READINGS_PER_POST = 12
#: First reading start of the warm-up; the measured run starts far beyond whatever the warm-up wrote.
WARMUP_START, MEASURED_START = 1_800_000_000, 1_900_000_000


def under_wrk(args, work: Path) -> None:
    from django.conf import settings
    from django.db import connection

    from derms.wsgi import application
    from tests.tls.servers import forwarded_header, scratch_certificate

    certificate = scratch_certificate("bench aggregator")
    header = forwarded_header(certificate)
    der_lfdis = prepare(certificate.lfdi, args.ders)
    began = time.perf_counter()
    locations, _ = create_mirrors(application, header, der_lfdis)
    print(f"{args.ders} MirrorUsagePoints created in process in {time.perf_counter() - began:.1f} s")
    identity_ms = identity_cost(header)
    queries, in_process_ms = in_process_posts(application, header, locations)
    _, power = QUANTITIES[0]
    mirrors = work / "mirrors.tsv"
    mirrors.write_text(
        "".join(
            f"{location}\t{mrid(number, power)}\t{mrid(number, 'F' + power)}\n"
            for number, location in enumerate(locations)
        )
    )
    aggregator_id = _aggregator_id(certificate.lfdi)
    connection.close()

    print(*machine(), sep="\n")
    print(f"wrk:    {subprocess.run(['wrk', '--version'], capture_output=True, text=True).stdout.split()[1]}")
    layout = dict(
        clients=[], pki_dir=Path(settings.CSIP_PKI_DIR), work=work, workers=args.workers, threads=args.threads
    )
    with serve("proxy", **layout) as server:
        print(
            f"{server.note}; gunicorn gthread {args.workers}x{args.threads}; "
            f"wrk 1 thread x {args.connections} connections; {args.ders} DERs' mirrors in turn, "
            f"{READINGS_PER_POST} readings a post; "
            f"{args.warmup} s warm-up + {args.duration} s; load before: {_load()}"
        )
        wrk = dict(seconds=args.warmup, connections=args.connections, script=LUA)
        run_wrk(server.url, mirrors, **wrk, args=[header, str(WARMUP_START)])
        before, children = server.snapshot(), resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk.update(seconds=args.duration)
        result = run_wrk(server.url, mirrors, **wrk, args=[header, str(MEASURED_START)])
        after, children_after = server.snapshot(), resource.getrusage(resource.RUSAGE_CHILDREN)
        rows = _settled_rows(aggregator_id)
        connection.close()

    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    workers = {pid: (t - before.workers.get(pid, 0)) * tick_ms for pid, t in after.workers.items()}
    database_ms = sum(t - before.backends.get(pid, 0) for pid, t in after.backends.items()) * tick_ms
    wrk_ms = (
        children_after.ru_utime + children_after.ru_stime - children.ru_utime - children.ru_stime
    ) * 1000
    machine_ms = (after.machine - before.machine) * tick_ms
    posts = max(result.requests, 1)
    app_ms = sum(workers.values())
    split = "/".join(f"{100 * ms / (app_ms or 1):.0f}" for ms in workers.values())
    print(
        f"posts: {result.requests} in {args.duration} s = {result.rate:.0f} posts/s "
        f"({result.rate * READINGS_PER_POST:,.0f} readings/s); p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms; non-2xx {result.non2xx}, socket errors {result.errors}"
    )
    print(
        f"CPU per post: gunicorn workers {app_ms / posts:.2f} ms (split {split}%), PostgreSQL backends "
        f"{database_ms / posts:.2f} ms, wrk {wrk_ms / posts:.2f} ms; the whole machine "
        f"{machine_ms / posts:.2f} ms ({machine_ms / 1000 / args.duration:.2f} cores busy); identifying the "
        f"client (in process) {identity_ms:.2f} ms of the workers'; in process a post takes "
        f"{in_process_ms:.2f} ms CPU and {queries} queries"
    )
    in_flight = rows / READINGS_PER_POST - result.requests
    print(
        f"rows: {rows} readings found in the database after the run = {rows / READINGS_PER_POST:.0f} posts x "
        f"{READINGS_PER_POST} ({result.requests} answered 2xx + {in_flight:.0f} in flight when wrk stopped "
        f"or given up by wrk, completed by the server)"
    )
    print(f"load after: {_load()}")
    assert result.non2xx == 0, "every post answered must be answered 2xx"
    assert rows % READINGS_PER_POST == 0, "a post was stored in part"
    # Posts wrk gave up on (socket errors: timeouts on an overloaded machine) may have been stored too.
    unanswered = args.connections + result.errors
    assert result.requests <= rows / READINGS_PER_POST <= result.requests + unanswered, (
        "the readings of a post answered 2xx are missing"
    )


def meter_reading(der: int, start: int) -> bytes:
    """What bench/ingest.lua posts to DER ``der``'s mirror for ``start``."""
    _, power = QUANTITIES[0]
    readings = "".join(
        f"<Reading><timePeriod><duration>300</duration><start>{start + 300 * i}</start></timePeriod>"
        f"<value>{3800 + i}</value></Reading>"
        for i in range(READINGS_PER_POST)
    )
    return (
        f"<MirrorMeterReading {NS}><mRID>{mrid(der, power)}</mRID><MirrorReadingSet>"
        f"<mRID>{mrid(der, 'F' + power)}</mRID><timePeriod><duration>3600</duration><start>{start}</start>"
        f"</timePeriod>{readings}</MirrorReadingSet></MirrorMeterReading>"
    ).encode()


def in_process_posts(application, header: str, locations: list[str], posts: int = 300) -> tuple[int, float]:
    """The queries of one post through Django's WSGI application in this process, and its CPU ms (the
    mean of ``posts``), with start times the measured runs do not use."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def post(number: int) -> None:
        der = number % len(locations)
        status, _ = call(
            application, "POST", locations[der], meter_reading(der, 1_700_000_000 + number * 3600), header
        )
        assert status.startswith("200"), status

    post(0)
    with CaptureQueriesContext(connection) as captured:
        post(1)
    queries = len(captured)  # now: each request's start empties the log
    began = time.process_time()
    for number in range(2, posts + 2):
        post(number)
    return queries, (time.process_time() - began) * 1000 / posts


def _aggregator_id(lfdi: str) -> int:
    from derms.models import EndDevice

    return EndDevice.objects.get(lfdi=lfdi).pk


def _settled_rows(aggregator_id: int) -> int:
    """The readings the measured run posted for the aggregator's DERs (the warm-up's start earlier), once
    posts still in flight have been committed."""
    from derms.models import Reading
    from derms.models.der import from_epoch

    measured = Reading.objects.filter(
        end_device__aggregator_id=aggregator_id, start__gte=from_epoch(MEASURED_START)
    )
    count = -1
    while True:
        latest = measured.count()
        if latest == count:
            return count
        count = latest
        time.sleep(1)


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())
