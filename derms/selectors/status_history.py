"""A DER's DERStatus reports over a window: the four statuses as series to plot, and the reports in which
a coded status changed. Every PUT is a row (derms.services.der_reports), so a window is bounded by a limit."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from derms.models import DERStatus, EndDevice
from derms.selectors.devices import INVERTER_STATUSES, OPERATIONAL_MODES, connect_status_text, named

#: At most this many reports are read for one page, the latest ones: a week at a 60 s postRate is 10,080.
MAX_STATUSES = 10_000
#: The latest changes the table lists.
CHANGES_SHOWN = 50


@dataclass(frozen=True)
class StatusElement:
    """One DERStatus element as the page shows it."""

    name: str  # the 2030.5 element
    label: str
    unit: str
    field: str  # DERStatus column
    describe: Callable[[float], str]
    scale: float = 1
    #: Its values are codes or bitmaps: the plot's legend names them, and a new one is a status change.
    coded: bool = True

    def value(self, status: DERStatus) -> float | None:
        raw = getattr(status, self.field)
        return None if raw is None else raw * self.scale

    def text(self, value: float | None) -> str:
        return "—" if value is None else self.describe(value)


ELEMENTS = (
    StatusElement(
        "genConnectStatus", "Generator connect", "bitmap", "gen_connect_status", connect_status_text
    ),
    StatusElement(
        "operationalModeStatus",
        "Operational mode",
        "code",
        "operational_mode_status",
        functools.partial(named, OPERATIONAL_MODES),
    ),
    StatusElement(
        "inverterStatus", "Inverter", "code", "inverter_status", functools.partial(named, INVERTER_STATUSES)
    ),
    # Hundredths of a percent.
    StatusElement(
        "stateOfChargeStatus",
        "State of charge",
        "%",
        "state_of_charge_status",
        "{:.2f} %".format,
        scale=0.01,
        coded=False,
    ),
)


@dataclass
class StatusSeries:
    label: str
    unit: str
    name: str
    #: (Unix seconds, value), oldest first; a status holds until the next report, so it plots as steps.
    points: list[tuple[int, float]] = field(default_factory=list)
    step: bool = True
    #: Each plotted value's meaning, for the plot's legend.
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusChange:
    reading_time: dt.datetime
    #: (element label, text, whether it changed from the report before), in ELEMENTS order.
    cells: list[tuple[str, str, bool]]


@dataclass
class StatusHistory:
    series: list[StatusSeries]
    #: Newest first, at most CHANGES_SHOWN.
    changes: list[StatusChange]
    reports: int
    #: The window held more than MAX_STATUSES reports; only the latest are shown.
    truncated: bool


def status_history(end_device: EndDevice, *, until: dt.datetime, hours: int) -> StatusHistory:
    """The DER's DERStatus reports with a readingTime in the ``hours`` before ``until``; two queries."""
    statuses = DERStatus.objects.filter(end_device=end_device).only(
        "reading_time", *(element.field for element in ELEMENTS)
    )
    window = statuses.filter(
        reading_time__gte=until - dt.timedelta(hours=hours), reading_time__lt=until
    ).order_by("-reading_time", "-id")
    newest_first = list(window[: MAX_STATUSES + 1])
    truncated = len(newest_first) > MAX_STATUSES
    reports = newest_first[:MAX_STATUSES][::-1]
    # What held when the shown reports begin, so their first one is a change only if it changed something.
    before = (
        statuses.filter(
            Q(reading_time__lt=reports[0].reading_time)
            | Q(reading_time=reports[0].reading_time, id__lt=reports[0].pk)
        )
        .order_by("-reading_time", "-id")
        .first()
        if reports
        else None
    )
    return StatusHistory(
        series=_series(reports),
        changes=_changes(before, reports),
        reports=len(reports),
        truncated=truncated,
    )


def _series(reports: list[DERStatus]) -> list[StatusSeries]:
    series = []
    for element in ELEMENTS:
        points = [
            (int(r.reading_time.timestamp()), value)
            for r in reports
            if (value := element.value(r)) is not None
        ]
        if points:
            # JSON object keys are strings: plots.js looks a value up by its digits.
            names = {str(v): element.text(v) for _, v in points} if element.coded else {}
            series.append(StatusSeries(element.label, element.unit, element.name, points, names=names))
    return series


def _changes(before: DERStatus | None, reports: list[DERStatus]) -> list[StatusChange]:
    """The reports whose connect status, operational mode or inverter status differ from the report before;
    the state of charge moves with nearly every report, so it is shown but does not make a change."""
    changes = []
    previous = [element.value(before) for element in ELEMENTS] if before else None
    for report in reports:
        values = [element.value(report) for element in ELEMENTS]
        changed = [
            element.coded and (previous is None or value != previous[n])
            for n, (element, value) in enumerate(zip(ELEMENTS, values, strict=True))
        ]
        if any(changed):
            cells = [
                (element.label, element.text(value), flag)
                for element, value, flag in zip(ELEMENTS, values, changed, strict=True)
            ]
            changes.append(StatusChange(report.reading_time, cells))
        previous = values
    return changes[::-1][:CHANGES_SHOWN]
