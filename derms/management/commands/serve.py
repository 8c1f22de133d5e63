"""Run derms on one machine: the 2030.5 API over mutual TLS, the portal, and the Celery worker.

It migrates the database and creates the development PKI; with ``--demo`` (what ``make start`` runs) it
also issues certificates for the demo's direct DERs and aggregators and builds the demo utility with their
LFDIs, so a real utility's database never gets demo data by accident. Then it supervises
gunicorn (2030.5 over mTLS, CSIP_HTTPS_HOST:CSIP_HTTPS_PORT), daphne (portal and websockets,
DERMS_PORTAL_HOST:DERMS_PORTAL_PORT) and a Celery worker with an embedded beat until Ctrl-C or SIGTERM;
if one of them dies the others are stopped and the command fails.
"""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from csip_api.demo_certificates import issue_missing_demo_certificates
from derms.demo import demo_devices
from derms.supervisor import supervise

#: The start of Celery's warning about a worker running as root (celery.platforms.ROOT_DISCOURAGED).
CELERY_ROOT_WARNING = "You're running the worker with superuser privileges"


class Command(BaseCommand):
    help = "Start the 2030.5 API (gunicorn, mutual TLS), the portal (daphne) and the Celery worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="Issue demo client certificates and build the demo utility."
        )

    def handle(self, *args, demo, **options):
        if settings.CSIP_TLS_MODE != "embedded":
            raise CommandError(
                "serve terminates TLS itself; with CSIP_TLS_MODE=proxy run the processes "
                "behind nginx as README.md, Production, describes."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("pki_init", stdout=self.stdout)
        if demo:
            self._prepare_demo()
        as_root = os.geteuid() == 0
        if as_root:
            self.stdout.write(
                "Running as root: the Celery worker runs as one process with threads and accepts only JSON. "
                "In production run each service as an unprivileged user (deploy/README.md)."
            )
        self.stdout.write(
            f"2030.5 API  https://{settings.CSIP_HTTPS_HOST}:{settings.CSIP_HTTPS_PORT}/ (mutual TLS)\n"
            f"Portal      http://{settings.DERMS_PORTAL_HOST}:{settings.DERMS_PORTAL_PORT}/"
        )
        self.stdout.flush()
        commands = self._commands(as_root=as_root)
        if demo and settings.DERMS_DEMO_FLEET:
            commands["simulator"] = _demo_fleet(sys.executable)
            self.stdout.write(
                "Simulated fleet: 5 direct DERs and an aggregator for 10 DERs (DERMS_DEMO_FLEET=off stops it)"
            )
        status = supervise(commands)
        if status:
            raise CommandError("a server process exited; all were stopped")

    def _prepare_demo(self):
        directory = settings.CSIP_PKI_DIR
        issued = issue_missing_demo_certificates(directory=directory, clients=demo_devices())
        # Builds the demo on the first --demo start (idempotent after), with the demo certificates' LFDIs.
        call_command("demo_data", stdout=self.stdout)
        if issued:
            example = issued[0]
            self.stdout.write(
                f"Issued {len(issued)} demo client certificates in {directory / 'clients'}. One request:\n"
                f"  curl --cacert {directory / 'ca.pem'} --cert {example.cert} --key {example.key} "
                f"https://localhost:{settings.CSIP_HTTPS_PORT}/dcap"
            )

    def _commands(self, *, as_root: bool) -> dict[str, list[str]]:
        python = sys.executable
        return {
            "gunicorn": [python, "-m", "gunicorn", "-c", "python:csip_api.serving.gunicorn_conf"],
            "daphne": [
                python, "-m", "daphne",
                "-b", settings.DERMS_PORTAL_HOST,
                "-p", str(settings.DERMS_PORTAL_PORT),
                "derms.asgi:application",
            ],
            # -B embeds beat (record_transitions every 30 s), its schedule file in VAR_DIR (settings).
            "celery": _celery_worker(python, as_root=as_root),
        }  # fmt: skip


def _demo_fleet(python: str) -> list[str]:
    """A small simulated fleet beside the demo utility, so the portal is alive from the first minute; it
    posts and polls ten times faster than the served rates and runs until serve stops it."""
    manage = str(settings.BASE_DIR / "manage.py")
    return [
        python, manage, "simulate", "--direct", "5", "--aggregators", "1", "--ders-per-aggregator", "10",
        "--speed", "10", "--duration", "0",
        "--server", f"https://localhost:{settings.CSIP_HTTPS_PORT}",
    ]  # fmt: skip


def _celery_worker(python: str, *, as_root: bool) -> list[str]:
    """The worker's command. Run as root (a container, a throwaway VM: gunicorn and daphne are root too) it
    forks no children and serve's notice replaces Celery's superuser warning; the worker accepts only JSON,
    so whoever writes to the queue cannot make it run code. Dropping it to another --uid is not safe: it
    could no longer write the database and the queue that root created in DERMS_VAR_DIR."""
    worker = ["-m", "celery", "-A", "derms.celery:app", "worker", "-B", "--loglevel", "INFO"]
    if not as_root:
        return [python, *worker]
    return [python, "-W", f"ignore:{CELERY_ROOT_WARNING}", *worker, "--pool", "threads"]
