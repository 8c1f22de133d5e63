from .audit import AuditEntry
from .changes import ProgramChange
from .devices import Authorization, EndDevice, Role
from .programs import (
    CurvePoint,
    DefaultDERControl,
    DERControl,
    DERCurve,
    DERProgram,
    EventStatus,
)

__all__ = [
    "AuditEntry",
    "Authorization",
    "CurvePoint",
    "DERControl",
    "DERCurve",
    "DERProgram",
    "DefaultDERControl",
    "EndDevice",
    "EventStatus",
    "ProgramChange",
    "Role",
]
