"""A DER's readings over a window, as series to plot: W, var, V and Hz (CSIP Table 10), one query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from derms.models import EndDevice, Reading

#: ReadingType uom codes the device page plots, with what they measure.
PLOTTED = {
    38: ("Active power", "W"),
    63: ("Reactive power", "var"),
    29: ("Voltage", "V"),
    33: ("Frequency", "Hz"),
}
#: At most this many readings are read for one page: a week of 5-minute W, var, V and Hz is 8,064.
MAX_READINGS = 10_000
WINDOWS = (1, 6, 24, 72, 168)


@dataclass
class Series:
    label: str
    unit: str
    name: str
    #: (Unix seconds, value in ``unit``), oldest first.
    points: list[tuple[int, float]] = field(default_factory=list)


def reading_series(end_device: EndDevice, *, until: dt.datetime, hours: int) -> list[Series]:
    """The DER's W, var, V and Hz readings of the ``hours`` before ``until``, one series per
    MirrorMeterReading, values scaled by each ReadingType's powerOfTenMultiplier."""
    rows = (
        Reading.objects.filter(
            end_device=end_device,
            start__gte=until - dt.timedelta(hours=hours),
            start__lt=until,
            meter_reading__uom__in=PLOTTED,
            value__isnull=False,
        )
        .order_by("meter_reading_id", "start")
        .values_list(
            "meter_reading_id",
            "meter_reading__uom",
            "meter_reading__power_of_ten_multiplier",
            "meter_reading__description",
            "start",
            "value",
        )[:MAX_READINGS]
    )
    series: dict[int, Series] = {}
    for meter_reading, uom, power, description, start, value in rows:
        if meter_reading not in series:
            label, unit = PLOTTED[uom]
            series[meter_reading] = Series(label, unit, description or label)
        series[meter_reading].points.append((int(start.timestamp()), value * 10 ** (power or 0)))
    return sorted(series.values(), key=lambda s: list(PLOTTED.values()).index((s.label, s.unit)))
