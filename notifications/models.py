"""What clients subscribed to, and each notification the server owes them until it is delivered.

A Subscription names its resource by kind and the id of the object the resource hangs off (an EndDevice
or a DERProgram), not by foreign key: when that object is deleted the subscription must still be found,
to tell its client "resource deleted" (2030.5 Notification status 4).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Subscribed(models.TextChoices):
    """The resources a client may subscribe to, with what their id names."""

    END_DEVICE_LIST = "EndDeviceList", "EndDeviceList (the subscriber's own)"
    END_DEVICE = "EndDevice", "EndDevice"
    FSA_LIST = "FunctionSetAssignmentsList", "FunctionSetAssignmentsList of an EndDevice"
    DER_PROGRAM_LIST = "DERProgramList", "DERProgramList of an EndDevice's FSA"
    DER_PROGRAM = "DERProgram", "DERProgram"
    DER_CONTROL_LIST = "DERControlList", "DERControlList of a DERProgram"
    ACTIVE_DER_CONTROL_LIST = "ActiveDERControlList", "ActiveDERControlList of a DERProgram"
    DEFAULT_DER_CONTROL = "DefaultDERControl", "DefaultDERControl of a DERProgram"
    DER_CURVE_LIST = "DERCurveList", "DERCurveList of a DERProgram"


class Subscription(models.Model):
    """A client's standing request to be told when a resource changes (2030.5 Subscription, CSIP 5.2.5)."""

    #: The client, whose own EndDevice holds the SubscriptionList this was posted to.
    subscriber = models.ForeignKey("derms.EndDevice", on_delete=models.CASCADE, related_name="subscriptions")
    resource = models.CharField(max_length=40, choices=Subscribed.choices)
    #: The EndDevice (for edev/... resources) or DERProgram (derp/...) the resource hangs off.
    object_id = models.BigIntegerField()
    #: The subscribedResource path, as the server serves it (no query string).
    subscribed_path = models.CharField(max_length=255)
    #: How many list items (or 0: none, a simple change notice) a notification carries.
    limit = models.PositiveIntegerField()
    notification_uri = models.URLField(max_length=255)
    level = models.CharField(max_length=16, default="+S1")
    created_at = models.DateTimeField(default=timezone.now)
    #: Renewed each time the client posts the same subscription again.
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "subscribed_path", "notification_uri"], name="subscription_once"
            )
        ]
        indexes = [
            models.Index(fields=["resource", "object_id"], name="subscription_target"),
            models.Index(fields=["expires_at"], name="subscription_expiry"),
        ]

    def __str__(self):
        return f"{self.subscribed_path} for EndDevice {self.subscriber_id}"

    def is_live(self, now) -> bool:
        return self.expires_at > now


class Notification(models.Model):
    """One notification owed to a subscription: pending until its receiver accepts it.

    While it is pending, further changes to the same resource fold into it (coalescing): it is rendered
    when it is sent, so it carries the latest state. A subscription has at most one pending notification.
    What finally fails is kept, with the subscription's target copied, for staff to see.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    #: 2030.5 Notification status.
    DEFAULT_STATUS = 0
    RESOURCE_DELETED = 4

    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    subscribed_path = models.CharField(max_length=255)
    notification_uri = models.URLField(max_length=255)
    status = models.PositiveSmallIntegerField(default=DEFAULT_STATUS)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    #: The newest change-feed row folded in: a delivery that rendered before a newer one arrived leaves
    #: the notification pending, so the newer state is sent too.
    change_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    #: A worker sending it holds it until then; after a crash another takes it over.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription"], condition=Q(state="pending"), name="notification_one_pending"
            )
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="pending"), name="notification_due"),
            models.Index(fields=["state", "-id"], name="notification_state"),
        ]

    def __str__(self):
        return f"{self.subscribed_path} to {self.notification_uri}: {self.get_state_display()}"


class DeliveryAttempt(models.Model):
    """Every POST of a notification and what came of it."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    at = models.DateTimeField(default=timezone.now)
    #: The receiver's HTTP status, or None when no answer came (connection refused, TLS, timeout).
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S}: {self.http_status or self.error}"
