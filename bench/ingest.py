"""Readings ingested per second: an aggregator posts its DERs' readings to their mirrors.

Three ways to drive the server:

- ``--wrk``: the production layout under wrk, as issue #14 measures it. gunicorn (derms's own
  configuration, 2 workers x 4 threads) in proxy mode on loopback TCP; wrk (one thread, ``--connections``
  keep-alive connections, on the same cores) POSTs MirrorMeterReadings of 12 readings (``bench/ingest.lua``)
  to the mirrors of ``--ders`` DERs in turn, the client certificate in X-Forwarded-Client-Cert as nginx
  forwards it, each post with start times of its own. It prints posts/s, p50 and p99, the CPU per post of
  the gunicorn workers and of the PostgreSQL backends (/proc, before and after), and the rows found in the
  database afterwards: every post answered 2xx must have its 12 readings committed.
- by default over real HTTPS: gunicorn with embedded mutual TLS on a development PKI made for the run,
  and client processes, each on one keep-alive connection holding the aggregator's certificate, post
  ``--rounds`` MirrorMeterReadingLists (4 quantities x ``--readings``) per DER.
- ``--in-process``: the same lists through Django's WSGI application in this process (no TLS, no network;
  the certificate forwarded as from a TLS-terminating proxy), to tell the server's own cost from that of
  TLS and the clients; it prints the CPU per post, and what identifying the client costs of it.

    .venv/bin/python bench/ingest.py --wrk [--ders 1000] [--duration 15] [--connections 50]
    .venv/bin/python bench/ingest.py [--ders 1000] [--rounds 3] [--clients 4] [--in-process]

PostgreSQL from DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/h_ingest_bench, created if
missing and migrated. Each run adds a new aggregator and its DERs (created in process, a MirrorUsagePoint
each). Clients and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from bench.databases import ensure_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/h_ingest_bench"
#: CSIP Table 10: real power, reactive power, frequency, voltage.
QUANTITIES = ((38, "01"), (63, "02"), (33, "03"), (29, "04"))
NS = 'xmlns="urn:ieee:std:2030.5:ns"'
#: Bound on each phase: a stuck server must not hang the bench.
PHASE_TIMEOUT = 900


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ders", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="MirrorMeterReadingLists per DER")
    parser.add_argument("--readings", type=int, default=12, help="readings per quantity per list")
    parser.add_argument("--clients", type=int, default=4, help="client processes (HTTPS)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--in-process", action="store_true", help="Django's WSGI app in this process")
    parser.add_argument("--wrk", action="store_true", help="wrk against gunicorn in proxy mode")
    parser.add_argument("--duration", type=int, default=15, help="seconds measured (--wrk)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up (--wrk)")
    parser.add_argument("--connections", type=int, default=50, help="wrk keep-alive connections (--wrk)")
    args = parser.parse_args()

    database_url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL database of the bench's own.")
    ensure_database(database_url, rebuild=False)
    with tempfile.TemporaryDirectory(prefix="derms-ingest-") as tmp:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="derms.settings",
            DERMS_VAR_DIR=tmp,
            CSIP_PKI_DIR=f"{tmp}/pki",
            CSIP_TLS_MODE="embedded" if not (args.in_process or args.wrk) else "proxy",
            CSIP_TRUSTED_PROXIES="127.0.0.1",
            DERMS_LOG_LEVEL="WARNING",
        )
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if args.wrk:
            from bench.ingest_wrk import under_wrk

            under_wrk(args, Path(tmp))
            return
        run = in_process if args.in_process else over_https
        figures = run(args)
    print_figures(args, figures)


# --- What the aggregator sends ------------------------------------------------------------------------


def mrid(der: int, quantity: str) -> str:
    return f"{der:024X}{quantity:0>8}"


def usage_point(der: int, lfdi: str) -> bytes:
    meter_readings = "".join(
        f"<MirrorMeterReading><mRID>{mrid(der, code)}</mRID><ReadingType><dataQualifier>2</dataQualifier>"
        f"<intervalLength>300</intervalLength><uom>{uom}</uom></ReadingType></MirrorMeterReading>"
        for uom, code in QUANTITIES
    )
    return (
        f"<MirrorUsagePoint {NS}><mRID>{mrid(der, '0')}</mRID><roleFlags>49</roleFlags>"
        f"<serviceCategoryKind>0</serviceCategoryKind><status>1</status><deviceLFDI>{lfdi}</deviceLFDI>"
        f"{meter_readings}</MirrorUsagePoint>"
    ).encode()


def reading_list(der: int, start: int, per_quantity: int) -> bytes:
    entries = []
    for uom, code in QUANTITIES:
        readings = "".join(
            f"<Reading><timePeriod><duration>300</duration><start>{start + 300 * i}</start></timePeriod>"
            f"<value>{uom * 100 + i}</value></Reading>"
            for i in range(per_quantity)
        )
        entries.append(
            f"<MirrorMeterReading><mRID>{mrid(der, code)}</mRID>"
            f"<MirrorReadingSet><mRID>{mrid(der, 'F' + code)}</mRID>"
            f"<timePeriod><duration>{300 * per_quantity}</duration><start>{start}</start></timePeriod>"
            f"{readings}</MirrorReadingSet></MirrorMeterReading>"
        )
    count = len(entries)
    opening = f'<MirrorMeterReadingList {NS} all="{count}" results="{count}">'
    return (opening + "".join(entries) + "</MirrorMeterReadingList>").encode()


def round_start(round_number: int, per_quantity: int) -> int:
    return 1700000000 + round_number * 300 * per_quantity


def prepare(aggregator_lfdi: str, ders: int) -> list[str]:
    """Approve and register the aggregator and ``ders`` DERs it manages; return their LFDIs."""
    from derms.lfdi import sfdi_from_lfdi
    from derms.models import Authorization, EndDevice, Role

    aggregator = EndDevice.objects.create(lfdi=aggregator_lfdi, role=Role.AGGREGATOR)
    Authorization.objects.create(
        lfdi=aggregator_lfdi, role=Role.AGGREGATOR, status=Authorization.Status.APPROVED
    )
    der_lfdis = [f"{aggregator.pk:08x}{n:032x}" for n in range(ders)]
    EndDevice.objects.bulk_create(
        EndDevice(lfdi=d, sfdi=sfdi_from_lfdi(d), role=Role.MANAGED, aggregator=aggregator) for d in der_lfdis
    )
    return der_lfdis


# --- Over HTTPS -------------------------------------------------------------------------------------


def over_https(args) -> dict:
    from django.conf import settings
    from django.db import connection

    from csip_api.pki import ensure_server_pki, issue_client_certificate
    from tests.tls.servers import ServerProcess, listening_socket, python_command

    pki, _ = ensure_server_pki(directory=settings.CSIP_PKI_DIR, server_names=["localhost", "127.0.0.1"])
    certificate = issue_client_certificate(
        directory=settings.CSIP_PKI_DIR, name="bench-aggregator", aggregator=True
    )
    der_lfdis = prepare(certificate.lfdi, args.ders)
    connection.close()  # the client processes are forked and must not share it

    sock = listening_socket()
    command = python_command("-m", "gunicorn", "-c", "python:csip_api.serving.gunicorn_conf")
    command += ["--bind", f"fd://{sock.fileno()}", "--workers", str(args.workers)]
    command += ["--threads", str(args.threads)]
    server = ServerProcess(
        name="gunicorn",
        command=command,
        env=dict(os.environ),
        log_path=Path(settings.VAR_DIR) / "gunicorn.log",
        port=sock.getsockname()[1],
        pass_fds=[sock.fileno()],
        ready_marker="Booting",
    )
    server.start()
    sock.close()
    try:
        slices = [list(enumerate(der_lfdis))[n :: args.clients] for n in range(args.clients)]
        work = (server.port, pki, certificate)
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            began = time.perf_counter()
            created = pool.starmap_async(create_usage_points, [(*work, s) for s in slices])
            created = created.get(PHASE_TIMEOUT)
            mirrors_took = time.perf_counter() - began
            jobs = [(*work, locations, args.rounds, args.readings) for locations, _ in created]
            before = reading_count()
            connection.close()
            began = time.perf_counter()
            posted = pool.starmap_async(post_reading_lists, jobs).get(PHASE_TIMEOUT)
            took = time.perf_counter() - began
    finally:
        server.stop()
    return {
        "path": (
            "HTTPS, mutual TLS (TLS 1.2, ECDHE-ECDSA-AES128-CCM8, which the server prefers); "
            f"gunicorn gthread "
            f"{args.workers}x{args.threads} started by the bench; {args.clients} client processes, "
            "one keep-alive connection each"
        ),
        "mirrors_took": mirrors_took,
        "mirror_latencies": [t for _, latencies in created for t in latencies],
        "took": took,
        "posts": sum(len(latencies) for latencies in posted),
        "post_latencies": [t for latencies in posted for t in latencies],
        "stored": reading_count() - before,
    }


def _client(port, pki, certificate):
    from tests.tls.servers import CsipClient, client_context

    return CsipClient(port, client_context(pki, certificate))


def create_usage_points(port, pki, certificate, ders) -> tuple[list[tuple[int, str]], list[float]]:
    """POST a MirrorUsagePoint for each (number, LFDI); return (number, Location) pairs and latencies."""
    client = _client(port, pki, certificate)
    locations, latencies = [], []
    for number, lfdi in ders:
        began = time.perf_counter()
        response = client.post("/mup", usage_point(number, lfdi))
        latencies.append(time.perf_counter() - began)
        assert response.status == 201, (response.status, response.body)
        locations.append((number, response.location))
    client.close()
    return locations, latencies


def post_reading_lists(port, pki, certificate, locations, rounds: int, per_quantity: int) -> list[float]:
    client = _client(port, pki, certificate)
    latencies = []
    for round_number in range(rounds):
        start = round_start(round_number, per_quantity)
        for number, location in locations:
            body = reading_list(number, start, per_quantity)
            began = time.perf_counter()
            response = client.post(location, body)
            latencies.append(time.perf_counter() - began)
            # The MirrorMeterReadings came with the usage point: a list only adds readings (200).
            assert response.status == 200, (response.status, response.body)
    client.close()
    return latencies


def reading_count() -> int:
    from derms.models import Reading

    return Reading.objects.count()


# --- In process -------------------------------------------------------------------------------------


def call(application, method: str, path: str, body: bytes, header: str) -> tuple[str, dict]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "443",
        "HTTP_HOST": "localhost",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/sep+xml",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_FORWARDED_CLIENT_CERT": header,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "https",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = dict(headers)

    b"".join(application(environ, start_response))
    return answer["status"], answer["headers"]


def create_mirrors(application, header: str, der_lfdis: list[str]) -> tuple[list[str], list[float]]:
    """POST a MirrorUsagePoint for each DER in process; return their Locations and the latencies."""
    locations, latencies = [], []
    for number, lfdi in enumerate(der_lfdis):
        started = time.perf_counter()
        status, headers = call(application, "POST", "/mup", usage_point(number, lfdi), header)
        latencies.append(time.perf_counter() - started)
        assert status.startswith("201"), status
        locations.append(headers["Location"])
    return locations, latencies


def in_process(args) -> dict:
    from derms.wsgi import application
    from tests.tls.servers import forwarded_header, scratch_certificate

    certificate = scratch_certificate("bench aggregator")
    header = forwarded_header(certificate)
    der_lfdis = prepare(certificate.lfdi, args.ders)

    began = time.perf_counter()
    locations, mirror_latencies = create_mirrors(application, header, der_lfdis)
    mirrors_took = time.perf_counter() - began

    before = reading_count()
    post_latencies = []
    began, cpu_began = time.perf_counter(), time.process_time()
    for round_number in range(args.rounds):
        start = round_start(round_number, args.readings)
        for number, location in enumerate(locations):
            body = reading_list(number, start, args.readings)
            started = time.perf_counter()
            status, _ = call(application, "POST", location, body, header)
            post_latencies.append(time.perf_counter() - started)
            assert status.startswith("200"), status
    took, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    print(
        f"in process: {cpu * 1000 / len(post_latencies):.2f} ms CPU per post (this process: Django, derms, "
        f"psycopg), of which identifying the client {identity_cost(header):.2f} ms"
    )
    return {
        "path": "Django's WSGI application in-process (no TLS, no network); certificate in a header",
        "mirrors_took": mirrors_took,
        "mirror_latencies": mirror_latencies,
        "took": took,
        "posts": len(post_latencies),
        "post_latencies": post_latencies,
        "stored": reading_count() - before,
    }


def identity_cost(header: str, calls: int = 500) -> float:
    """CPU milliseconds :func:`csip_api.identity.identify` takes for a request carrying ``header``."""
    from django.test import RequestFactory

    from csip_api.identity import identify

    request = RequestFactory().get("/dcap", HTTP_X_FORWARDED_CLIENT_CERT=header, REMOTE_ADDR="127.0.0.1")
    identify(request)
    began = time.process_time()
    for _ in range(calls):
        identify(request)
    return (time.process_time() - began) * 1000 / calls


# --- Report ---------------------------------------------------------------------------------------------


def machine() -> str:
    from django.db import connection

    def first(path: str, key: str) -> str:
        lines = Path(path).read_text().splitlines()
        return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), "?")

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        database = cursor.fetchone()[0].split(" on ")[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    cpu, memory = first("/proc/cpuinfo", "model name"), first("/proc/meminfo", "MemTotal")
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {memory} RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()} "
        f"({sys.executable}); {database}; load {load} (1, 5, 15 min) after the run"
    )


def latency(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[int(len(ordered) * 0.95)]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def print_figures(args, figures: dict) -> None:
    expected = args.ders * args.rounds * args.readings * len(QUANTITIES)
    assert figures["stored"] == expected, (figures["stored"], expected)
    took, mirrors_took = figures["took"], figures["mirrors_took"]
    print(f"machine: {machine()}")
    print(f"path: {figures['path']}")
    print(
        f"MirrorUsagePoints: {args.ders} created in {mirrors_took:.1f} s ({args.ders / mirrors_took:.0f}/s; "
        f"{latency(figures['mirror_latencies'])} per POST)"
    )
    print(
        f"readings: {figures['stored']} in {figures['posts']} MirrorMeterReadingList posts "
        f"({args.readings * len(QUANTITIES)} readings each) in {took:.1f} s "
        f"({latency(figures['post_latencies'])} per POST)"
    )
    print(f"ingest: {figures['stored'] / took:,.0f} readings/s, {figures['posts'] / took:.0f} posts/s")


if __name__ == "__main__":
    main()
