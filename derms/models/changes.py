"""The change feed's tables (written only by :mod:`derms.changefeed`) and the clock jobs' watermarks."""

from django.db import models
from django.utils import timezone


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
    #: Which transaction wrote the version last, for the readers' leased copies (derms.changefeed.lease).
    stamp = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["stamp"], name="version_stamp")]

    def __str__(self):
        return f"{self.key} v{self.version}"
