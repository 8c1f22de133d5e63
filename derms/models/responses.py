"""Responses DERs send about the events they received (2030.5 Response function set, CSIP 6.2.4, 6.3.4).

Every Response is kept; for each event and targeted DER the latest one is flagged, so "which DERs have
not acknowledged this event" and "what did each DER last say" are one indexed query each.
"""

from django.db import models
from django.utils import timezone


class ResponseStatus(models.IntegerChoices):
    """Response status codes (2030.5 Table 27)."""

    EVENT_RECEIVED = 1, "Event received"
    EVENT_STARTED = 2, "Event started"
    EVENT_COMPLETED = 3, "Event completed"
    OPTED_OUT = 4, "User chose to opt out"
    OPTED_IN = 5, "User chose to opt in"
    EVENT_CANCELLED = 6, "Event cancelled"
    EVENT_SUPERSEDED = 7, "Event superseded"
    PARTIALLY_COMPLETED_OPT_OUT = 8, "Partially completed (user opted out)"
    PARTIALLY_COMPLETED_OPT_IN = 9, "Partially completed (user opted in)"
    COMPLETED_NO_PARTICIPATION = 10, "Completed with no user participation"
    ACKNOWLEDGED = 11, "Acknowledged"
    CANNOT_BE_DISPLAYED = 12, "Cannot be displayed"
    ABORTED_BY_SERVER = 13, "Aborted by another server's event"
    ABORTED_BY_PROGRAM = 14, "Aborted by another program's event"
    REJECTED_NOT_APPLICABLE = 252, "Rejected: control parameter not applicable"
    REJECTED_INVALID = 253, "Rejected: invalid event"
    REJECTED_LATE = 254, "Rejected: received late"


class Response(models.Model):
    """One Response about one event (``control``) for one DER (``end_device``)."""

    control = models.ForeignKey("derms.DERControl", on_delete=models.CASCADE, related_name="responses")
    end_device = models.ForeignKey("derms.EndDevice", on_delete=models.CASCADE, related_name="responses")
    client = models.ForeignKey(
        "derms.EndDevice",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Who posted it: the DER itself or its aggregator.",
    )
    status = models.PositiveSmallIntegerField(choices=ResponseStatus.choices, null=True, blank=True)
    created_date_time = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    #: createdDateTime when the client gave one, else when it arrived: what "latest" is measured by.
    reported_at = models.DateTimeField()
    is_latest = models.BooleanField(default=False)

    class Meta:
        ordering = ["control", "end_device", "-reported_at", "-id"]
        indexes = [
            models.Index(fields=["control", "end_device", "-reported_at", "-id"], name="response_history"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["control", "end_device"],
                condition=models.Q(is_latest=True),
                name="one_latest_response_per_event_and_der",
            ),
        ]

    def __str__(self):
        label = self.get_status_display() if self.status is not None else "no status"
        return f"{label} for {self.control_id} from {self.end_device_id}"
