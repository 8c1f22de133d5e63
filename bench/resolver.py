"""How long the resolver takes for a DER in 15 programs with 24 events each (CSIP G10, P24).

Run from the repository root: ``python bench/resolver.py``. It builds its own SQLite database in a
temporary directory, so it touches nothing else, and prints the figures with the machine they came from.
"""

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

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from derms.der_controls import CurveType  # noqa: E402
from derms.events.resolver import timeline_for_device  # noqa: E402
from derms.events.services import create_control, create_curve, update_default_control  # noqa: E402
from derms.models import DERProgram, EndDevice, Role  # noqa: E402
from groups.models import MAX_GROUPS_PER_DER, Group, Level  # noqa: E402

EVENTS_PER_PROGRAM = 24
RUNS = 50


def build_der() -> EndDevice:
    """A DER at a service point seven levels deep plus eight non-topology groups, each with a program."""
    node = Group.objects.add_root({"name": "System", "level": Level.SYSTEM})
    groups = [node]
    for level in list(Level)[1:7]:
        node = Group.objects.add_child(node, {"name": level.label, "level": level})
        groups.append(node)
    groups += [
        Group.objects.add_root({"name": f"Program {i}", "level": Level.NON_TOPOLOGY})
        for i in range(MAX_GROUPS_PER_DER - len(groups))
    ]
    device = EndDevice.objects.create(
        lfdi="3e4f45ab31edfe5b67e343e5e4562e31984e23e5", role=Role.DIRECT, topology_group=node
    )
    device.non_topology_groups.set(groups[7:])
    start = timezone.now() + dt.timedelta(minutes=10)
    for primacy, group in enumerate(groups):
        program = DERProgram.objects.create(group=group, primacy=primacy * 5)
        curve = create_curve(
            program=program,
            curve_type=CurveType.VOLT_VAR,
            points=[(9500, 3000, None), (10500, -3000, None)],
            y_ref_type=2,
        )
        update_default_control(program=program, values={"opModMaxLimW": 10000, "setGradW": 50})
        mixes = [
            {"opModMaxLimW": 5000 + primacy},
            {"opModFixedW": -primacy},
            {"opModFixedPFInjectW": {"displacement": 95, "excitation": False, "multiplier": -2}},
            {"opModVoltVar": curve.mrid, "opModMaxLimW": 8000},
        ]
        for hour in range(EVENTS_PER_PROGRAM):
            create_control(
                program=program,
                start=start + dt.timedelta(minutes=hour * 50 + primacy),
                duration=3600,
                values=mixes[(hour + primacy) % len(mixes)],
            )
    return EndDevice.objects.get(pk=device.pk)


def main() -> None:
    call_command("migrate", verbosity=0)
    der = build_der()
    start = timezone.now()
    end = start + dt.timedelta(days=1)
    with CaptureQueriesContext(connection) as queries:
        segments = timeline_for_device(end_device=der, start=start, end=end)
    timings = []
    for _ in range(RUNS):
        began = time.perf_counter()
        timeline_for_device(end_device=EndDevice.objects.get(pk=der.pk), start=start, end=end)
        timings.append((time.perf_counter() - began) * 1000)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python: {platform.python_implementation()} {platform.python_version()}, {connection.vendor}")
    print(f"DER in {DERProgram.objects.count()} programs, {EVENTS_PER_PROGRAM} events each, 24 h window")
    print(f"segments: {len(segments)}, queries: {len(queries)}")
    print(
        f"resolver over {RUNS} runs: median {statistics.median(timings):.1f} ms, "
        f"min {min(timings):.1f} ms, max {max(timings):.1f} ms"
    )


if __name__ == "__main__":
    main()
