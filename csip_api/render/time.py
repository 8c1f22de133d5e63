"""The Time resource, from the server's configured zone (settings.TIME_ZONE).

Clients read Time in two ways. 2030.5 says dstOffset applies between dstStartTime and dstEndTime; common
conformance tools and another open server apply dstOffset as the offset in effect now, ignoring the two
times. One representation is right for both: dstOffset is the daylight-saving offset in effect now (0 in
standard time), and dstStartTime and dstEndTime bound the daylight-saving period now in effect or, in
standard time, the next one (so ``now`` falls between them exactly when dstOffset is not 0, whichever
hemisphere the zone is in and on either side of a transition). Either reading then gives
``currentTime + tzOffset + dstOffset`` = ``localTime``.
"""

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

_NONE = dt.timedelta(0)


@dataclass(frozen=True)
class DaylightSaving:
    """A zone's standard offset, the daylight-saving offset in effect, and the period it describes (UTC)."""

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
def _changes(zone_name: str, year: int) -> tuple[dt.datetime, ...]:
    """The year's offset changes, found by walking it a day at a time, then bisecting to the second."""
    zone = ZoneInfo(zone_name)
    moment = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    changes = []
    while moment.year == year:
        following = moment + dt.timedelta(days=1)
        if _offset(zone, following) != _offset(zone, moment):
            changes.append(_transition(zone, moment, following))
        moment = following
    return tuple(changes)


def daylight_saving(zone_name: str, now: dt.datetime) -> DaylightSaving:
    """The Time fields of ``zone_name`` at ``now``: see the module's docstring for why these."""
    zone = ZoneInfo(zone_name)
    local = now.astimezone(zone)
    in_effect = local.dst() or _NONE
    standard = int((local.utcoffset() - in_effect).total_seconds())
    # The periods around now: from the year before (a southern summer) to the year after (the next one).
    changes = [c for year in (local.year - 1, local.year, local.year + 1) for c in _changes(zone_name, year)]
    starts = [c for c in changes if c.astimezone(zone).dst()]
    ends = [c for c in changes if not c.astimezone(zone).dst()]
    if in_effect:
        start = max(c for c in starts if c <= now)
    else:
        start = min((c for c in starts if c > now), default=None)
    end = None if start is None else min((c for c in ends if c > start), default=None)
    if start is None or end is None:
        return DaylightSaving(standard, 0, None, None)
    return DaylightSaving(standard, int(in_effect.total_seconds()), start, end)


def time_resource(now: dt.datetime) -> etree._Element:
    rules = daylight_saving(settings.TIME_ZONE, now)
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
