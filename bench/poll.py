"""The polling read path in the production layout, driven by wrk: requests/s, latency, CPU and queries.

Run as ``python bench/poll.py``. It uses ``DATABASE_URL`` (default: PostgreSQL database ``h_poll_bench``
on 127.0.0.1), creates and migrates it, and builds the utility once with bulk_create: one aggregator
with 10,000 EndDevices and 1,000 direct DERs under one feeder, 3 programs (system, substation and
feeder level) with defaults, curves and 26 hourly events between them (one active in each program, the
others future but one). Later runs reuse it (``--rebuild`` starts over) and move the events to now.

Each mode starts gunicorn (2 workers x 4 threads, derms's own configuration) and runs wrk (one thread,
``--connections`` keep-alive connections, on the same cores) for each workload after a warm-up:

- ``proxy``: wrk speaks plain HTTP to gunicorn on loopback TCP with the client certificate in
  X-Forwarded-Client-Cert, as nginx forwards it, rotating over all 1,000 direct DERs.
- ``embedded``: gunicorn terminates mutual TLS itself. wrk cannot present a certificate, so a client-side
  nginx (one worker) turns wrk's plain HTTP into mutual TLS: one location and keep-alive upstream per
  client certificate (50 direct DERs and the aggregator), so gunicorn verifies real client certificates.

Per workload it prints requests/s, p50 and p99 (wrk), non-2xx answers, server CPU per request (gunicorn
workers and PostgreSQL backends, from /proc; nginx and wrk not included), how the workers' CPU split,
and queries per request (counted in-process with CaptureQueriesContext: first request, and the mean of
ten repeats);
then each worker's RSS and the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_poll_bench")
# The in-process query count reads identities as gunicorn does in proxy mode.
os.environ["CSIP_TLS_MODE"] = "proxy"
os.environ["CSIP_TRUSTED_PROXIES"] = "127.0.0.1"

import django  # noqa: E402

django.setup()  # before bench.layout, whose test helpers import the 2030.5 API

from bench.databases import ensure_database  # noqa: E402
from bench.layout import Identity, Result, Server, rss_mib, run_wrk, serve  # noqa: E402
from bench.utility import build_end_devices, build_groups, build_programs, give_certificate, machine  # noqa: E402

AGGREGATED_DERS = 10_000
DIRECT_DERS = 1_000
SERVICE_POINTS = 100
#: (primacy, hourly events) of the system's, the substation's and the feeder's program: 26 per DER.
PROGRAMS = ((89, 9), (88, 9), (85, 8))
#: Direct DERs with a certificate of their own in embedded mode (one nginx location each).
EMBEDDED_DERS = 50
PAGE = 100
WORKERS, THREADS = 2, 4
#: At most this many seconds for the first pass over a workload's requests.
FIRST_PASS_LIMIT = 300
WORKLOADS = ("poll", "dcap-der", "dcap-aggregator", "edev-pages", "tm")
#: Issue #14's goals on this 2-core machine with 50 connections: requests/s (and p99 ms for the poll).
TARGETS = {
    "poll": (2500, 100),
    "dcap-der": (2500, None),
    "dcap-aggregator": (2500, None),
    "edev-pages": (600, None),
    "tm": (5000, None),
}
ROW = "{:<16} {:>6} {:>7} {:>7} {:>7} {:>6} {:>6} {:>7} {:>9} {:>6} {:>11}  {}"
HEADINGS = (
    "workload",
    "req/s",
    "p50 ms",
    "p99 ms",
    "non-2xx",
    "app ms",
    "PG ms",
    "workers",
    "client ms",
    "others",
    "queries",
    "goal",
)


def build() -> None:
    """The whole utility in one transaction, so an interrupted build leaves nothing behind."""
    from django.db import transaction
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic():
        tree = build_groups(substations=1, feeders_per_substation=1, service_points_per_feeder=SERVICE_POINTS)
        levels = (tree.system, tree.substations[0], tree.feeders[0])
        build_programs(
            [(g, primacy, events) for g, (primacy, events) in zip(levels, PROGRAMS, strict=True)],
            now=now,
            first_start=_first_start(now),
        )
        build_end_devices(
            aggregators=1,
            managed=AGGREGATED_DERS,
            ders=AGGREGATED_DERS + DIRECT_DERS,
            service_points=tree.service_points,
            rng=random.Random(2030_5),
        )


def _first_start(now: dt.datetime) -> dt.datetime:
    """Each program's events run back to back hourly from an hour before this one: one over, one active."""
    return now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)


