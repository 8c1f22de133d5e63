"""The demo utility that ``manage.py demo_data`` builds: a grid, its DERs, programs, curves and events.

Running it again changes nothing: every object has a natural key (group name, deterministic mRID, the
authorization entry's ``demo <name>`` note), and only what is missing is created.

LFDIs and the development PKI: the clients that would connect with a certificate are listed by
:func:`demo_devices` (direct DERs and aggregators). When ``CSIP_PKI_DIR/clients/<name>.pem`` exists
(:func:`demo_certificate_path`), that certificate's LFDI is used; otherwise a stable made-up LFDI.
So the PKI step issues one certificate per ``demo_devices()`` name into that path and runs
``demo_data`` again, which moves the existing EndDevice and authorization entry to the new LFDI.
"""

import datetime as dt
import hashlib
import itertools
import uuid
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from derms.der_controls import CurveType
from derms.events.services import create_control, create_curve, create_program, update_default_control
from derms.lfdi import lfdi_from_certificate, sfdi_from_lfdi
from derms.models import (
    Authorization,
    DefaultDERControl,
    DERControl,
    DERCurve,
    DERProgram,
    EndDevice,
    Role,
)
from groups.models import Group, Level

#: Children per node, level by level: 2 x 2 x 2 x 2 x 3 x 8 = 384 service points.
FAN_OUT = {
    Level.SUB_TRANSMISSION: 2,
    Level.SUBSTATION: 2,
    Level.FEEDER: 2,
    Level.SEGMENT: 2,
    Level.SERVICE_TRANSFORMER: 3,
    Level.SERVICE_POINT: 8,
}
#: Names follow the CSIP guide's Figure 6: SYS-A1, SUBTX-A1-B1, ..., SP-A1-B1-C1-D1-E1-F1-G1.
_PREFIX = {
    Level.SYSTEM: "SYS",
    Level.SUB_TRANSMISSION: "SUBTX",
    Level.SUBSTATION: "SUB",
    Level.FEEDER: "FDR",
    Level.SEGMENT: "SEG",
    Level.SERVICE_TRANSFORMER: "TRANS",
    Level.SERVICE_POINT: "SP",
}
_LETTER = {level: chr(ord("A") + level - 1) for level in _PREFIX}

#: Levels that receive controls, primacy falling from System to Service point as in Figure 6.
#: Segments get no program: the utility does not control at that level (CSIP 5.2.3).
TOPOLOGY_PRIMACY = {
    Level.SYSTEM: 89,
    Level.SUB_TRANSMISSION: 88,
    Level.SUBSTATION: 87,
    Level.FEEDER: 86,
    Level.SERVICE_TRANSFORMER: 84,
    Level.SERVICE_POINT: 83,
}
VENDORS = ("Vendor: Helios Inverters", "Vendor: Northwind Power")
#: Program enrolments, with the primacy of their programs (Figure 6's Group-Z has 81).
ENROLMENTS = {"Program: Smart Inverter Pilot": 81, "Program: Battery Flex": 82}

PHOTOVOLTAIC = 1 << 21  # DeviceCategoryType bit 21
PV_AND_STORAGE = 1 << 23  # DeviceCategoryType bit 23

DIRECT_DERS = 40
MANAGED_PER_AGGREGATOR = 30
AGGREGATORS = ("aggregator-sunflow", "aggregator-brightgrid")
_NOTE = "demo {}"


@dataclass(frozen=True)
class DemoDevice:
    """A client of the demo utility: ``name`` is its key and its certificate's file name."""

    name: str
    role: str
    aggregator: str | None = None


def demo_devices() -> list[DemoDevice]:
    """Every demo client that connects with its own certificate: direct DERs, then aggregators."""
    direct = [DemoDevice(f"der-{n:03d}", Role.DIRECT) for n in range(1, DIRECT_DERS + 1)]
    return direct + [DemoDevice(name, Role.AGGREGATOR) for name in AGGREGATORS]


def managed_devices() -> list[DemoDevice]:
    """The DERs the aggregators act for; they never connect themselves (CSIP G1)."""
    return [
        DemoDevice(f"{aggregator.removeprefix('aggregator-')}-der-{n:03d}", Role.MANAGED, aggregator)
        for aggregator in AGGREGATORS
        for n in range(1, MANAGED_PER_AGGREGATOR + 1)
    ]


def demo_certificate_path(name: str):
    return settings.CSIP_PKI_DIR / "clients" / f"{name}.pem"


