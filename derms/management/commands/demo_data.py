"""Build the demo utility (see derms.demo) and the staff superuser ``admin``; safe to run again."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from derms import changefeed
from derms.demo import build_demo_utility
from derms.staff import ensure_staff_roles

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Create the demo utility (grid, DERs, aggregators, programs, curves, events) and the admin user."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = build_demo_utility()
            ensure_staff_roles()
            password = ensure_admin()
            # The demo is written in bulk, not through the services: a running server must not go on
            # serving what it remembered of the database before.
            changefeed.new_generation()
        for what, count in counts.items():
            self.stdout.write(f"{count:6d} {what}")
        if password is None:
            self.stdout.write(
                f"Portal login: user {ADMIN_USERNAME!r}, password unchanged (DERMS_ADMIN_PASSWORD resets it)"
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Portal login: user {ADMIN_USERNAME!r}, password {password!r}")
            )


def ensure_admin() -> str | None:
    """Create the superuser ``admin``; return its password while it is still the one derms gave it.

    An existing admin's password changes only when DERMS_ADMIN_PASSWORD asks for another: running the
    demo again (every ``make start``) must not undo a password its owner changed.
    """
    explicit = os.environ.get("DERMS_ADMIN_PASSWORD")
    generated = settings.VAR_DIR / "demo-admin-password"
    user, created = get_user_model().objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True},
    )
    if created or explicit:
        password = explicit or _generate_once(generated)
        # Re-hashing an unchanged password would still log every session out.
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        return password
    if generated.exists() and user.check_password(password := generated.read_text().strip()):
        return password
    return None


def _generate_once(path: Path) -> str:
    """A password generated on the first run and kept in ``path``, so a rebuilt database gets it again."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()
