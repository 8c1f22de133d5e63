"""manage.py simulate: demo DERs and aggregators talking 2030.5 to the server over mutual TLS."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from csip_api.pki import load_client_certificate
from derms.demo import demo_devices
from derms.models import Role
from simulator import fleet


class Command(BaseCommand):
    help = (
        "Run the demo's direct DERs and aggregators (their dev-PKI certificates in CSIP_PKI_DIR/clients) "
        "against the 2030.5 server for a bounded time, then print what each did."
    )

    def add_arguments(self, parser):
        parser.add_argument("--direct", type=int, default=5, help="Direct DER clients (default 5).")
        parser.add_argument("--aggregators", type=int, default=1, help="Aggregators (default 1).")
        parser.add_argument(
            "--ders-per-aggregator",
            type=int,
            default=None,
            help="Report for at most this many of each aggregator's DERs.",
        )
        parser.add_argument(
            "--duration", type=float, default=300.0, help="Seconds to run (default 300; 0: until stopped)."
        )
        parser.add_argument(
            "--max-requests", type=int, default=None, help="Stop the fleet after this many requests."
        )
        parser.add_argument(
            "--speed",
            type=float,
            default=1.0,
            help="Poll and post this many times faster than the served rates.",
        )
        parser.add_argument(
            "--server", default=f"https://localhost:{settings.CSIP_HTTPS_PORT}", help="The 2030.5 server."
        )
        parser.add_argument("--seed", type=int, default=0, help="Seed of the simulated weather and alarms.")

    def handle(self, *args, **options):
        if options["speed"] <= 0 or options["duration"] < 0:
            raise CommandError("--speed must be positive and --duration not negative.")
        devices = demo_devices()
        chosen = [d for d in devices if d.role == Role.DIRECT][: options["direct"]]
        chosen += [d for d in devices if d.role == Role.AGGREGATOR][: options["aggregators"]]
        members = []
        for device in chosen:
            certificate = load_client_certificate(directory=settings.CSIP_PKI_DIR, name=device.name)
            if certificate is None:
                raise CommandError(
                    f"No certificate for {device.name} in {settings.CSIP_PKI_DIR}: "
                    "start the demo first (make start)."
                )
            members.append(fleet.Member(certificate, aggregator=device.role == Role.AGGREGATOR))
        self.stdout.write(f"Simulating {len(members)} clients against {options['server']}")
        clients = fleet.run(
            members,
            server=options["server"],
            pki_dir=settings.CSIP_PKI_DIR,
            duration=options["duration"] or None,
            max_requests=options["max_requests"],
            speed=options["speed"],
            seed=options["seed"],
            ders_per_aggregator=options["ders_per_aggregator"],
        )
        self.stdout.write(fleet.report(clients))
