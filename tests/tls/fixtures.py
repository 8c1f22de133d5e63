"""The cast of the TLS and end-to-end tests (certificates of a direct DER, an aggregator, a stranger, an
expired one, one from another CA) and the real servers they talk to: gunicorn terminating mTLS, gunicorn
behind nginx, daphne.

Server processes cannot see a transaction of the test, so tests that use them take ``transactional_db`` and
the servers open the very test database: a file for SQLite, the ``test_`` database on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from csip_api.pki import ClientCertificate, ServerPKI, ensure_server_pki, issue_client_certificate
from derms.models import Authorization, EndDevice, Role
from tests.tls.servers import (
    PROJECT_DIR,
    CsipClient,
    ServerProcess,
    base_environment,
    client_context,
    free_port,
    gunicorn_command,
    listening_socket,
    python_command,
)

# pytest-django keeps a SQLite test database in memory, where no other process can open it.
_test_db = settings.DATABASES["default"].setdefault("TEST", {})
if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not _test_db.get("NAME"):
    _test_db["NAME"] = str(settings.VAR_DIR / "test-tls.sqlite3")

SHIPPED_NGINX_CONF = PROJECT_DIR / "deploy" / "nginx" / "derms.conf"


# --- Certificates -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(scope="session")
def server_pki(pki_dir) -> ServerPKI:
    pki, _ = ensure_server_pki(directory=pki_dir, server_names=["localhost", "127.0.0.1"])
    return pki


@pytest.fixture(scope="session")
def issue(server_pki, pki_dir) -> Callable[..., ClientCertificate]:
    return lambda name, **options: issue_client_certificate(directory=pki_dir, name=name, **options)


@pytest.fixture(scope="session")
def certificate_of(issue) -> Callable[[str], ClientCertificate]:
    """A device certificate per name, issued on first use, for tests that need some client or other."""
    issued: dict[str, ClientCertificate] = {}

    def certificate_of(name: str) -> ClientCertificate:
        if name not in issued:
            issued[name] = issue(f"client {name}")
        return issued[name]

    return certificate_of


@pytest.fixture(scope="session")
def direct_der_cert(issue) -> ClientCertificate:
    return issue("direct-der")


@pytest.fixture(scope="session")
def aggregator_cert(issue) -> ClientCertificate:
    return issue("aggregator", aggregator=True)


@pytest.fixture(scope="session")
def stranger_cert(issue) -> ClientCertificate:
    return issue("stranger")


@pytest.fixture(scope="session")
def expired_cert(issue) -> ClientCertificate:
    return issue("expired", expired=True)


@pytest.fixture(scope="session")
def foreign_cert(tmp_path_factory) -> ClientCertificate:
    """A well-formed client certificate from a CA the server does not trust."""
    directory = tmp_path_factory.mktemp("foreign-pki")
    ensure_server_pki(directory=directory, server_names=["localhost"])
    return issue_client_certificate(directory=directory, name="foreign")


@pytest.fixture
def approve(transactional_db) -> Callable[..., Authorization]:
    """Approve a certificate's LFDI as a handbook administrator would, with its EndDevice registered."""

    def approve(certificate: ClientCertificate, *, role: str = Role.DIRECT) -> Authorization:
        EndDevice.objects.create(lfdi=certificate.lfdi, role=role)
        return Authorization.objects.create(
            lfdi=certificate.lfdi, role=role, status=Authorization.Status.APPROVED
        )

    return approve


@pytest.fixture
def connect(server_pki) -> Iterator[Callable[..., CsipClient]]:
    """Open keep-alive 2030.5 client connections holding a certificate; closed after the test."""
    opened: list[CsipClient] = []

    def connect(port: int, certificate: ClientCertificate, **context_options) -> CsipClient:
        client = CsipClient(port, client_context(server_pki, certificate, **context_options))
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