def keep_events_current() -> None:
    """Move the events of a reused utility to now (through the change feed, as any reschedule)."""
    from django.db import transaction
    from django.utils import timezone

    from derms import changefeed
    from derms.changefeed import affected
    from derms.models import DERControl

    first_start = _first_start(timezone.now())
    controls = list(DERControl.objects.order_by("program_id", "start", "pk"))
    if not controls or controls[0].start == first_start:
        return
    program, hour = None, 0
    for control in controls:
        hour = hour + 1 if control.program_id == program else 0
        program = control.program_id
        control.start = first_start + dt.timedelta(hours=hour)
        control.set_period()
    with transaction.atomic():
        DERControl.objects.bulk_update(controls, ["start", "end", "effective_start", "effective_end"])
        changefeed.record("control_rescheduled", [r for c in controls for r in affected.control(c)])


@dataclass
class Cast:
    aggregator: Identity
    ders: list[Identity]
    der_pks: list[int]
    programs: list[int]


def certify(pki_dir: Path) -> Cast:
    """A certificate for the aggregator and each direct DER, kept in ``pki_dir`` between runs; each
    EndDevice moves to its certificate's LFDI."""
    from csip_api.pki import ensure_server_pki, issue_client_certificate, load_client_certificate
    from derms.models import DERProgram, EndDevice, Role
    from tests.tls.servers import forwarded_header

    ensure_server_pki(directory=pki_dir, server_names=["localhost", "127.0.0.1"])

    def identity(end_device, name: str, prefix: str) -> Identity:
        certificate = load_client_certificate(directory=pki_dir, name=name) or issue_client_certificate(
            directory=pki_dir, name=name, aggregator=end_device.role == Role.AGGREGATOR
        )
        give_certificate(end_device, certificate.lfdi)
        aggregator = end_device.role == Role.AGGREGATOR
        return Identity(prefix, forwarded_header(certificate), certificate.cert, certificate.key, aggregator)

    aggregator = EndDevice.objects.get(role=Role.AGGREGATOR)
    ders = list(EndDevice.objects.filter(role=Role.DIRECT).order_by("pk"))
    return Cast(
        aggregator=identity(aggregator, "poll-aggregator", "/agg"),
        ders=[identity(d, f"poll-der-{i}", f"/c{i}") for i, d in enumerate(ders)],
        der_pks=[d.pk for d in ders],
        programs=list(DERProgram.objects.order_by("pk").values_list("pk", flat=True)),
    )


def poll_cycle(edev: int, programs: list[int]) -> list[str]:
    """What a direct DER reads each pollRate: itself, its FSAs, their programs, and each program's
    events, defaults and active events."""
    from csip_api import hrefs

    cycle = [
        hrefs.href(hrefs.END_DEVICE, edev=edev),
        hrefs.href(hrefs.FSA_LIST, edev=edev) + "?l=20",
        hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=edev, fsa=hrefs.TOPOLOGY_FSA) + "?l=20",
    ]
    for derp in programs:
        cycle += [
            hrefs.href(hrefs.CONTROL_LIST, derp=derp) + "?l=100",
            hrefs.href(hrefs.DEFAULT_CONTROL, derp=derp),
            hrefs.href(hrefs.ACTIVE_CONTROL_LIST, derp=derp) + "?l=100",
        ]
    return cycle


def workload(name: str, cast: Cast, ders: int) -> list[tuple[Identity, str]]:
    """The requests of a workload, interleaved so consecutive requests come from different clients."""
    from csip_api import hrefs

    clients = list(zip(cast.ders[:ders], cast.der_pks[:ders], strict=True))
    if name == "poll":
        cycles = [(who, poll_cycle(pk, cast.programs)) for who, pk in clients]
        return [(who, cycle[step]) for step in range(len(cycles[0][1])) for who, cycle in cycles]
    if name == "dcap-der":
        return [(who, hrefs.href(hrefs.DCAP)) for who, _ in clients]
    if name == "dcap-aggregator":
        return [(cast.aggregator, hrefs.href(hrefs.DCAP))]
    if name == "edev-pages":
        edev = hrefs.href(hrefs.END_DEVICE_LIST)
        return [(cast.aggregator, f"{edev}?s={s}&l={PAGE}") for s in range(0, AGGREGATED_DERS, PAGE)]
    if name == "tm":
        return [(who, hrefs.href(hrefs.TIME)) for who, _ in clients]
    raise ValueError(name)


