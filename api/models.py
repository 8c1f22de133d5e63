"""API tokens: how a utility system (GIS, ADMS, interconnection) signs in to /api/v1/.

Only a SHA-256 digest of the secret is stored: the secret itself is shown once, when it is issued.
A token acts as its staff account, so the account's role decides what the system may do.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class APIToken(models.Model):
    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. 'GIS nightly sync'.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    #: The public start of the token, to find its row and to tell tokens apart on the portal page.
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the whole token, hex.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
