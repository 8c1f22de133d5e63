"""Readings ingested per second: an aggregator posts MirrorMeterReadingLists for 1,000 DERs.

Run against a PostgreSQL database of its own (``createdb wt5_bench`` first; it is migrated here):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt5_bench python bench/ingest.py
Each run adds a new aggregator and its DERs.

Requests go through Django's WSGI application in-process, with the aggregator's certificate forwarded
as a TLS-terminating proxy would (CSIP_TLS_MODE=proxy): the figure covers identity, parsing, the
services and PostgreSQL, not TLS or the network. Switch to HTTPS once the TLS serving lands on main.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")
os.environ["CSIP_TLS_MODE"] = "proxy"
os.environ["CSIP_TRUSTED_PROXIES"] = "127.0.0.1"

import django

django.setup()

from cryptography.hazmat.primitives.serialization import Encoding  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from derms.lfdi import sfdi_from_lfdi  # noqa: E402
from derms.models import Authorization, EndDevice, Reading, Role  # noqa: E402
from derms.wsgi import application  # noqa: E402
from tests.csip_api.certificates import client_certificate, lfdi_of  # noqa: E402

NS = 'xmlns="urn:ieee:std:2030.5:ns"'
#: CSIP Table 10: real power, reactive power, frequency, voltage.
QUANTITIES = ((38, "01"), (63, "02"), (33, "03"), (29, "04"))


def call(method: str, path: str, body: bytes, header: str) -> tuple[str, dict]:
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


def prepare(ders: int) -> tuple[str, list[str]]:
    """A fresh aggregator with ``ders`` managed DERs; returns its forwarded header and their LFDIs."""
    certificate = client_certificate("bench aggregator")
    lfdi = lfdi_of(certificate)
    aggregator = EndDevice.objects.create(lfdi=lfdi, role=Role.AGGREGATOR)
    Authorization.objects.create(lfdi=lfdi, role=Role.AGGREGATOR, status=Authorization.Status.APPROVED)
    der_lfdis = [f"{aggregator.pk:08x}{n:032x}" for n in range(ders)]
    EndDevice.objects.bulk_create(
        EndDevice(lfdi=d, sfdi=sfdi_from_lfdi(d), role=Role.MANAGED, aggregator=aggregator) for d in der_lfdis
    )
    header = quote(certificate.public_bytes(Encoding.PEM).decode("ascii"), safe="")
    return header, der_lfdis


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "?",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        database = cursor.fetchone()[0].split(" on ")[0]
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {memory} RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()} ({sys.executable}); {database}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ders", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="MirrorMeterReadingLists per DER")
    parser.add_argument("--readings", type=int, default=12, help="readings per quantity per list")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (its own, e.g. .../wt5_bench).")
    call_command("migrate", verbosity=0)
    header, der_lfdis = prepare(args.ders)

    locations = []
    began = time.perf_counter()
    for number, lfdi in enumerate(der_lfdis):
        status, headers = call("POST", "/mup", usage_point(number, lfdi), header)
        assert status.startswith("201"), status
        locations.append(headers["Location"])
    mirrors_took = time.perf_counter() - began

    before = Reading.objects.count()
    posts = 0
    began = time.perf_counter()
    for round_number in range(args.rounds):
        start = 1700000000 + round_number * 300 * args.readings
        for number, location in enumerate(locations):
            status, _ = call("POST", location, reading_list(number, start, args.readings), header)
            assert status.startswith("201"), status
            posts += 1
    took = time.perf_counter() - began
    stored = Reading.objects.count() - before
    expected = args.ders * args.rounds * args.readings * len(QUANTITIES)
    assert stored == expected, (stored, expected)

    print(f"machine: {machine()}")
    print(
        "path: Django WSGI application in-process (no TLS, no network); identity via X-Forwarded-Client-Cert"
    )
    print(
        f"MirrorUsagePoints: {args.ders} created in {mirrors_took:.1f} s ({args.ders / mirrors_took:.0f}/s)"
    )
    print(
        f"readings: {stored} in {posts} MirrorMeterReadingList posts "
        f"({args.readings * len(QUANTITIES)} readings each) in {took:.1f} s"
    )
    print(f"ingest: {stored / took:,.0f} readings/s, {posts / took:.0f} posts/s")


if __name__ == "__main__":
    main()