REPEATS = 10


def count_queries(requests: list[tuple[Identity, str]]) -> tuple[float, float]:
    """Queries per request in-process over one round of the workload's distinct resources (at most one
    poll cycle): of the first request of each, and the mean of the same request repeated REPEATS times
    (the lease renewals of derms.changefeed.lease and the first reads of versions included)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(REMOTE_ADDR="127.0.0.1")
    seen, first, repeat = set(), 0, 0
    sample = [(who, url) for who, url in requests if not (url in seen or seen.add(url))][:12]
    for who, url in sample:
        for attempt in range(1 + REPEATS):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, HTTP_X_FORWARDED_CLIENT_CERT=who.header)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
            if attempt:
                repeat += len(captured)
            else:
                first += len(captured)
    return first / len(sample), repeat / len(sample) / REPEATS


@dataclass(frozen=True)
class Measured:
    first_pass: Result  # every request of the workload once, from cold
    result: Result  # the measured run
    workers: dict[int, float]  # CPU ms of each gunicorn worker during it
    database_ms: float  # of the PostgreSQL backends
    client_ms: float  # of wrk and the client-side nginx
    others: float  # cores the rest of the machine used meanwhile


def measure(server: Server, requests_file: Path, args) -> Measured:
    """A first pass over every request (each client and document met once, as steady polling has
    them), a warm-up, then the measured run with CPU read from /proc before and after."""
    wrk = dict(connections=args.connections)
    first_pass = run_wrk(server.url, requests_file, seconds=FIRST_PASS_LIMIT, once=True, **wrk)
    run_wrk(server.url, requests_file, seconds=args.warmup, **wrk)
    before, wrk_before, began = server.snapshot(), _children_seconds(), time.monotonic()
    result = run_wrk(server.url, requests_file, seconds=args.duration, **wrk)
    after, wrk_ms, elapsed = (
        server.snapshot(),
        (_children_seconds() - wrk_before) * 1000,
        time.monotonic() - began,
    )
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    workers = {pid: (t - before.workers.get(pid, 0)) * tick_ms for pid, t in after.workers.items()}
    database_ms = sum(t - before.backends.get(pid, 0) for pid, t in after.backends.items()) * tick_ms
    client_ms = wrk_ms + (after.client_side - before.client_side) * tick_ms
    others_ms = (after.machine - before.machine) * tick_ms - sum(workers.values()) - database_ms - client_ms
    return Measured(first_pass, result, workers, database_ms, client_ms, others_ms / 1000 / elapsed)


def _children_seconds() -> float:
    """CPU seconds of this process's finished children: each wrk run once it has exited."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(name: str, measured: Measured, queries: tuple[float, float]) -> str:
    result, first = measured.result, measured.first_pass
    served = max(result.requests, 1)
    app_ms = sum(measured.workers.values())
    split = "/".join(f"{100 * ms / (app_ms or 1):.0f}" for ms in measured.workers.values())
    row = ROW.format(
        name,
        f"{result.rate:.0f}",
        f"{result.p50_ms:.1f}",
        f"{result.p99_ms:.1f}",
        f"{result.non2xx + result.errors}",
        f"{app_ms / served:.2f}",
        f"{measured.database_ms / served:.2f}",
        f"{split}%",
        f"{measured.client_ms / served:.2f}",
        f"{measured.others:.2f}",
        f"{queries[0]:.1f} / {queries[1]:.2f}",
        _goal(name, result),
    )
    return (
        f"{row}\n{'':<16} first pass, every request once: {first.rate:.0f} req/s, "
        f"p99 {first.p99_ms:.1f} ms, {first.non2xx + first.errors} non-2xx"
    )


