"""Create the development PKI: a CA and the server's ECDSA and RSA certificates (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from csip_api.pki import ensure_server_pki


class Command(BaseCommand):
    help = "Create the development CA and server certificates in CSIP_PKI_DIR unless they exist."

    def handle(self, *args, **options):
        pki, created = ensure_server_pki(
            directory=settings.CSIP_PKI_DIR, server_names=settings.CSIP_PKI_SERVER_NAMES
        )
        verb = "Created" if created else "Kept"
        self.stdout.write(f"{verb} the development PKI in {settings.CSIP_PKI_DIR}")
        for label, path in (
            ("CA", pki.ca_cert),
            ("server ECDSA P-256", pki.ecdsa_cert),
            ("server RSA", pki.rsa_cert),
        ):
            self.stdout.write(f"  {label:<20} {path}")
