"""The other end of notifications: a real HTTPS receiver, and a real Celery worker sending to it."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.notifications.receiver import Receiver
from tests.tls.servers import PROJECT_DIR


@pytest.fixture
def notify_settings(settings, server_pki):
    """The notifier presents the dev PKI's notifier certificate and trusts its CA; loopback receivers."""
    settings.DERMS_NOTIFY_PRIVATE_ADDRESSES = True
    settings.DERMS_NOTIFY_CERT = server_pki.notifier_cert
    settings.DERMS_NOTIFY_KEY = server_pki.notifier_key
    settings.DERMS_NOTIFY_CA_FILE = server_pki.ca_cert
    settings.DERMS_NOTIFY_TIMEOUT = 2
    from csip_api.serving.tls import configured_client_context

    configured_client_context.cache_clear()
    yield settings
    configured_client_context.cache_clear()


@pytest.fixture
def receiver(server_pki, notify_settings) -> Iterator[Receiver]:
    receiver = Receiver(server_pki).start()
    yield receiver
    receiver.stop()


class Worker:
    """A real Celery worker with its embedded beat, as ``manage.py serve`` runs one, in its own session
    so that a test can kill it outright."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env, self.log_path, self.process = env, log_path, None

    def start(self) -> "Worker":
        command = [sys.executable, "-m", "celery", "-A", "derms", "worker", "-B", "--pool=threads"]
        command += ["--concurrency=4", "--loglevel=INFO"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                cwd=PROJECT_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while "ready." not in self.log_path.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start:\n{self.log_path.read_text()}")
            time.sleep(0.2)
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would end it: no chance to finish or hand back its work."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker(server_environment, tmp_path) -> Iterator[Worker]:
    worker = Worker(server_environment(), tmp_path / "celery.log")
    yield worker.start()
    worker.stop()