def demo_lfdi(name: str) -> str:
    """The LFDI of the certificate issued for ``name`` when there is one, else a stable made-up one."""
    path = demo_certificate_path(name)
    if path.exists():
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
        return lfdi_from_certificate(certificate.public_bytes(Encoding.DER))
    return hashlib.sha256(f"derms demo {name}".encode()).hexdigest()[:40]


def demo_mrid(key: str) -> str:
    """A deterministic mRID, so a second run finds what the first one made."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://derms.invalid/demo/{key}").hex.upper()


@transaction.atomic
def build_demo_utility() -> dict[str, int]:
    """Create whatever part of the demo utility is missing; return counts of what exists."""
    groups = _ensure_groups()
    programs = _ensure_programs(groups)
    curves = _ensure_curves(programs)
    _ensure_default_controls(programs, curves)
    _ensure_events(programs, curves)
    _ensure_clients(groups)
    return {
        "groups": Group.objects.count(),
        "service points": Group.objects.filter(level=Level.SERVICE_POINT).count(),
        "DER programs": DERProgram.objects.count(),
        "EndDevices": EndDevice.objects.count(),
        "authorization entries": Authorization.objects.count(),
        "DER controls": DERControl.objects.count(),
    }


def _topology_spec():
    """(name, level, parent name) for every topology node, parents first, siblings in sorted order."""
    yield f"{_PREFIX[Level.SYSTEM]}-A1", Level.SYSTEM, None
    frontier = [("A1", f"{_PREFIX[Level.SYSTEM]}-A1")]
    for level, count in FAN_OUT.items():
        next_frontier = []
        for code, parent_name in frontier:
            for n in range(1, count + 1):
                child_code = f"{code}-{_LETTER[level]}{n}"
                name = f"{_PREFIX[level]}-{child_code}"
                next_frontier.append((child_code, name))
                yield name, level, parent_name
        frontier = next_frontier


def _ensure_groups() -> dict[str, Group]:
    groups = {g.name: g for g in Group.objects.all()}
    spec = list(_topology_spec())
    if spec[0][0] not in groups:
        # A new grid: one bulk insert with paths computed by treebeard, siblings already in sorted order.
        Group.objects.load_bulk(_as_tree(spec), bulk_create=True)
        groups = {g.name: g for g in Group.objects.all()}
    for name, level, parent_name in spec:
        if name not in groups:
            parent = groups[parent_name]
            parent.refresh_from_db(fields=["numchild"])
            groups[name] = Group.objects.add_child(parent, instance=Group(name=name, level=level))
    for name in (*VENDORS, *ENROLMENTS):
        if name not in groups:
            groups[name] = Group.objects.add_root(instance=Group(name=name, level=Level.NON_TOPOLOGY))
    return groups


def _as_tree(spec: list) -> list[dict]:
    """The nested data treebeard's load_bulk takes, from (name, level, parent name) rows."""
    nodes = {name: {"data": {"name": name, "level": level}, "children": []} for name, level, _ in spec}
    roots = []
    for name, _, parent_name in spec:
        (nodes[parent_name]["children"] if parent_name else roots).append(nodes[name])
    return roots


def _ensure_programs(groups: dict[str, Group]) -> dict[str, DERProgram]:
    """A program, with its empty defaults, for every group the demo utility sends controls to."""
    wanted = [
        (group, TOPOLOGY_PRIMACY[group.level]) for group in groups.values() if group.level in TOPOLOGY_PRIMACY
    ] + [(groups[name], primacy) for name, primacy in ENROLMENTS.items()]
    existing = set(DERProgram.objects.values_list("group_id", flat=True))
    for group, primacy in wanted:
        if group.pk not in existing:
            create_program(
                group=group,
                primacy=primacy,
                description=group.name[:32],
                mrid=demo_mrid(f"derp/{group.name}"),
            )
    return {p.group.name: p for p in DERProgram.objects.select_related("group")}


# Volt-var and volt-watt as California Rule 21 / IEEE 1547 category B set them: x in percent of nominal
# voltage, y in percent of setMaxVar (volt-var) or setMaxW (volt-watt), both with two decimals.
VOLT_VAR_RULE_21 = [(9200, 3000), (9670, 0), (10300, 0), (10700, -3000)]
VOLT_VAR_HOT_DAY = [(9200, 4400), (9800, 0), (10200, 0), (10600, -4400)]
VOLT_WATT_RULE_21 = [(10600, 10000), (11000, 0)]
_PERCENT_OF = {"setMaxW": 1, "setMaxVar": 2}


@dataclass(frozen=True)
class _CurveSpec:
    key: str
    program: str
    description: str
    curve_type: int
    y_ref_type: int
    points: list
    open_loop_tms: int


