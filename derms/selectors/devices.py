"""One EndDevice as the portal shows it: where it sits, what it follows, what it last reported."""

import datetime as dt
import functools
import operator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery

from derms.events.resolver import timeline_for_device
from derms.lfdi import lfdi_prefix_from_sfdi
from derms.models import (
    AlarmState,
    DERProgram,
    DERStatus,
    EndDevice,
    MirrorMeterReading,
    Reading,
    Response,
)
from derms.selectors.membership import programs_for_device
from derms.selectors.timelines import ControlTimeline, labelled_timeline
from groups.models import Group
from groups.selectors import topology_groups

#: Enough rows to show on one page; the admin lists the rest.
SEARCH_LIMIT = 50
RESPONSES_SHOWN = 20
METER_READINGS_SHOWN = 20


def search_end_devices(*, query: str, limit: int = SEARCH_LIMIT) -> list[EndDevice]:
    """EndDevices whose LFDI starts with ``query``, or whose SFDI it is (leading zeros optional).

    Both look-ups use an index: the LFDI's (a prefix range) and the SFDI's.
    """
    text = "".join(query.split()).replace("-", "").lower()
    conditions = []
    if text and all(c in "0123456789abcdef" for c in text):
        conditions.append(Q(lfdi__startswith=text))
    if text.isdigit() and _is_sfdi(int(text)):
        conditions.append(Q(sfdi=int(text)))
    if not conditions:
        return []
    matches = functools.reduce(operator.or_, conditions)
    return list(EndDevice.objects.filter(matches).select_related("aggregator").order_by("sfdi", "id")[:limit])


def _is_sfdi(number: int) -> bool:
    try:
        lfdi_prefix_from_sfdi(number)
    except ValidationError:
        return False
    return True


#: The DERStatus enumerations (2030.5 OperationalModeStatusType, InverterStatusType, ConnectStatusType).
OPERATIONAL_MODES = {0: "not applicable", 1: "off", 2: "operational mode", 3: "test mode"}
INVERTER_STATUSES = {
    0: "not applicable",
    1: "off",
    2: "sleeping",
    3: "starting up or on",
    4: "tracking MPPT",
    5: "forced power reduction",
    6: "shutting down",
    7: "one or more faults",
    8: "standby",
    9: "test mode",
    10: "manufacturer status",
}
CONNECT_STATUS_BITS = ("connected", "available", "operating", "test", "fault or error")
#: CSIP Table 10's units of measure, and Table 11's data qualifiers.
UNITS_OF_MEASURE = {
    5: "A",
    29: "V",
    33: "Hz",
    38: "W",
    61: "VA",
    63: "var",
    65: "cos θ",
    72: "Wh",
    73: "varh",
}
DATA_QUALIFIERS = {0: "", 2: "average", 8: "maximum", 9: "minimum"}


def status_rows(status: DERStatus) -> list[tuple[str, str]]:
    """The reported DERStatus values that are present, labelled."""
    rows = []
    if status.operational_mode_status is not None:
        rows.append(("Operational mode", named(OPERATIONAL_MODES, status.operational_mode_status)))
    if status.inverter_status is not None:
        rows.append(("Inverter", named(INVERTER_STATUSES, status.inverter_status)))
    if status.gen_connect_status is not None:
        rows.append(("Generator connect", connect_status_text(status.gen_connect_status)))
    if status.state_of_charge_status is not None:
        rows.append(("State of charge", f"{status.state_of_charge_status / 100:.2f} %"))
    return rows


def connect_status_text(bitmap: int) -> str:
    """A genConnectStatus bitmap as the states it sets: 7 -> "connected, available, operating"."""
    bits = [name for n, name in enumerate(CONNECT_STATUS_BITS) if int(bitmap) & (1 << n)]
    return ", ".join(bits) or "not connected"


def named(names: dict[int, str], value: int) -> str:
    return names.get(int(value), f"code {value}")


@dataclass(frozen=True)
class MeterReadingSummary:
    meter_reading: MirrorMeterReading
    latest_start: dt.datetime | None
    latest_value: int | None

    @property
    def scaled_value(self):
        """The latest value times 10^powerOfTenMultiplier, in the ReadingType's unit."""
        if self.latest_value is None:
            return None
        return self.latest_value * 10 ** (self.meter_reading.power_of_ten_multiplier or 0)

    @property
    def unit(self) -> str:
        uom = self.meter_reading.uom
        return "" if uom is None else named(UNITS_OF_MEASURE, uom)

    @property
    def qualifier(self) -> str:
        qualifier = self.meter_reading.data_qualifier
        return "" if qualifier is None else named(DATA_QUALIFIERS, qualifier)


@dataclass(frozen=True)
class DeviceOverview:
    end_device: EndDevice
    topology_path: list[Group]
    non_topology_groups: list[Group]
    programs: list[DERProgram]
    latest_status: DERStatus | None
    status_rows: list[tuple[str, str]]
    active_alarms: list[AlarmState]
    latest_responses: list[Response]
    meter_readings: list[MeterReadingSummary]


def device_overview(*, end_device: EndDevice) -> DeviceOverview:
    """Everything the device page shows except the timeline; a fixed number of queries."""
    non_topology = list(end_device.non_topology_groups.order_by("name"))
    groups = {g.pk: g for g in [*topology_groups(end_device), *non_topology]}
    programs = programs_for_device(end_device)
    for program in programs:
        # The groups are loaded already; name them without a query per program.
        program.group = groups[program.group_id]
    latest_status = end_device.der_statuses.order_by("-reading_time", "-id").first()
    return DeviceOverview(
        end_device=end_device,
        topology_path=[g for g in groups.values() if g.is_topology],
        non_topology_groups=non_topology,
        programs=programs,
        latest_status=latest_status,
        status_rows=status_rows(latest_status) if latest_status else [],
        active_alarms=list(end_device.alarm_states.filter(active=True).order_by("alarm")),
        latest_responses=list(
            Response.objects.filter(end_device=end_device, is_latest=True)
            .select_related("control__program")
            .order_by("-reported_at", "-id")[:RESPONSES_SHOWN]
        ),
        meter_readings=_latest_readings(end_device),
    )


def _latest_readings(end_device: EndDevice) -> list[MeterReadingSummary]:
    """Each MirrorMeterReading of the DER with its latest Reading, in one query."""
    latest = Reading.objects.filter(meter_reading=OuterRef("pk")).order_by("-start")
    rows = (
        MirrorMeterReading.objects.filter(usage_point__end_device=end_device)
        .select_related("usage_point")
        .annotate(latest_start=Subquery(latest.values("start")[:1]))
        .annotate(latest_value=Subquery(latest.values("value")[:1]))
        .order_by("usage_point_id", "id")[:METER_READINGS_SHOWN]
    )
    return [MeterReadingSummary(row, row.latest_start, row.latest_value) for row in rows]


def device_timeline(
    *, end_device: EndDevice, programs: list[DERProgram], start: dt.datetime, end: dt.datetime
) -> list[ControlTimeline]:
    """The resolver's timeline for the DER over [start, end), per control, ready to read."""
    segments = timeline_for_device(end_device=end_device, start=start, end=end)
    return labelled_timeline(segments, programs=programs)
