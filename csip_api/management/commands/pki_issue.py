"""Issue a device or aggregator certificate from the development CA and print its LFDI and SFDI."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from csip_api.pki import issue_client_certificate
from derms.lfdi import format_sfdi


class Command(BaseCommand):
    help = (
        "Issue an ECDSA P-256 client certificate (PEM cert and key, and a DER copy) in CSIP_PKI_DIR/clients."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="File name stem, e.g. inverter-17")
        parser.add_argument("--aggregator", action="store_true", help="An aggregator's certificate.")
        parser.add_argument(
            "--days", type=int, default=None, help="Validity in days (default: no expiry, as 2030.5 devices)."
        )
        parser.add_argument("--expired", action="store_true", help="Already expired, to test refusal.")

    def handle(self, *args, name, aggregator, days, expired, **options):
        if days is not None and days <= 0:
            raise CommandError("--days must be positive")
        try:
            issued = issue_client_certificate(
                directory=settings.CSIP_PKI_DIR, name=name, aggregator=aggregator, days=days, expired=expired
            )
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"certificate  {issued.cert}")
        self.stdout.write(f"key          {issued.key}")
        self.stdout.write(f"DER          {issued.der}")
        self.stdout.write(f"LFDI         {issued.lfdi}")
        self.stdout.write(f"SFDI         {format_sfdi(issued.sfdi)}")
