"""The Time resource, from the server's configured zone (settings.TIME_ZONE) and the current year's rules."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from lxml import etree

from csip_api import hrefs
from csip_api.hrefs import href
from csip_api.xml import element, leaf, time_value


@dataclass(frozen=True)
class DaylightSaving:
    """A zone's standard offset and, for one year, when daylight saving starts and ends (UTC)."""

    tz_offset: int
    dst_offset: int
    start: dt.datetime | None
    end: dt.datetime | None


def _offset(zone: ZoneInfo, moment: dt.datetime) -> dt.timedelta:
    return moment.astimezone(zone).utcoffset()


def _transition(zone: ZoneInfo, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    """The first second in (low, high] whose UTC offset differs from low's (bisection)."""
    before = _offset(zone, low)
    while high - low > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


@functools.cache
def daylight_saving(zone_name: str, year: int) -> DaylightSaving:
    """Find the year's offset changes by walking it a day at a time, then bisecting to the second."""
    zone = ZoneInfo(zone_name)
    moment = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    changes = []
    while moment.year == year:
        following = moment + dt.timedelta(days=1)
        if _offset(zone, following) != _offset(zone, moment):
            changes.append(_transition(zone, moment, following))
        moment = following
    january = dt.datetime(year, 1, 1, tzinfo=dt.UTC).astimezone(zone)
    standard = january.utcoffset() - (january.dst() or dt.timedelta(0))
    if len(changes) < 2:
        return DaylightSaving(int(standard.total_seconds()), 0, None, None)
    # Northern zones start DST at the first change; southern zones end it there.
    first_is_start = bool(changes[0].astimezone(zone).dst())
    start, end = (changes[0], changes[1]) if first_is_start else (changes[1], changes[0])
    dst = start.astimezone(zone).dst()
    return DaylightSaving(int(standard.total_seconds()), int(dst.total_seconds()), start, end)


def time_resource(now: dt.datetime) -> etree._Element:
    rules = daylight_saving(settings.TIME_ZONE, now.astimezone(ZoneInfo(settings.TIME_ZONE)).year)
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    return element(
        "Time",
        leaf("currentTime", now),
        leaf("dstEndTime", time_value(rules.end) if rules.end else 0),
        leaf("dstOffset", rules.dst_offset),
        leaf("dstStartTime", time_value(rules.start) if rules.start else 0),
        leaf("localTime", time_value(now) + int(local.utcoffset().total_seconds())),
        leaf("quality", settings.CSIP_TIME_QUALITY),
        leaf("tzOffset", rules.tz_offset),
        href=href(hrefs.TIME),
        pollRate=settings.CSIP_POLL_RATE,
    )
