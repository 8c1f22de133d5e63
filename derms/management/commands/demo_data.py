"""Build the demo utility (see derms.demo) and the staff superuser ``admin``; safe to run again."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from derms.demo import build_demo_utility
from derms.staff import ensure_staff_roles

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Create the demo utility (grid, DERs, aggregators, programs, curves, events) and the admin user."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = build_demo_utility()
            ensure_staff_roles()
            password = admin_password()
            set_admin_password(password)
        for what, count in counts.items():
            self.stdout.write(f"{count:6d} {what}")
        self.stdout.write(self.style.SUCCESS(f"Portal login: user {ADMIN_USERNAME!r}, password {password!r}"))


def admin_password() -> str:
    """DERMS_ADMIN_PASSWORD, or one generated on the first run and kept in DERMS_VAR_DIR."""
    if password := os.environ.get("DERMS_ADMIN_PASSWORD"):
        return password
    path = settings.VAR_DIR / "demo-admin-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def set_admin_password(password: str) -> None:
    user, _ = get_user_model().objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"email": "admin@example.com"}
    )
    user.is_staff = user.is_superuser = user.is_active = True
    if not user.check_password(password):
        user.set_password(password)
    user.save()
