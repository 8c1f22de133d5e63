"""The outbox of changes to what clients of a DERProgram see, written with the change itself.

The notification work reads it to tell subscribers of a DERControlList or DefaultDERControl; writing it in
the same transaction as the change means no change is lost and none is announced that did not happen.
"""

from django.db import models
from django.utils import timezone


class ProgramChange(models.Model):
    class Kind(models.TextChoices):
        CONTROL_CREATED = "control_created", "DERControl created"
        CONTROL_CANCELLED = "control_cancelled", "DERControl cancelled"
        CONTROL_SUPERSEDED = "control_superseded", "DERControl superseded"
        CONTROL_POTENTIALLY_SUPERSEDED = "control_potentially_superseded", "DERControl potentially superseded"
        #: Written by derms.events.tasks.record_transitions when the clock, not a person, changes a list.
        CONTROL_STARTED = "control_started", "DERControl became Active"
        CONTROL_ENDED = "control_ended", "DERControl effective period over"
        DEFAULT_UPDATED = "default_updated", "DefaultDERControl updated"
        CURVE_CREATED = "curve_created", "DERCurve created"

    program = models.ForeignKey("derms.DERProgram", on_delete=models.CASCADE, related_name="changes")
    control = models.ForeignKey(
        "derms.DERControl", null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    curve = models.ForeignKey(
        "derms.DERCurve", null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    #: When clients see the change: now, or later for a supersede that takes effect at the newer event's
    #: earliest effective start.
    effective_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["effective_at", "id"]
        indexes = [models.Index(fields=["effective_at", "id"], name="programchange_due_order")]

    def __str__(self):
        return f"{self.get_kind_display()} in program {self.program_id} at {self.effective_at:%Y-%m-%d %H:%M}"

    @classmethod
    def for_control(cls, control, kind: str, at) -> "ProgramChange":
        """An unsaved change to one DERControl, for bulk_create with the others of the same transaction."""
        return cls(program_id=control.program_id, control=control, kind=kind, effective_at=at)


class ClockWatermark(models.Model):
    """How far a clock-driven job has written its changes: it resumes from here after any downtime."""

    job = models.CharField(max_length=40, unique=True)
    reached = models.DateTimeField()

    def __str__(self):
        return f"{self.job} up to {self.reached:%Y-%m-%d %H:%M:%S}"


class Change(models.Model):
    """One row of the change feed: ``resource`` ``object_id`` reached ``version`` through ``action``.

    Written only by ``derms.changefeed.record``, in the transaction of the change. The notification work
    claims unconsumed rows (``consumed_at`` empty), fans them out to subscriptions and marks them
    consumed; consumed rows are pruned after ``DERMS_CHANGE_RETENTION``.
    """

    resource = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    version = models.BigIntegerField()
    #: What happened, e.g. ``control_created``, ``primacy_changed``, ``deleted``.
    action = models.CharField(max_length=40)
    #: When clients see the change: now, or later for one that takes effect at a future time.
    effective_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The backlog, claimed oldest first; small however long the feed grows.
            models.Index(fields=["id"], condition=models.Q(consumed_at__isnull=True), name="change_backlog"),
            models.Index(fields=["resource", "object_id", "version"], name="change_resource_version"),
            models.Index(fields=["consumed_at"], name="change_consumed"),
        ]

    def __str__(self):
        return f"{self.resource}/{self.object_id} v{self.version}: {self.action}"

    @property
    def is_deletion(self) -> bool:
        return self.action == "deleted"


class ResourceVersion(models.Model):
    """How many times a resource has changed: a reader that rendered version N knows N is still current."""

    key = models.CharField(max_length=80, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self):
        return f"{self.key} v{self.version}"
