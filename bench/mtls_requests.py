"""Requests per second of the 2030.5 server over CSIP mutual TLS, on loopback.

Starts gunicorn with derms's configuration (embedded TLS, gthread) on a throw-away SQLite database and
development PKI, approves one device certificate, then runs client processes for a bounded time:
keep-alive connections (the polling case) and one full ECDHE-ECDSA handshake per request (the worst case).
Each request goes through the whole identity path (certificate -> LFDI -> authorization -> EndDevice).

    /work/main/.venv/bin/python bench/mtls_requests.py [--seconds 5] [--clients 4] [--path /whoami]

Clients and server share this machine's cores, so the figures are a floor for the server alone.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import platform
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
WARM_UP_SECONDS = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run (bounded)")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--path", default="/whoami", help="URL to request (tests.tls.settings has /whoami)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="derms-bench-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.tls.settings",
            "DERMS_VAR_DIR": tmp,
            "CSIP_PKI_DIR": f"{tmp}/pki",
            "DERMS_LOG_LEVEL": "WARNING",
        }
        env.pop("DATABASE_URL", None)
        os.environ.update(env)
        device, ca = prepare(env)
        port = free_port()
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "-c", "python:csip_api.serving.gunicorn_conf"),
                *(
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                ),
            ],
            cwd=PROJECT_DIR,
            env=env,
        )
        try:
            wait_for_port(port)
            print_machine(args)
            for label, keep_alive in (("keep-alive", True), ("new connection per request", False)):
                count, errors = run_clients(args, port, device, ca, keep_alive=keep_alive)
                rate = count / args.seconds
                print(f"{label:<28} {rate:9.0f} req/s  ({count} requests, {errors} errors, {args.seconds}s)")
        finally:
            server.terminate()
            server.wait(timeout=30)


def prepare(env: dict[str, str]) -> tuple[tuple[str, str], str]:
    """Migrate a fresh database, create the PKI, issue and approve one device certificate."""
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT_DIR, env=env, check=True)
    import django

    django.setup()
    from django.conf import settings

    from csip_api.pki import ensure_server_pki, issue_client_certificate
    from derms.models import Authorization, EndDevice, Role

    pki, _ = ensure_server_pki(directory=settings.CSIP_PKI_DIR, server_names=["localhost", "127.0.0.1"])
    device = issue_client_certificate(directory=settings.CSIP_PKI_DIR, name="bench-device")
    EndDevice.objects.create(lfdi=device.lfdi, role=Role.DIRECT)
    Authorization.objects.create(lfdi=device.lfdi, role=Role.DIRECT, status=Authorization.Status.APPROVED)
    return (str(device.cert), str(device.key)), str(pki.ca_cert)


def run_clients(args, port, device, ca, *, keep_alive: bool) -> tuple[int, int]:
    start_counting = time.monotonic() + WARM_UP_SECONDS
    deadline = start_counting + args.seconds
    work = (port, device, ca, args.path, keep_alive, start_counting, deadline)
    with multiprocessing.Pool(args.clients) as pool:
        results = pool.starmap(client_loop, [work] * args.clients)
    return sum(r[0] for r in results), sum(r[1] for r in results)


def client_loop(port, device, ca, path, keep_alive, start_counting, deadline) -> tuple[int, int]:
    """Request ``path`` until ``deadline``, counting from ``start_counting`` (after the warm-up)."""
    from csip_api.serving.tls import cipher_string

    context = ssl.create_default_context(cafile=ca)
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(cipher_string())
    context.load_cert_chain(*device)
    count = errors = 0
    conn = None
    while (now := time.monotonic()) < deadline:
        if conn is None:
            conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok, conn = False, None
        if now >= start_counting:
            count += ok
            errors += not ok
        if not keep_alive and conn is not None:
            conn.close()
            conn = None
    return count, errors


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def print_machine(args) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine   {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"load      {load} (1, 5, 15 min) before the run: other work on this machine skews the figures")
    print(f"python    {platform.python_implementation()} {platform.python_version()}, {ssl.OPENSSL_VERSION}")
    print(f"server    gunicorn gthread {args.workers}x{args.threads}, TLS 1.2, ECDHE-ECDSA-AES128-CCM8")
    print(f"clients   {args.clients} processes on the same machine, GET {args.path}")


if __name__ == "__main__":
    main()