def _curve_specs() -> list[_CurveSpec]:
    system, feeder = "SYS-A1", "FDR-A1-B1-C1-D1"
    return [
        _CurveSpec(
            "volt-var",
            system,
            "Rule 21 volt-var",
            CurveType.VOLT_VAR,
            _PERCENT_OF["setMaxVar"],
            VOLT_VAR_RULE_21,
            500,
        ),
        _CurveSpec(
            "volt-watt",
            system,
            "Rule 21 volt-watt",
            CurveType.VOLT_WATT,
            _PERCENT_OF["setMaxW"],
            VOLT_WATT_RULE_21,
            1000,
        ),
        _CurveSpec(
            "volt-var-hot-day",
            feeder,
            "Hot day volt-var",
            CurveType.VOLT_VAR,
            _PERCENT_OF["setMaxVar"],
            VOLT_VAR_HOT_DAY,
            500,
        ),
    ]


def _ensure_curves(programs: dict[str, DERProgram]) -> dict[str, DERCurve]:
    curves = {}
    for spec in _curve_specs():
        mrid = demo_mrid(f"curve/{spec.key}")
        volt_var = spec.curve_type == CurveType.VOLT_VAR
        curves[spec.key] = DERCurve.objects.filter(mrid=mrid).first() or create_curve(
            program=programs[spec.program],
            mrid=mrid,
            description=spec.description,
            curve_type=spec.curve_type,
            points=[(x, y, None) for x, y in spec.points],
            x_multiplier=-2,
            y_multiplier=-2,
            y_ref_type=spec.y_ref_type,
            open_loop_tms=spec.open_loop_tms,
            vref=10000 if volt_var else None,
            autonomous_vref_enable=False if volt_var else None,
        )
    return curves


def _ensure_default_controls(programs: dict[str, DERProgram], curves: dict[str, DERCurve]) -> None:
    """The System's DefaultDERControl carries the utility-wide settings; the other programs' stay empty."""
    system = programs["SYS-A1"]
    if DefaultDERControl.objects.filter(program=system).exclude(version=0, op_mod_connect=None).exists():
        return
    update_default_control(
        program=system,
        values={
            "opModConnect": True,
            "opModEnergize": True,
            "opModMaxLimW": 10000,
            "opModVoltVar": curves["volt-var"].mrid,
            "opModVoltWatt": curves["volt-watt"].mrid,
            # IEEE 1547 enter-service defaults: 91.7-105 % voltage, 59.5-60.1 Hz, 300 s delay and ramp.
            "setESDelay": 30000,
            "setESHighFreq": 6010,
            "setESLowFreq": 5950,
            "setESHighVolt": 10500,
            "setESLowVolt": 9170,
            "setESRampTms": 30000,
            "setESRandomDelay": 0,
            # Ramp rates in hundredths of a percent of setMaxW per second: 100 %/s normal, 2 %/s soft start.
            "setGradW": 10000,
            "setSoftGradW": 200,
        },
    )


def _ensure_events(programs: dict[str, DERProgram], curves: dict[str, DERCurve]) -> None:
    """A few events in the coming days, timed from the first run (later runs find them by mRID)."""
    if DERControl.objects.filter(mrid__in=[demo_mrid(f"derc/{n}") for n in range(4)]).exists():
        return
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    day = dt.timedelta(days=1)
    hour = dt.timedelta(hours=1)
    events = [
        ("SYS-A1", "Peak export limit 60%", today + day + 12 * hour, 3, {"opModMaxLimW": 6000}),
        (
            "FDR-A1-B1-C1-D1",
            "Hot day volt-var",
            today + 2 * day + 10 * hour,
            6,
            {"opModVoltVar": curves["volt-var-hot-day"].mrid},
        ),
        (
            "SP-A1-B1-C1-D1-E1-F1-G1",
            "Maintenance disconnect",
            today + 3 * day + 8 * hour,
            2,
            {"opModConnect": False},
        ),
        ("Program: Battery Flex", "Evening discharge 50%", today + day + 17 * hour, 3, {"opModFixedW": 5000}),
    ]
    for n, (program, description, start, hours, values) in enumerate(events):
        create_control(
            program=programs[program],
            mrid=demo_mrid(f"derc/{n}"),
            description=description,
            start=start,
            duration=int(hours * 3600),
            randomize_start=60,
            response_required=3,
            values=values,
        )