# --- Server processes ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(django_db_setup) -> str:
    """The test database, as a DATABASE_URL a server process can open."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or ''}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def run_dir() -> Iterator[Path]:
    """Short paths for unix sockets (108 bytes at most), reachable by nginx's unprivileged workers."""
    path = Path(tempfile.mkdtemp(prefix="derms-tls-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def server_environment(database_url, pki_dir, server_pki, tmp_path_factory) -> Callable[..., dict[str, str]]:
    var_dir = tmp_path_factory.mktemp("var")

    def environment(**overrides: str) -> dict[str, str]:
        defaults = {
            "DJANGO_SETTINGS_MODULE": "tests.tls.settings",
            "DATABASE_URL": database_url,
            "DERMS_VAR_DIR": str(var_dir),
            # The same key as the test, so sessions it creates are valid in the servers.
            "DERMS_SECRET_KEY": settings.SECRET_KEY,
            "CSIP_PKI_DIR": str(pki_dir),
            # Test receivers of notifications listen on loopback; production refuses such addresses.
            "DERMS_NOTIFY_PRIVATE_ADDRESSES": "true",
            "DERMS_NOTIFY_TIMEOUT": "2",
            "DERMS_NOTIFY_COALESCE_SECONDS": "1",
            # Bodies are checked against the schema whenever it is there, as in production.
            "CSIP_SCHEMA_PATH": settings.CSIP_SCHEMA_PATH,
        }
        return base_environment(**{**defaults, **overrides})

    return environment


@pytest.fixture(scope="session")
def start_server(tmp_path_factory) -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []
    logs = tmp_path_factory.mktemp("logs")

    def start(name: str, command, env, **where) -> ServerProcess:
        server = ServerProcess(name=name, command=command, env=env, log_path=logs / f"{name}.log", **where)
        started.append(server)
        return server.start()

    yield start
    for server in reversed(started):
        server.stop()


def _gunicorn_embedded(start_server, server_environment, name: str, status: str) -> ServerProcess:
    sock = listening_socket()
    env = server_environment(CSIP_TLS_MODE="embedded", CSIP_UNAUTHORIZED_STATUS=status)
    command = gunicorn_command(f"fd://{sock.fileno()}")
    try:
        return start_server(
            name, command, env, port=sock.getsockname()[1], pass_fds=[sock.fileno()], ready_marker="Booting"
        )
    finally:
        sock.close()


@pytest.fixture(scope="session")
def embedded_api(start_server, server_environment) -> ServerProcess:
    """gunicorn terminating mutual TLS itself, refusing unknown clients with 404 (the default)."""
    return _gunicorn_embedded(start_server, server_environment, "gunicorn-embedded-404", "404")


@pytest.fixture(scope="session")
def embedded_api_403(start_server, server_environment) -> ServerProcess:
    return _gunicorn_embedded(start_server, server_environment, "gunicorn-embedded-403", "403")


@pytest.fixture(scope="session")
def proxied_api(start_server, server_environment, run_dir) -> ServerProcess:
    """gunicorn in proxy mode on a unix socket for nginx, and on TCP where no proxy is trusted."""
    sock = listening_socket()
    unix_socket = run_dir / "csip.sock"
    unix_sock = listening_socket(unix_socket)
    env = server_environment(
        CSIP_TLS_MODE="proxy",
        CSIP_TRUSTED_PROXIES="unix",
        # The limit this run is configured with, which the shipped nginx must admit.
        CSIP_MAX_BODY_BYTES=str(settings.CSIP_MAX_BODY_BYTES),
    )
    command = gunicorn_command(f"fd://{unix_sock.fileno()}", f"fd://{sock.fileno()}")
    try:
        return start_server(
            "gunicorn-proxied",
            command,
            env,
            port=sock.getsockname()[1],
            unix_socket=unix_socket,
            pass_fds=[sock.fileno(), unix_sock.fileno()],
            ready_marker="Booting",
        )
    finally:
        sock.close()
        unix_sock.close()


@pytest.fixture(scope="session")
def portal(start_server, server_environment) -> ServerProcess:
    """daphne serving the portal and websockets on plain HTTP, as ``manage.py serve`` runs it."""
    sock = listening_socket()
    env = server_environment(CSIP_TLS_MODE="embedded")
    command = python_command("-m", "daphne", "--fd", str(sock.fileno()), "derms.asgi:application")
    try:
        return start_server(
            "daphne",
            command,
            env,
            port=sock.getsockname()[1],
            pass_fds=[sock.fileno()],
            ready_marker="Listening on",
        )
    finally:
        sock.close()


@pytest.fixture(scope="session")
def proxied_portal(start_server, server_environment, run_dir) -> ServerProcess:
    unix_socket = run_dir / "portal.sock"
    env = server_environment(CSIP_TLS_MODE="proxy", CSIP_TRUSTED_PROXIES="unix")
    command = python_command("-m", "daphne", "-u", str(unix_socket), "derms.asgi:application")
    return start_server("daphne-proxied", command, env, unix_socket=unix_socket)


@dataclass(frozen=True)
class Nginx:
    api_port: int  # 2030.5 over mutual TLS, to gunicorn
    portal_port: int  # the portal and websockets over TLS, to daphne


@pytest.fixture(scope="session")
def nginx(start_server, proxied_api, proxied_portal, server_pki, run_dir) -> Nginx:
    """Debian's nginx running the shipped deploy/nginx/derms.conf, moved onto test ports and paths."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(binary):
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    api_port, portal_port = free_port(), free_port()
    config = render_nginx_conf(
        SHIPPED_NGINX_CONF.read_text(),
        {
            "listen 8443 ssl;": f"listen 127.0.0.1:{api_port} ssl;",
            "listen 443 ssl;": f"listen 127.0.0.1:{portal_port} ssl;",
            "unix:/run/derms/csip.sock": f"unix:{proxied_api.unix_socket}",
            "unix:/run/derms/portal.sock": f"unix:{proxied_portal.unix_socket}",
            "/etc/derms/tls/ca.pem": str(server_pki.ca_cert),
            "/etc/derms/tls/server-ecdsa.pem": str(server_pki.ecdsa_cert),
            "/etc/derms/tls/server-ecdsa.key": str(server_pki.ecdsa_key),
            "/etc/derms/tls/server-rsa.pem": str(server_pki.rsa_cert),
            "/etc/derms/tls/server-rsa.key": str(server_pki.rsa_key),
            "/etc/derms/tls/portal.pem": str(server_pki.ecdsa_cert),
            "/etc/derms/tls/portal.key": str(server_pki.ecdsa_key),
        },
    )
    prefix = run_dir / "nginx"
    prefix.mkdir()
    (prefix / "derms.conf").write_text(config)
    (prefix / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log stderr notice;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/derms.conf;
}}
"""
    )
    command = [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"]
    start_server("nginx", command, base_environment(), port=api_port)
    return Nginx(api_port=api_port, portal_port=portal_port)


def render_nginx_conf(shipped: str, replacements: dict[str, str]) -> str:
    """The shipped configuration with its ports and paths replaced; each must be found, or the test
    would silently run a configuration other than the one shipped."""
    for old, new in replacements.items():
        if old not in shipped:
            raise AssertionError(f"{old!r} is no longer in {SHIPPED_NGINX_CONF}; update the test")
        shipped = shipped.replace(old, new)
    leftover = re.findall(r"/etc/derms/\S+|/run/derms/\S+", shipped)
    assert not leftover, f"unmapped paths in the shipped nginx config: {leftover}"
    return shipped
