"""``manage.py serve``: one command runs gunicorn (mTLS), daphne and Celery, and stops them together."""

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass

import pytest

from csip_api.pki import ServerPKI, issue_client_certificate
from derms.models import Authorization, EndDevice, Role
from groups.models import Group
from tests.tls.servers import (
    PROJECT_DIR,
    ServerProcess,
    client_context,
    free_port,
    http_request,
    https_request,
    python_command,
)

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

STOP_TIMEOUT = 40


@dataclass
class Served:
    server: ServerProcess
    https_port: int
    pki: ServerPKI

    @property
    def portal_port(self) -> int:
        return self.server.port

    @property
    def process(self) -> subprocess.Popen:
        return self.server.process

    def log(self) -> str:
        return self.server.log()


@pytest.fixture
def serve(server_environment, tmp_path):
    """Start ``manage.py serve`` with its own PKI directory and ports; stop it if the test did not."""
    pki_dir = tmp_path / "pki"
    https_port, portal_port = free_port(), free_port()
    env = server_environment(
        CSIP_PKI_DIR=str(pki_dir),
        CSIP_HTTPS_HOST="127.0.0.1",
        CSIP_HTTPS_PORT=str(https_port),
        DERMS_PORTAL_PORT=str(portal_port),
    )
    started = []

    def start(*options: str) -> Served:
        server = ServerProcess(
            name="serve",
            command=python_command("manage.py", "serve", *options),
            env=env,
            log_path=tmp_path / "serve.log",
            port=portal_port,
            ready_marker="Listening on TCP address",
        )
        started.append(server)
        server.start()
        wait_for(lambda: "Booting worker" in server.log(), server)
        return Served(server=server, https_port=https_port, pki=ServerPKI.in_directory(pki_dir))

    yield start
    for server in started:
        server.stop()


def wait_for(condition, server, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.1)


def children(server) -> dict[str, int]:
    return {name: int(pid) for name, pid in re.findall(r"started (\w+) \(pid (\d+)\)", server.log())}


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_answers_a_device_over_mutual_tls_and_a_browser_on_the_portal(serve):
    server = serve()
    device = issue_client_certificate(directory=server.pki.ca_cert.parent, name="inverter")
    EndDevice.objects.create(lfdi=device.lfdi, role=Role.DIRECT)
    Authorization.objects.create(lfdi=device.lfdi, role=Role.DIRECT, status=Authorization.Status.APPROVED)

    api = https_request(server.https_port, "/whoami", client_context(server.pki, device))
    portal = http_request(server.portal_port, "/admin/login/")

    assert api.json() == {"lfdi": device.lfdi, "kind": "end_device"}
    assert portal.status == 200
    assert set(children(server)) == {"gunicorn", "daphne", "celery"}
    # Without --demo a utility's database gets no demo data and no demo certificates.
    assert not Group.objects.exists()
    assert not (server.pki.ca_cert.parent / "clients" / "der-001.pem").exists()


def test_the_celery_worker_embeds_beat_and_knows_the_transition_task(serve):
    server = serve()

    wait_for(lambda: "beat: Starting" in server.log(), server)
    assert "derms.events.tasks.record_transitions" in server.log()


def test_sigterm_stops_every_server_and_exits_cleanly(serve):
    server = serve()
    pids = children(server)

    server.process.send_signal(signal.SIGTERM)
    status = server.process.wait(timeout=STOP_TIMEOUT)

    assert status == 0
    assert not [name for name, pid in pids.items() if is_running(pid)]


def test_when_one_server_dies_the_others_are_stopped_and_serve_fails(serve):
    server = serve()
    pids = children(server)

    os.kill(pids["daphne"], signal.SIGKILL)
    status = server.process.wait(timeout=STOP_TIMEOUT)

    assert status != 0
    assert not [name for name, pid in pids.items() if is_running(pid)]
    assert "daphne exited" in server.log()


def test_a_demo_start_builds_the_demo_with_lfdis_of_the_certificates_it_issued(serve):
    from derms.demo import demo_devices

    served = serve("--demo")
    clients = served.pki.ca_cert.parent / "clients"
    first = {device.role: clients / f"{device.name}.pem" for device in reversed(demo_devices())}
    answers = {}

    for name, certificate in (("der", first[Role.DIRECT]), ("aggregator", first[Role.AGGREGATOR])):
        context = client_context(served.pki, None)
        context.load_cert_chain(certfile=certificate, keyfile=certificate.with_suffix(".key"))
        answers[name] = https_request(served.https_port, "/whoami", context).json()

    assert answers["der"]["kind"] == "end_device"
    assert answers["aggregator"]["kind"] == "aggregator"
    assert "curl --cacert" in served.log()


def test_serve_refuses_to_run_in_proxy_mode(server_environment):
    result = subprocess.run(
        python_command("manage.py", "serve"),
        env=server_environment(CSIP_TLS_MODE="proxy"),
        cwd=PROJECT_DIR,
        capture_output=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert b"CSIP_TLS_MODE=proxy" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="only a start as root changes how the worker runs")
def test_as_root_the_worker_runs_threads_without_celerys_superuser_warning(serve):
    server = serve()
    wait_for(lambda: " ready." in server.log(), server)

    log = server.log()
    assert "Running as root: the Celery worker runs as one process with threads" in log
    assert re.search(r"concurrency: \d+ \(thread\)", log), log
    assert "superuser privileges" not in log