def _ensure_clients(groups: dict[str, Group]) -> None:
    """Approved authorization entries and EndDevices for every demo client, plus a few awaiting a decision."""
    service_points = sorted(
        (g for g in groups.values() if g.level == Level.SERVICE_POINT), key=lambda g: g.path
    )
    placement = itertools.cycle(service_points[::5] + service_points[2::5])
    vendors = itertools.cycle(VENDORS)
    clients = [*demo_devices(), *managed_devices()]
    plans = {}
    for n, device in enumerate(clients):
        if device.role == Role.AGGREGATOR:
            plans[device.name] = (device, None, [], None)
            continue
        storage = n % 4 == 0
        enrolments = ["Program: Battery Flex"] if storage else []
        if device.role == Role.DIRECT and n % 3 == 0:
            enrolments.append("Program: Smart Inverter Pilot")
        plans[device.name] = (
            device,
            next(placement),
            [groups[next(vendors)], *(groups[e] for e in enrolments)],
            PV_AND_STORAGE if storage else PHOTOVOLTAIC,
        )
    _move_replaced_lfdis([device for device, *_ in plans.values()])
    known = set(Authorization.objects.filter(note__startswith="demo ").values_list("note", flat=True))
    # Aggregators first: their DERs point at them.
    for batch in (
        [p for p in plans.values() if p[0].role == Role.AGGREGATOR],
        [p for p in plans.values() if p[0].role != Role.AGGREGATOR],
    ):
        missing = [p for p in batch if _NOTE.format(p[0].name) not in known]
        _create_approved(missing)
    _ensure_awaiting_decision(service_points)


def _move_replaced_lfdis(devices: list[DemoDevice]) -> None:
    """When a certificate was issued since the last run, move its device and entry to the new LFDI."""
    entries = {a.note: a for a in Authorization.objects.filter(note__startswith="demo ")}
    for device in devices:
        entry = entries.get(_NOTE.format(device.name))
        wanted = demo_lfdi(device.name)
        if entry is None or entry.lfdi == wanted:
            continue
        EndDevice.objects.filter(lfdi=entry.lfdi).update(
            lfdi=wanted, sfdi=sfdi_from_lfdi(wanted), changed_time=timezone.now()
        )
        entry.lfdi = wanted
        entry.save(update_fields=["lfdi"])


def _create_approved(plans: list) -> None:
    if not plans:
        return
    now = timezone.now()
    aggregators = {a.lfdi: a for a in EndDevice.objects.filter(role=Role.AGGREGATOR)}

    def aggregator_of(device: DemoDevice) -> EndDevice | None:
        return aggregators[demo_lfdi(device.aggregator)] if device.aggregator else None

    end_devices = EndDevice.objects.bulk_create(
        EndDevice(
            lfdi=(lfdi := demo_lfdi(device.name)),
            sfdi=sfdi_from_lfdi(lfdi),
            role=device.role,
            aggregator=aggregator_of(device),
            topology_group=node,
            device_category=category,
            changed_time=now,
            registered_at=now,
        )
        for device, node, _, category in plans
    )
    entries = Authorization.objects.bulk_create(
        Authorization(
            lfdi=end_device.lfdi,
            status=Authorization.Status.APPROVED,
            role=device.role,
            aggregator=end_device.aggregator,
            topology_group=node,
            note=_NOTE.format(device.name),
            decided_at=now,
        )
        for end_device, (device, node, _, _) in zip(end_devices, plans, strict=True)
    )
    EndDevice.non_topology_groups.through.objects.bulk_create(
        EndDevice.non_topology_groups.through(enddevice_id=end_device.pk, group_id=group.pk)
        for end_device, (_, _, memberships, _) in zip(end_devices, plans, strict=True)
        for group in memberships
    )
    Authorization.non_topology_groups.through.objects.bulk_create(
        Authorization.non_topology_groups.through(authorization_id=entry.pk, group_id=group.pk)
        for entry, (_, _, memberships, _) in zip(entries, plans, strict=True)
        for group in memberships
    )


def _ensure_awaiting_decision(service_points: list[Group]) -> None:
    """Two installers' requests waiting for approval and one unknown certificate that tried to connect."""
    now = timezone.now()
    for name, status, node in (
        ("der-041", Authorization.Status.PENDING, service_points[1]),
        ("der-042", Authorization.Status.PENDING, service_points[3]),
        ("unknown-client", Authorization.Status.SEEN, None),
    ):
        if Authorization.objects.filter(note=_NOTE.format(name)).exists():
            continue
        seen = now if status == Authorization.Status.SEEN else None
        Authorization.objects.create(
            lfdi=demo_lfdi(name),
            status=status,
            role=Role.DIRECT,
            topology_group=node,
            note=_NOTE.format(name),
            first_seen=seen,
            last_seen=seen,
        )
