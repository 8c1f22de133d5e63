"""Time tells clients the server's zone: standard offset, this year's DST start, end and offset."""

import datetime as dt

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
        ("Australia/Sydney", 36000, 3600, _epoch(2025, 10, 4, 16), _epoch(2025, 4, 5, 16), 36000),
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
