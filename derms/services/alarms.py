"""DER alarms and their returns to normal (CSIP 5.2.5.3, Table 14)."""

import datetime as dt

from django.db import IntegrityError, transaction

from derms import changefeed
from derms.changefeed import Kind, Resource
from derms.models import AlarmState, DERAlarm, EndDevice, LogEvent
from derms.models.der import from_epoch
from live import publish


@transaction.atomic
def post_log_event(*, end_device: EndDevice, values: dict) -> tuple[LogEvent, bool]:
    """Keep a LogEvent in the DER's history; an alarm code raises its alarm, the RTN code clears it.

    Returns the LogEvent and whether it is new: one posted again is kept once and changes nothing.
    """
    fields = {
        "created_date_time": from_epoch(values["createdDateTime"]),
        "function_set": values["functionSet"],
        "log_event_code": values["logEventCode"],
        "log_event_id": values["logEventID"],
        "log_event_pen": values["logEventPEN"],
    }
    existing = LogEvent.objects.filter(end_device=end_device, **fields).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            log_event = LogEvent.objects.create(
                end_device=end_device,
                details=values.get("details", ""),
                extended_data=values.get("extendedData"),
                profile_id=values["profileID"],
                **fields,
            )
            changefeed.record("log_event_posted", [Resource(Kind.LOG_EVENT_LIST, end_device.pk)])
    except IntegrityError:
        # The same LogEvent arrived twice at once; the other request stored it.
        return LogEvent.objects.get(end_device=end_device, **fields), False
    alarm = DERAlarm.for_log_event(function_set=log_event.function_set, code=log_event.log_event_code)
    if alarm is not None:
        which, raised = alarm
        _move(
            end_device=end_device,
            alarm=which,
            active=raised,
            at=log_event.created_date_time,
            log_event=log_event,
        )
    return log_event, True


def apply_alarm_status(*, end_device: EndDevice, bitmap: int, at: dt.datetime) -> None:
    """Bring the DER's alarms in line with a DERStatus alarmStatus bitmap reported at ``at``."""
    for alarm in DERAlarm:
        _move(end_device=end_device, alarm=alarm, active=bool(bitmap & alarm.bit), at=at, log_event=None)


def _move(
    *, end_device: EndDevice, alarm: DERAlarm, active: bool, at: dt.datetime, log_event: LogEvent | None
) -> None:
    """Set one alarm's state unless a later report already decided it (reports may arrive out of order)."""
    states = AlarmState.objects.select_for_update().filter(end_device=end_device, alarm=alarm)
    state = states.first()
    if state is None:
        if not active:
            return
        try:
            with transaction.atomic():
                AlarmState.objects.create(
                    end_device=end_device, alarm=alarm, active=True, changed_at=at, log_event=log_event
                )
            publish.changed(end_device=end_device, kind=publish.Kind.ALARM)
            return
        except IntegrityError:
            # Another report raised or cleared this alarm first: decide against what it stored.
            state = states.get()
    if state.changed_at > at or state.active == active:
        return
    state.active = active
    state.changed_at = at
    state.log_event = log_event
    state.save(update_fields=["active", "changed_at", "log_event"])
    publish.changed(end_device=end_device, kind=publish.Kind.ALARM)
