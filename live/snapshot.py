"""What a live view shows, read from the database: an area of the fleet, or one DER.

The consumers send these documents as they are (JSON); a browser replaces its panels with each one, so
a missed message is repaired by the next.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from derms.models import (
    AlarmState,
    DERAlarm,
    DERStatus,
    EndDevice,
    MirrorMeterReading,
    Reading,
    Response,
    Role,
)
from groups.models import Group, Level

#: UomType (2030.5 Table 10) of the quantities the live views sum.
UOM_W = 38
UOM_VAR = 63
UOM_V = 29
UOM_HZ = 33
UNITS = {UOM_W: "W", UOM_VAR: "var", UOM_V: "V", UOM_HZ: "Hz"}

#: ConnectStatusType bits (2030.5 Table 13), counted for the dashboard.
CONNECT_BITS = {"connected": 0, "available": 1, "operating": 2, "test": 3, "fault": 4}
ALARM_FEED_LENGTH = 15


def area(*, node: Group | None, now: dt.datetime | None = None) -> dict:
    """The dashboard of the whole fleet (``node`` None) or of one topology node's subtree."""
    now = now or timezone.now()
    ders = EndDevice.objects.exclude(role=Role.AGGREGATOR).filter(enabled=True)
    if node is not None:
        ders = ders.filter(topology_group__path__startswith=node.path)
    latest = DERStatus.objects.filter(end_device=OuterRef("pk")).order_by("-reading_time", "-id")
    rows = ders.annotate(
        last_received=Subquery(latest.values("received_at")[:1]),
        connect=Subquery(latest.values("gen_connect_status")[:1]),
    ).values_list("post_rate", "last_received", "connect")
    reporting = silent = never = 0
    connection = dict.fromkeys([*CONNECT_BITS, "unknown"], 0)
    for post_rate, last_received, connect in rows:
        if last_received is None:
            never += 1
        elif now - last_received <= dt.timedelta(seconds=post_rate or settings.CSIP_POST_RATE):
            reporting += 1
        else:
            silent += 1
        if connect is None:
            connection["unknown"] += 1
        for name, bit in CONNECT_BITS.items():
            if connect is not None and connect & (1 << bit):
                connection[name] += 1
    alarms = AlarmState.objects.filter(end_device__in=ders)
    return {
        "ders": reporting + silent + never,
        "reporting": reporting,
        "silent": silent,
        "never_reported": never,
        "connection": connection,
        "active_alarms": alarms.filter(active=True).count(),
        "alarm_feed": [
            _alarm(state)
            for state in alarms.select_related("end_device").order_by("-changed_at")[:ALARM_FEED_LENGTH]
        ],
        "feeders": _feeders(ders=ders, node=node),
    }


def device(*, end_device: EndDevice) -> dict:
    """The live panels of one DER's page: its latest status, active alarms, Responses and readings."""
    status = DERStatus.objects.filter(end_device=end_device).order_by("-reading_time", "-id").first()
    responses = (
        Response.objects.filter(end_device=end_device)
        .select_related("control")
        .order_by("-reported_at", "-id")
    )
    return {
        "status": None if status is None else _status(status),
        "alarms": [
            _alarm(state)
            for state in end_device.alarm_states.filter(active=True).select_related("end_device")
        ],
        "responses": [
            {
                "event": r.control.mrid,
                "status": r.get_status_display() if r.status else "",
                "at": _time(r.reported_at),
            }
            for r in responses[:5]
        ],
        "readings": [
            {
                "description": description or mrid,
                "value": _scaled(value, power),
                "unit": UNITS.get(uom, ""),
                "at": _time(start),
            }
            for mrid, description, uom, power, value, start in _latest_readings(
                MirrorMeterReading.objects.filter(usage_point__end_device=end_device)
            ).order_by("mrid")
        ],
    }


def _feeders(*, ders, node: Group | None) -> list[dict]:
    """Live W and var per feeder: the sum of each DER's latest W and var reading."""
    feeders = Group.objects.filter(level=Level.FEEDER)
    if node is not None and node.level <= Level.FEEDER:
        feeders = feeders.filter(path__startswith=node.path)
    elif node is not None:
        # A node below a feeder is on one feeder: the ancestor whose path starts its own.
        feeders = feeders.filter(
            path__in=[node.path[:n] for n in range(Group.steplen, len(node.path), Group.steplen)]
        )
    names = {path: (pk, name) for pk, path, name in feeders.values_list("pk", "path", "name")}
    totals = {path: {"W": 0.0, "var": 0.0, "ders": set()} for path in names}
    meter_readings = MirrorMeterReading.objects.filter(
        uom__in=[UOM_W, UOM_VAR], usage_point__end_device__in=ders
    )
    for path, end_device_id, uom, power, value in _latest_readings(meter_readings).values_list(
        "usage_point__end_device__topology_group__path",
        "usage_point__end_device",
        "uom",
        "power_of_ten_multiplier",
        "latest",
    ):
        feeder = next(
            (path[:n] for n in range(len(path or ""), 0, -Group.steplen) if path[:n] in totals), None
        )
        if feeder is None or value is None:
            continue
        totals[feeder][UNITS[uom]] += _scaled(value, power)
        totals[feeder]["ders"].add(end_device_id)
    return [
        {
            "id": names[path][0],
            "name": names[path][1],
            "W": round(t["W"], 1),
            "var": round(t["var"], 1),
            "ders": len(t["ders"]),
        }
        for path, t in sorted(totals.items(), key=lambda item: names[item[0]][1])
    ]


def _latest_readings(meter_readings):
    latest = Reading.objects.filter(meter_reading=OuterRef("pk")).order_by("-start")
    return meter_readings.annotate(
        latest=Subquery(latest.values("value")[:1]), latest_start=Subquery(latest.values("start")[:1])
    ).values_list("mrid", "description", "uom", "power_of_ten_multiplier", "latest", "latest_start")


def _status(status: DERStatus) -> dict:
    connect = status.gen_connect_status
    return {
        "reading_time": _time(status.reading_time),
        "received_at": _time(status.received_at),
        "connection": []
        if connect is None
        else [name for name, bit in CONNECT_BITS.items() if connect & (1 << bit)],
        "inverter_status": status.inverter_status,
        "operational_mode_status": status.operational_mode_status,
        "state_of_charge": None
        if status.state_of_charge_status is None
        else status.state_of_charge_status / 100,
    }


def _alarm(state: AlarmState) -> dict:
    return {
        "lfdi": state.end_device.lfdi,
        "alarm": DERAlarm(state.alarm).label,
        "active": state.active,
        "at": _time(state.changed_at),
    }


def _scaled(value: int | None, power: int | None) -> float | None:
    return None if value is None else value * 10 ** (power or 0)


def _time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