def _goal(name: str, result: Result) -> str:
    rate, p99 = TARGETS[name]
    met = result.rate >= rate and (p99 is None or result.p99_ms <= p99)
    return f">= {rate}" + (f", p99 <= {p99} ms" if p99 else "") + (": met" if met else ": not met")


def requests_file(path: Path, mode: str, requests: list[tuple[Identity, str]]) -> Path:
    """The lines poll.lua reads: a path and the certificate header (proxy), or the client's nginx
    location before the path (embedded, where the connection carries the certificate)."""
    if mode == "proxy":
        lines = (f"{url}\t{who.header}\n" for who, url in requests)
    else:
        lines = (f"{who.prefix}{url}\t\n" for who, url in requests)
    path.write_text("".join(lines))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="drop and build the utility again")
    parser.add_argument("--duration", type=int, default=12, help="seconds measured per workload")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per workload")
    parser.add_argument("--connections", type=int, default=50, help="wrk keep-alive connections")
    parser.add_argument("--only", choices=WORKLOADS, action="append", help="run only this workload")
    parser.add_argument("--mode", choices=("proxy", "embedded", "both"), default="both")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    ensure_database(os.environ["DATABASE_URL"], rebuild=args.rebuild)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from derms.models import EndDevice

    setup_test_environment()  # lets the test Client's host through ALLOWED_HOSTS; DEBUG stays off
    call_command("migrate", verbosity=0)
    if args.rebuild or not EndDevice.objects.exists():
        began = time.perf_counter()
        build()
        print(f"built {EndDevice.objects.count()} EndDevices in {time.perf_counter() - began:.0f} s")
    keep_events_current()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a live database
    pki_dir = Path(settings.VAR_DIR) / "bench-poll-pki" / connection.settings_dict["NAME"]
    cast = certify(pki_dir)
    names = args.only or list(WORKLOADS)
    queries = {name: count_queries(workload(name, cast, DIRECT_DERS)) for name in names}
    connection.close()

    print(*machine(), sep="\n")
    print(f"wrk:    {subprocess.run(['wrk', '--version'], capture_output=True, text=True).stdout.split()[1]}")
    print(
        f"utility: 1 aggregator of {AGGREGATED_DERS} EndDevices, {DIRECT_DERS} direct DERs, "
        f"{len(cast.programs)} programs, {sum(e for _, e in PROGRAMS)} DERControls per DER; "
        f"gunicorn gthread {WORKERS}x{THREADS}, wrk 1 thread x {args.connections} connections, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per workload"
    )
    redis = os.environ.get("REDIS_URL") or "unset (no shared cache, no broker)"
    print(f"server: REDIS_URL {redis}; CSIP_SCHEMA_PATH {os.environ.get('CSIP_SCHEMA_PATH') or 'unset'}")
    modes = ("proxy", "embedded") if args.mode == "both" else (args.mode,)
    with tempfile.TemporaryDirectory(prefix="derms-poll-") as tmp:
        work = Path(tmp)
        for mode in modes:
            ders = DIRECT_DERS if mode == "proxy" else EMBEDDED_DERS
            clients = [cast.aggregator, *cast.ders[:ders]]
            layout = dict(clients=clients, pki_dir=pki_dir, work=work, workers=WORKERS, threads=THREADS)
            with serve(mode, **layout) as server:
                load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
                print(f"\n{mode}: {server.note}; load before: {load}")
                print(ROW.format(*HEADINGS))
                for name in names:
                    file = requests_file(work / f"{mode}-{name}.tsv", mode, workload(name, cast, ders))
                    print(report(name, measure(server, file, args), queries[name]), flush=True)
                rss = ", ".join(f"{rss_mib(pid):.0f}" for pid in server.workers())
                print(f"RSS per worker at the end: {rss} MiB")
    print(
        "\napp ms / PG ms: CPU (utime+stime) of the gunicorn workers / of the PostgreSQL backends per "
        "request; workers: each worker's share of that app CPU; client ms: wrk's and the client-side nginx's "
        "CPU per request; others: cores the rest of the machine used meanwhile (other work on this "
        "machine); queries: per request in-process, first / mean of 10 repeats"
    )


if __name__ == "__main__":
    main()
