"""What clients can change in the database, to show that a refused request changed nothing."""

from derms.models import (
    AlarmState,
    Authorization,
    DERAvailability,
    DERCapability,
    DERSettings,
    DERStatus,
    EndDevice,
    LogEvent,
    MirrorMeterReading,
    MirrorUsagePoint,
    Reading,
    Response,
)

STORED_MODELS = (
    EndDevice,
    Authorization,
    DERCapability,
    DERSettings,
    DERStatus,
    DERAvailability,
    MirrorUsagePoint,
    MirrorMeterReading,
    Reading,
    LogEvent,
    AlarmState,
    Response,
)


def snapshot() -> dict:
    """Everything a client can change, to show that a refused request changed nothing."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in STORED_MODELS}
