"""gunicorn spreads keep-alive connections over all its workers: one SO_REUSEPORT socket per worker on a
TCP bind, one shared socket on a unix bind (csip_api/serving/gunicorn_conf.py).

Which worker accepted a connection is read from /proc (each worker's file descriptors), so nothing about
workers is exposed to clients.
"""

import http.client
import os
import signal
import socket
import time
from pathlib import Path

import pytest

from tests.tls.servers import ServerProcess, free_port, python_command, tcp_sockets, worker_pids

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

WORKERS = 2
#: All of them landing on one of two workers by chance: 2 in 2**40.
CONNECTIONS = 40
WAIT = 60


@pytest.fixture
def gunicorn(server_environment, tmp_path):
    """Start gunicorn with derms's configuration, two workers, on the given bind; stopped after the test."""
    started = []

    def start(bind: str, **where) -> ServerProcess:
        server = ServerProcess(
            name="gunicorn",
            command=python_command(
                *("-m", "gunicorn", "-c", "python:csip_api.serving.gunicorn_conf", "--bind", bind),
                *("--workers", str(WORKERS), "--threads", "2"),
            ),
            env=server_environment(CSIP_TLS_MODE="proxy", CSIP_TRUSTED_PROXIES="unix"),
            log_path=tmp_path / "gunicorn.log",
            ready_marker="Booting worker",
            **where,
        )
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


def wait_for(condition, server: ServerProcess):
    deadline = time.monotonic() + WAIT
    while not (result := condition()):
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.1)
    return result


def booted_workers(server: ServerProcess, port: int) -> list[int]:
    """The workers, once there are WORKERS of them and each listens on its own socket."""

    def listening():
        pids = worker_pids(server.process.pid)
        if len(pids) == WORKERS and all(tcp_sockets(pid, port)["listen"] == 1 for pid in pids):
            return pids
        return None

    return wait_for(listening, server)


def open_connections(connect, count: int) -> list[http.client.HTTPConnection]:
    """``count`` keep-alive connections, each answered once (so some worker accepted it) and held open."""
    connections = [connect() for _ in range(count)]
    for connection in connections:
        connection.request("GET", "/tm")
    for connection in connections:
        response = connection.getresponse()
        response.read()
        assert response.getheader("Connection", "").lower() != "close"
    return connections


def tcp_connect(port: int):
    return lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)


def test_each_worker_listens_on_its_own_socket_and_the_kernel_deals_connections_to_all(gunicorn):
    port = free_port()
    server = gunicorn(f"127.0.0.1:{port}", port=port)
    workers = booted_workers(server, port)

    connections = open_connections(tcp_connect(port), CONNECTIONS)
    try:
        accepted = {pid: tcp_sockets(pid, port)["established"] for pid in workers}
    finally:
        for connection in connections:
            connection.close()

    assert tcp_sockets(server.process.pid, port) == {"listen": 0, "established": 0}
    assert sum(accepted.values()) == CONNECTIONS
    assert all(accepted.values()), accepted


def test_a_worker_started_again_or_after_a_reload_listens_on_its_own_socket(gunicorn):
    port = free_port()
    server = gunicorn(f"127.0.0.1:{port}", port=port)
    first, second = booted_workers(server, port)

    os.kill(first, signal.SIGKILL)
    wait_for(lambda: first not in worker_pids(server.process.pid), server)
    restarted = booted_workers(server, port)
    os.kill(server.process.pid, signal.SIGHUP)
    wait_for(lambda: not set(restarted) & set(worker_pids(server.process.pid)), server)
    reloaded = booted_workers(server, port)

    assert second in restarted and first not in restarted
    connections = open_connections(tcp_connect(port), CONNECTIONS)
    try:
        accepted = {pid: tcp_sockets(pid, port)["established"] for pid in reloaded}
    finally:
        for connection in connections:
            connection.close()
    assert all(accepted.values()), accepted


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path):
        super().__init__("localhost", timeout=WAIT)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(WAIT)
        self.sock.connect(str(self.path))


def unix_listeners(pid: int, path: Path) -> set[str]:
    """Inodes of the listening unix sockets bound at ``path`` that the process holds."""
    held = {os.readlink(fd)[8:-1] for fd in Path(f"/proc/{pid}/fd").iterdir() if _is_socket(fd)}
    listening = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        # Flags 00010000: accepting connections (__SO_ACCEPTCON).
        if len(fields) == 8 and fields[7] == str(path) and int(fields[3], 16) & 0x10000:
            listening.add(fields[6])
    return held & listening


def _is_socket(fd: Path) -> bool:
    try:
        return os.readlink(fd).startswith("socket:[")
    except OSError:
        return False


def test_a_unix_socket_stays_one_socket_every_worker_accepts_from(gunicorn, run_dir):
    path = run_dir / "workers.sock"
    server = gunicorn(f"unix:{path}", unix_socket=path)
    workers = wait_for(lambda: len(pids := worker_pids(server.process.pid)) == WORKERS and pids, server)

    connections = open_connections(lambda: UnixConnection(path), 4)
    for connection in connections:
        connection.close()
    shared = unix_listeners(server.process.pid, path)

    assert len(shared) == 1
    assert all(unix_listeners(pid, path) == shared for pid in workers)
