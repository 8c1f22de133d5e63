"""What a DER reports about itself: capability, settings, availability and status (CSIP 5.2.5.2)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from derms.models import DERAvailability, DERCapability, DERSettings, DERStatus, EndDevice
from derms.models.der import DERReport
from derms.models.devices import lock_end_device
from derms.services.alarms import apply_alarm_status
from live import publish

#: The DER resources a client PUTs, by their schema name; all but DERStatus keep only the latest.
REPORTS: dict[str, type[DERReport]] = {
    "DERCapability": DERCapability,
    "DERSettings": DERSettings,
    "DERAvailability": DERAvailability,
    "DERStatus": DERStatus,
}


@transaction.atomic
def put_der_resource(*, end_device: EndDevice, resource: str, values: dict) -> DERReport:
    """Store what ``end_device`` reported as ``resource``: every element in ``values``.

    A DERStatus is added to the DER's history and its alarmStatus moves the DER's alarms; the others
    replace the previous report.
    """
    model = REPORTS[resource]
    # Two first reports at once must not both create the DER's one DERCapability (or settings, ...).
    lock_end_device(end_device.pk)
    if model is DERStatus:
        report = DERStatus(end_device=end_device, values=values)
    else:
        report = model.objects.filter(end_device=end_device).first() or model(end_device=end_device)
        report.values = values
    try:
        report.copy_columns()
    except KeyError as missing:
        raise ValidationError(f"{resource} needs {missing.args[0]}.", code="required") from None
    report.save()
    if model is DERStatus:
        publish.changed(end_device=end_device, kind=publish.Kind.STATUS)
        if report.alarm_status is not None:
            apply_alarm_status(end_device=end_device, bitmap=report.alarm_status, at=report.reading_time)
    return report
