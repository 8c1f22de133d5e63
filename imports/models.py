"""An import job (one uploaded file and how its import went) and the node ids a topology file named."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    TOPOLOGY = "topology", "Topology nodes"
    AUTHORIZATIONS = "authorizations", "Device authorizations"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        VALIDATING = "validating", "Validating"
        APPLYING = "applying", "Applying"
        DONE = "done", "Done"
        REFUSED = "refused", "Refused: bad rows"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    file_name = models.CharField(max_length=200)
    #: The file itself, so a worker on another host can read it.
    content = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    #: [{"line": 12, "field": "lfdi", "reason": "..."}], every bad row (up to MAX_REPORTED_ERRORS).
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    #: What applying wrote, e.g. {"authorizations": 100000, "end_devices": 100000, "unchanged": 0}.
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 * self.processed_rows // self.total_rows if self.total_rows else 0


class TopologyNode(models.Model):
    """The id a topology file gave a group (the GIS's id), so later files can name it."""

    node_id = models.CharField(max_length=100, unique=True)
    group = models.OneToOneField("groups.Group", on_delete=models.CASCADE, related_name="import_node")

    def __str__(self):
        return f"{self.node_id} -> {self.group}"
