"""DER alarms: the LogEvents a DER reports and which alarms are active now (CSIP 5.2.5.3, Table 14).

Every LogEvent is kept as history. DER alarms use functionSet 11 and logEventCode 0-21: an even code
raises an alarm, the next odd code is its return to normal. ``AlarmState`` holds, per DER and alarm,
whether it is active and as of when; LogEvents and the ``alarmStatus`` bitmap of DERStatus both move
it, the later report winning, so the bitmap served in DERStatus and the active alarms always agree.
"""

from django.db import models
from django.utils import timezone

#: LogEvent functionSet of the Distributed Energy Resource function set.
DER_FUNCTION_SET = 11


class DERAlarm(models.IntegerChoices):
    """The alarms of CSIP Table 14, by the code that raises them; ``code + 1`` returns to normal."""

    OVER_CURRENT = 0, "Over current"
    OVER_VOLTAGE = 2, "Over voltage"
    UNDER_VOLTAGE = 4, "Under voltage"
    OVER_FREQUENCY = 6, "Over frequency"
    UNDER_FREQUENCY = 8, "Under frequency"
    VOLTAGE_IMBALANCE = 10, "Voltage imbalance"
    CURRENT_IMBALANCE = 12, "Current imbalance"
    EMERGENCY_LOCAL = 14, "Local emergency"
    EMERGENCY_REMOTE = 16, "Remote emergency"
    LOW_POWER_INPUT = 18, "Low input power"
    PHASE_ROTATION = 20, "Phase rotation"

    @property
    def bit(self) -> int:
        """Its bit in DERStatus alarmStatus."""
        return 1 << (self.value // 2)

    @classmethod
    def for_log_event(cls, *, function_set: int, code: int) -> tuple["DERAlarm", bool] | None:
        """The alarm a LogEvent reports and whether it raises (True) or clears it; None if not an alarm."""
        if function_set != DER_FUNCTION_SET or code >= 2 * len(cls):
            return None
        return cls(code - code % 2), code % 2 == 0


class LogEvent(models.Model):
    """One LogEvent a DER (or its aggregator) posted, kept as history."""

    end_device = models.ForeignKey("derms.EndDevice", on_delete=models.CASCADE, related_name="log_events")
    created_date_time = models.DateTimeField()
    details = models.CharField(max_length=32, blank=True)
    extended_data = models.PositiveBigIntegerField(null=True, blank=True)
    function_set = models.PositiveSmallIntegerField()
    log_event_code = models.PositiveSmallIntegerField()
    log_event_id = models.PositiveIntegerField(verbose_name="logEventID")
    #: IANA Private Enterprise Number of whoever defined the code; 2030.5's own codes use 0.
    log_event_pen = models.PositiveBigIntegerField(verbose_name="logEventPEN")
    profile_id = models.PositiveSmallIntegerField(verbose_name="profileID")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["end_device", "-created_date_time", "-id"]
        indexes = [models.Index(fields=["end_device", "-created_date_time", "-id"], name="logevent_history")]
        constraints = [
            # A LogEvent posted twice (a client retrying) is kept once.
            models.UniqueConstraint(
                fields=[
                    "end_device",
                    "created_date_time",
                    "function_set",
                    "log_event_code",
                    "log_event_id",
                    "log_event_pen",
                ],
                name="logevent_once",
            ),
        ]

    def __str__(self):
        at = f"{self.created_date_time:%Y-%m-%d %H:%M:%S}"
        return f"LogEvent {self.function_set}/{self.log_event_code} at {at}"


class AlarmState(models.Model):
    """Whether one alarm of one DER is active, and the report time of the change that made it so."""

    end_device = models.ForeignKey("derms.EndDevice", on_delete=models.CASCADE, related_name="alarm_states")
    alarm = models.PositiveSmallIntegerField(choices=DERAlarm.choices)
    active = models.BooleanField()
    changed_at = models.DateTimeField(help_text="When the DER reported the change.")
    log_event = models.ForeignKey(
        LogEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The LogEvent that made the change; empty when a DERStatus alarmStatus did.",
    )

    class Meta:
        ordering = ["end_device", "alarm"]
        constraints = [
            models.UniqueConstraint(fields=["end_device", "alarm"], name="one_alarm_state_per_der"),
            models.CheckConstraint(condition=models.Q(alarm__in=DERAlarm.values), name="alarm_known"),
        ]
        indexes = [
            models.Index(
                fields=["end_device"], condition=models.Q(active=True), name="active_alarms_per_der"
            ),
        ]

    def __str__(self):
        state = "active" if self.active else "normal"
        return f"{DERAlarm(self.alarm).label} {state} since {self.changed_at:%Y-%m-%d %H:%M:%S}"
