"""Large generated import files, for the 100,000-row test and bench/import_csv.py."""

import hashlib

from tests.imports.conftest import AUTHORIZATION_HEADER

SERVICE_POINTS = 1000
FEEDERS = 10
VENDORS = ("VENDOR-A", "VENDOR-B")
AGGREGATOR = hashlib.sha256(b"generated aggregator").hexdigest()[:40]


def topology_csv(*, service_points: int = SERVICE_POINTS) -> str:
    """A System, FEEDERS feeders, ``service_points`` service points under them, and two vendor groups."""
    rows = ["id,level,parent,name", "SYS,System,,System"]
    rows += [f"FDR-{f},Feeder,SYS,Feeder {f}" for f in range(FEEDERS)]
    rows += [f"SP-{s},Service point,FDR-{s % FEEDERS},Service point {s}" for s in range(service_points)]
    rows += [f"{vendor},Non-topology,,{vendor}" for vendor in VENDORS]
    return "\n".join(rows) + "\n"


def der_lfdi(n: int) -> str:
    return hashlib.sha256(f"generated der {n}".encode()).hexdigest()[:40]


def authorizations_csv(rows: int, *, service_points: int = SERVICE_POINTS) -> str:
    """An aggregator, then ``rows - 1`` DERs: every third managed by it, each on a service point and in
    a vendor group, all out of band (so each gets its EndDevice)."""
    lines = [AUTHORIZATION_HEADER, f"{AGGREGATOR},aggregator,,,,out_of_band\n"]
    for n in range(rows - 1):
        role, aggregator = ("managed", AGGREGATOR) if n % 3 == 0 else ("direct", "")
        lines.append(
            f"{der_lfdi(n)},{role},{aggregator},SP-{n % service_points},{VENDORS[n % 2]},out_of_band\n"
        )
    return "".join(lines)
