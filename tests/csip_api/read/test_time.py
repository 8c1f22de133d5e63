"""Time tells clients the server's zone: its standard offset, the daylight-saving offset in effect and the
period it belongs to (or the next), so that local time comes out right however a client reads them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from csip_api.render.time import time_resource
from csip_api.xml import NS

NOW = dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC)


def _fields(document):
    return {etree.QName(child).localname: int(child.text) for child in document}


def _epoch(*args):
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp())


@pytest.mark.parametrize(
    ("zone", "tz_offset", "dst_offset", "dst_start", "dst_end", "local_offset"),
    [
        ("America/Los_Angeles", -28800, 3600, _epoch(2025, 3, 9, 10), _epoch(2025, 11, 2, 9), -25200),
        # Southern winter: no offset in effect; the coming summer's period, which starts before it ends.
        ("Australia/Sydney", 36000, 0, _epoch(2025, 10, 4, 16), _epoch(2026, 4, 4, 16), 36000),
        ("Asia/Kolkata", 19800, 0, 0, 0, 19800),
    ],
)
def test_time_follows_the_configured_zone(
    settings, zone, tz_offset, dst_offset, dst_start, dst_end, local_offset
):
    settings.TIME_ZONE = zone

    fields = _fields(time_resource(NOW))

    assert fields == {
        "currentTime": int(NOW.timestamp()),
        "dstEndTime": dst_end,
        "dstOffset": dst_offset,
        "dstStartTime": dst_start,
        "localTime": int(NOW.timestamp()) + local_offset,
        "quality": 3,
        "tzOffset": tz_offset,
    }


def test_time_is_served_to_clients(direct_der):
    document = etree.fromstring(direct_der.get("/tm").content)

    assert document.tag == f"{{{NS}}}Time"
    assert document.get("href") == "/tm"


def local_time_as_the_standard_reads_it(fields) -> int:
    """dstOffset applied only between dstStartTime and dstEndTime (2030.5's own description)."""
    in_period = fields["dstStartTime"] <= fields["currentTime"] < fields["dstEndTime"]
    return fields["currentTime"] + fields["tzOffset"] + (fields["dstOffset"] if in_period else 0)


def local_time_as_conformance_tools_read_it(fields) -> int:
    """dstOffset applied as the offset in effect now."""
    return fields["currentTime"] + fields["tzOffset"] + fields["dstOffset"]


LOS_ANGELES_MOMENTS = {
    "summer": dt.datetime(2026, 7, 15, 20, 0, tzinfo=dt.UTC),
    "winter": dt.datetime(2026, 1, 15, 20, 0, tzinfo=dt.UTC),
    # 2026-03-08: clocks go from 02:00 PST to 03:00 PDT (10:00 UTC).
    "spring day, before": dt.datetime(2026, 3, 8, 9, 59, 59, tzinfo=dt.UTC),
    "spring day, after": dt.datetime(2026, 3, 8, 10, 0, tzinfo=dt.UTC),
    "spring day, evening": dt.datetime(2026, 3, 9, 3, 0, tzinfo=dt.UTC),
    # 2026-11-01: clocks go from 02:00 PDT back to 01:00 PST (09:00 UTC).
    "autumn day, before": dt.datetime(2026, 11, 1, 8, 59, 59, tzinfo=dt.UTC),
    "autumn day, after": dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC),
    "autumn day, evening": dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC),
}


@pytest.mark.parametrize("now", LOS_ANGELES_MOMENTS.values(), ids=LOS_ANGELES_MOMENTS.keys())
@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Australia/Sydney", "Europe/London"])
def test_either_reading_of_time_gives_the_local_time_in_every_season(settings, zone, now):
    settings.TIME_ZONE = zone
    local = int(now.timestamp()) + int(now.astimezone(ZoneInfo(zone)).utcoffset().total_seconds())

    fields = _fields(time_resource(now))

    assert fields["localTime"] == local
    assert local_time_as_the_standard_reads_it(fields) == local
    assert local_time_as_conformance_tools_read_it(fields) == local
