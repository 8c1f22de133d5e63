from .audit import AuditEntry
from .changes import Change, ClockWatermark, ResourceVersion
from .der import DERAvailability, DERCapability, DERSettings, DERStatus
from .devices import Authorization, EndDevice, Role
from .logevents import AlarmState, DERAlarm, LogEvent
from .programs import (
    CurvePoint,
    DefaultDERControl,
    DERControl,
    DERCurve,
    DERProgram,
    EventStatus,
)
from .readings import MirrorMeterReading, MirrorUsagePoint, Reading
from .responses import Response, ResponseStatus

__all__ = [
    "AlarmState",
    "AuditEntry",
    "Authorization",
    "Change",
    "ClockWatermark",
    "CurvePoint",
    "DERAlarm",
    "DERAvailability",
    "DERCapability",
    "DERControl",
    "DERCurve",
    "DERProgram",
    "DERSettings",
    "DERStatus",
    "DefaultDERControl",
    "EndDevice",
    "EventStatus",
    "LogEvent",
    "MirrorMeterReading",
    "MirrorUsagePoint",
    "Reading",
    "ResourceVersion",
    "Response",
    "ResponseStatus",
    "Role",
]
