"""Run derms on one machine: the 2030.5 API over mutual TLS, the portal, and the Celery worker.

On first start it migrates the database, creates the development PKI, builds the demo utility and issues
certificates for the demo's direct DERs and aggregators. Then it supervises gunicorn (2030.5 over mTLS,
CSIP_HTTPS_HOST:CSIP_HTTPS_PORT), daphne (portal and websockets, DERMS_PORTAL_HOST:DERMS_PORTAL_PORT) and a
Celery worker until Ctrl-C or SIGTERM; if one of them dies the others are stopped and the command fails.
"""

import sys

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from csip_api.demo_certificates import issue_demo_certificates
from derms.lfdi import format_sfdi
from derms.models import Authorization, EndDevice
from derms.supervisor import supervise


class Command(BaseCommand):
    help = "Start the 2030.5 API (gunicorn, mutual TLS), the portal (daphne) and the Celery worker."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Do not create the demo utility.")

    def handle(self, *args, no_demo, **options):
        if settings.CSIP_TLS_MODE != "embedded":
            raise CommandError(
                "serve terminates TLS itself; with CSIP_TLS_MODE=proxy run the processes "
                "behind nginx as README.md, Production, describes."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("pki_init", stdout=self.stdout)
        if not no_demo and not (EndDevice.objects.exists() or Authorization.objects.exists()):
            self._create_demo()
        self.stdout.write(
            f"2030.5 API  https://{settings.CSIP_HTTPS_HOST}:{settings.CSIP_HTTPS_PORT}/ (mutual TLS)\n"
            f"Portal      http://{settings.DERMS_PORTAL_HOST}:{settings.DERMS_PORTAL_PORT}/"
        )
        self.stdout.flush()
        status = supervise(self._commands())
        if status:
            raise CommandError("a server process exited; all were stopped")

    def _create_demo(self):
        # The demo_data command is the foundation's; the certificates must follow the devices it creates.
        if "demo_data" not in get_commands():
            self.stderr.write("No demo_data command in this installation: starting without a demo.")
            return
        call_command("demo_data", stdout=self.stdout)
        certificates = issue_demo_certificates(directory=settings.CSIP_PKI_DIR)
        self.stdout.write(f"Demo client certificates ({len(certificates)}):")
        for certificate in certificates:
            self.stdout.write(f"  SFDI {format_sfdi(certificate.sfdi)}  {certificate.cert}")

    def _commands(self) -> dict[str, list[str]]:
        python = sys.executable
        return {
            "gunicorn": [python, "-m", "gunicorn", "-c", "python:csip_api.serving.gunicorn_conf"],
            "daphne": [
                python, "-m", "daphne",
                "-b", settings.DERMS_PORTAL_HOST,
                "-p", str(settings.DERMS_PORTAL_PORT),
                "derms.asgi:application",
            ],
            "celery": [python, "-m", "celery", "-A", "derms.celery:app", "worker", "--loglevel", "INFO"],
        }  # fmt: skip
