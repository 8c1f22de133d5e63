"""Real server processes for the TLS tests, and the TLS client side of a 2030.5 device."""

from __future__ import annotations

import functools
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from csip_api.http import MEDIA_TYPE
from csip_api.pki import ClientCertificate, ServerPKI, ensure_server_pki, issue_client_certificate
from csip_api.serving.tls import CSIP_CIPHERS, cipher_string

PROJECT_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def forwarded_header(certificate: ClientCertificate) -> str:
    """X-Forwarded-Client-Cert as nginx's $ssl_client_escaped_cert writes it."""
    return quote(certificate.cert.read_text(), safe="")


@functools.cache
def _scratch_pki() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="derms-pki-"))
    ensure_server_pki(directory=directory, server_names=["localhost"])
    return directory


def scratch_certificate(name: str) -> ClientCertificate:
    """A certificate from a throwaway development CA, for scripts that run outside pytest (bench/)."""
    return issue_client_certificate(directory=_scratch_pki(), name=name)


def listening_socket(unix_path: Path | None = None) -> socket.socket:
    """A socket bound to an ephemeral loopback port (or a unix path), to hand to a server process: the
    port is known before the server starts and no other process can take it meanwhile."""
    if unix_path is None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(unix_path))
        unix_path.chmod(0o666)
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def free_port() -> int:
    """An ephemeral loopback port for servers that cannot inherit a socket (nginx)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    """A server started for a test: its process, its log, and how to reach it."""

    name: str
    command: Sequence[str]
    env: Mapping[str, str]
    log_path: Path
    port: int | None = None
    unix_socket: Path | None = None
    pass_fds: Sequence[int] = ()
    #: A line the server logs once it serves; a socket inherited from the test accepts before that.
    ready_marker: str = ""
    process: subprocess.Popen | None = field(default=None, init=False)

    def start(self) -> ServerProcess:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command,
            env=dict(self.env),
            cwd=PROJECT_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=self.pass_fds,
        )
        log.close()
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log()}")
            if self._accepts_connections():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start in {START_TIMEOUT}s:\n{self.log()}")

    def _accepts_connections(self) -> bool:
        family, address = (
            (socket.AF_UNIX, str(self.unix_socket))
            if self.unix_socket
            else (socket.AF_INET, ("127.0.0.1", self.port))
        )
        if self.unix_socket and not self.unix_socket.exists():
            return False
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(address)
            except OSError:
                return False
        return self.ready_marker in self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def python_command(*args: str) -> list[str]:
    return [sys.executable, *args]


def gunicorn_command(*binds: str) -> list[str]:
    command = python_command("-m", "gunicorn", "-c", "python:csip_api.serving.gunicorn_conf")
    for bind in binds:
        command += ["--bind", bind]
    # One worker is enough for a test and halves start-up time.
    return [*command, "--workers", "1", "--threads", "4"]


def worker_pids(master_pid: int) -> list[int]:
    """The processes a gunicorn master forked (its workers), from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        # The command name may hold spaces and parentheses: the fields after its last ")" are fixed.
        if int(stat.rsplit(")", 1)[1].split()[1]) == master_pid:
            pids.append(int(entry.name))
    return sorted(pids)


def tcp_sockets(pid: int, port: int) -> dict[str, int]:
    """How many TCP sockets on local ``port`` the process holds, by state: ``listen`` or ``established``.

    Read from /proc (its file descriptors and /proc/net/tcp), so it shows which worker accepted which
    connection without the server telling its clients anything."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    states = {"0A": "listen", "01": "established"}
    counts = dict.fromkeys(states.values(), 0)
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[9] in inodes and fields[3] in states:
            counts[states[fields[3]]] += 1
    return counts


# --- The client side --------------------------------------------------------------------------------


def client_context(
    pki: ServerPKI,
    certificate: ClientCertificate | None,
    *,
    ciphers: str | None = None,
    curve: str | None = None,
    version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
) -> ssl.SSLContext:
    """What a 2030.5 client offers: by default exactly the CSIP suites over TLS 1.2."""
    context = ssl.create_default_context(cafile=pki.ca_cert)
    context.minimum_version = context.maximum_version = version
    if version is ssl.TLSVersion.TLSv1_2:
        context.set_ciphers(cipher_string() if ciphers is None else ciphers)
    if curve:
        context.set_ecdh_curve(curve)
    if certificate is not None:
        context.load_cert_chain(certfile=certificate.cert, keyfile=certificate.key)
    return context


def only(cipher: str) -> str:
    """One CSIP suite, at the security level this OpenSSL needs for it."""
    assert cipher in CSIP_CIPHERS.split(":")
    return cipher_string().replace(CSIP_CIPHERS, cipher)


@dataclass
class Response:
    status: int
    body: bytes
    cipher: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers["Location"]


class CsipClient:
    """A 2030.5 client on one keep-alive mutual-TLS connection, as a DER or an aggregator polls and posts.

    ``fetch`` fits :func:`tests.csip_api.walking.walk`. http.client opens a new connection by itself when
    the server closed the previous one (after ``Connection: close``).
    """

    def __init__(self, port: int, context: ssl.SSLContext):
        self.connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)

    def request(
        self, method: str, path: str, body: str | bytes | None = None, *, content_type: str = MEDIA_TYPE
    ) -> Response:
        headers = {} if body is None else {"Content-Type": content_type}
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        return Response(status=response.status, body=content, headers=dict(response.getheaders()))

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, body: str | bytes) -> Response:
        return self.request("POST", path, body)

    def put(self, path: str, body: str | bytes) -> Response:
        return self.request("PUT", path, body)

    def fetch(self, path: str) -> tuple[int, bytes]:
        response = self.get(path)
        return response.status, response.body

    def close(self) -> None:
        self.connection.close()


def https_request(
    port: int,
    path: str,
    context: ssl.SSLContext,
    *,
    headers: Mapping[str, str] | None = None,
    connection: http.client.HTTPSConnection | None = None,
    method: str = "GET",
    body: bytes | None = None,
) -> Response:
    """One request over a real TLS connection (a new one unless ``connection`` is given)."""
    conn = connection or http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    conn.request(method, path, body=body, headers=dict(headers or {}))
    response = conn.getresponse()
    body = response.read()
    cipher = conn.sock.cipher()[0] if conn.sock else None
    if connection is None:
        conn.close()
    return Response(status=response.status, body=body, cipher=cipher)


def http_request(port: int, path: str, *, headers: Mapping[str, str] | None = None) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=dict(headers or {}))
    response = conn.getresponse()
    result = Response(status=response.status, body=response.read())
    conn.close()
    return result


def base_environment(**overrides: str) -> dict[str, str]:
    """The environment of a server process: this one's, minus anything that would pick other settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CSIP_", "DERMS_", "PYTEST_"))}
    env.update(overrides)
    return env
