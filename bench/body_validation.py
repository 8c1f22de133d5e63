"""What checking a 2030.5 request body against sep.xsd costs per request (CSIP_VALIDATE_BODIES).

Run from the repository root with the schema:
``CSIP_SCHEMA_PATH=/path/to/sep.xsd python bench/body_validation.py``.
It parses the bodies clients send most (DERStatus, a MirrorMeterReading of 12 readings, a MirrorUsagePoint)
the way the 2030.5 views do, with validation off and on, and prints the median cost of each and the
one-off cost of compiling the schema, with the machine they came from. It touches no database.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DERMS_VAR_DIR"] = tempfile.mkdtemp(prefix="derms-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from csip_api.xml import parse_document  # noqa: E402
from csip_api.xml.schema import load_schema  # noqa: E402
from tests.csip_api.documents import meter_reading_body, mup_body, reading, status_body  # noqa: E402

BODIES = {
    "DERStatus": status_body(1700000000, alarms="00000001"),
    "MirrorMeterReading": meter_reading_body(*(reading(1700000000 + 300 * i, i) for i in range(12))),
    "MirrorUsagePoint": mup_body("3e4f45ab31edfe5b67e343e5e4562e31984e23e5"),
}


def median_microseconds(body: bytes, root: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        parse_document(body, root=root)
        timings.append((time.perf_counter() - began) * 1e6)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="parses per body and setting (default 2000)")
    runs = parser.parse_args().runs
    if not settings.CSIP_SCHEMA_PATH:
        sys.exit("Set CSIP_SCHEMA_PATH to IEEE's sep.xsd.")
    began = time.perf_counter()
    load_schema()
    compiled = (time.perf_counter() - began) * 1000
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python: {platform.python_implementation()} {platform.python_version()}")
    print(f"compiling sep.xsd once per process: {compiled:.0f} ms")
    for root, text in BODIES.items():
        body = text.encode()
        settings.CSIP_VALIDATE_BODIES = False
        plain = median_microseconds(body, root, runs)
        settings.CSIP_VALIDATE_BODIES = True
        validated = median_microseconds(body, root, runs)
        print(
            f"{root} ({len(body)} bytes): parse {plain:.0f} µs, parse and validate {validated:.0f} µs "
            f"(+{validated - plain:.0f} µs a request), median of {runs}"
        )


if __name__ == "__main__":
    main()
