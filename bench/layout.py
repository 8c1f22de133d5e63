"""derms's production layout for wrk-driven benchmarks, and what its processes cost.

:func:`serve` starts gunicorn exactly as deployed (``csip_api.serving.gunicorn_conf``) on a loopback TCP
port, in proxy mode (clients send X-Forwarded-Client-Cert, as nginx forwards it) or embedded mode
(gunicorn terminates mutual TLS). wrk cannot present a client certificate, so in embedded mode a
client-side nginx turns wrk's plain HTTP into mutual TLS with each client's certificate: one location
and one keep-alive upstream per certificate, so no connection carries another client's identity.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.tls.servers import ServerProcess, base_environment, free_port, only, python_command, worker_pids

LUA = Path(__file__).with_name("poll.lua")
BOOT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Identity:
    """A 2030.5 client of the benchmark: its certificate, as a header and as files for nginx."""

    prefix: str  # its nginx location in embedded mode, e.g. "/c7"
    header: str  # its certificate as X-Forwarded-Client-Cert
    cert: Path
    key: Path
    aggregator: bool = False


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def busy_ticks() -> int:
    """CPU time the whole machine spent on anything but idling, in clock ticks (/proc/stat)."""
    # user nice system idle iowait irq softirq steal: all but idle and iowait.
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(ticks) - ticks[3] - ticks[4]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def database_backends() -> list[int]:
    """The PostgreSQL backends of the benchmark's database, but this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class Snapshot:
    workers: dict[int, int]
    backends: dict[int, int]
    client_side: int  # the client-side nginx's processes
    machine: int


@dataclass(frozen=True)
class Server:
    url: str
    master: int
    note: str
    nginx: int | None = None  # the client-side nginx's master, in embedded mode

    def workers(self) -> list[int]:
        return worker_pids(self.master)

    def snapshot(self) -> Snapshot:
        nginx = [self.nginx, *worker_pids(self.nginx)] if self.nginx else []
        return Snapshot(
            workers={pid: cpu_ticks(pid) for pid in self.workers()},
            backends={pid: cpu_ticks(pid) for pid in database_backends()},
            client_side=sum(cpu_ticks(pid) for pid in nginx),
            machine=busy_ticks(),
        )


def _environment(mode: str, *, pki_dir: Path, var_dir: Path, workers: int, threads: int) -> dict[str, str]:
    env = base_environment(
        DJANGO_SETTINGS_MODULE="derms.settings",
        DATABASE_URL=os.environ["DATABASE_URL"],
        DERMS_VAR_DIR=str(var_dir),
        DERMS_LOG_LEVEL="WARNING",
        CSIP_TLS_MODE=mode,
        CSIP_PKI_DIR=str(pki_dir),
        CSIP_API_WORKERS=str(workers),
        CSIP_API_THREADS=str(threads),
    )
    if mode == "proxy":
        env["CSIP_TRUSTED_PROXIES"] = "127.0.0.1"
    if os.environ.get("CSIP_SCHEMA_PATH"):
        # Bodies are checked against sep.xsd as in production, where the schema is configured.
        env["CSIP_SCHEMA_PATH"] = os.environ["CSIP_SCHEMA_PATH"]
    return env


@contextmanager
def serve(
    mode: str, *, clients: Sequence[Identity], pki_dir: Path, work: Path, workers: int, threads: int
) -> Iterator[Server]:
    """gunicorn as production runs it, and in embedded mode the client-side nginx for ``clients``."""
    port = free_port()
    gunicorn = ServerProcess(
        name=f"gunicorn-{mode}",
        command=python_command(
            *("-m", "gunicorn", "-c", "python:csip_api.serving.gunicorn_conf"),
            *("--bind", f"127.0.0.1:{port}"),
        ),
        env=_environment(mode, pki_dir=pki_dir, var_dir=work / "var", workers=workers, threads=threads),
        log_path=work / f"gunicorn-{mode}.log",
        port=port,
    )
    started = [gunicorn.start()]
    try:
        _wait_for_workers(gunicorn, workers)
        if mode == "proxy":
            yield Server(f"http://127.0.0.1:{port}", gunicorn.process.pid, "wrk -> gunicorn (XFCC header)")
        else:
            nginx_port = free_port()
            nginx = _client_nginx(clients, pki_dir, work, upstream=port, port=nginx_port)
            started.append(nginx)
            note = (
                "wrk -> client-side nginx (1 worker, same cores) -> mutual TLS 1.2 (CCM8 for DERs, "
                f"AES256-SHA256 for the aggregator), keep-alive -> gunicorn; {len(clients)} certificates"
            )
            yield Server(f"http://127.0.0.1:{nginx_port}", gunicorn.process.pid, note, nginx.process.pid)
    finally:
        for process in reversed(started):
            process.stop()


def _wait_for_workers(gunicorn: ServerProcess, workers: int) -> None:
    """Until every worker has booted: connections opened earlier would all land on the first."""
    import time

    deadline = time.monotonic() + BOOT_TIMEOUT
    while gunicorn.log().count("Booting worker") < workers:
        if time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not boot its workers:\n{gunicorn.log()}")
        time.sleep(0.1)


def _client_nginx(clients: Sequence[Identity], pki_dir: Path, work: Path, *, upstream: int, port: int):
    """nginx as the CSIP client side: plain HTTP in, mutual TLS with the client's certificate out."""
    from csip_api.pki import ServerPKI

    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix = work / "nginx"
    prefix.mkdir(exist_ok=True)
    # A DER keeps a connection or two; an aggregator's back end a pool as large as its concurrency. With
    # only 4 idle connections kept, nginx handshook most of wrk's 50 concurrent aggregator requests anew.
    upstreams = "".join(
        f"upstream client{i} {{ server 127.0.0.1:{upstream}; keepalive {64 if who.aggregator else 4}; }}\n"
        for i, who in enumerate(clients)
    )
    # CSIP 5.2.1: DERs use ECDHE-ECDSA-AES128-CCM8, aggregators AES256-SHA256.
    locations = "".join(
        f"""location {who.prefix}/ {{
            proxy_pass https://client{i}/;
            proxy_ssl_ciphers {only("AES256-SHA256" if who.aggregator else "ECDHE-ECDSA-AES128-CCM8")};
            proxy_ssl_certificate {who.cert};
            proxy_ssl_certificate_key {who.key};
        }}
"""
        for i, who in enumerate(clients)
    )
    (prefix / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    {upstreams}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host localhost;
        proxy_ssl_protocols TLSv1.2;
        proxy_ssl_session_reuse on;
        proxy_ssl_verify on;
        proxy_ssl_trusted_certificate {ServerPKI.in_directory(pki_dir).ca_cert};
        proxy_ssl_name localhost;
        {locations}
    }}
}}
"""
    )
    command = [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"]
    log = work / "nginx.log"
    return ServerProcess(
        name="nginx", command=command, env=base_environment(), log_path=log, port=port
    ).start()


@dataclass(frozen=True)
class Result:
    rate: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    errors: int
    requests: int


def run_wrk(
    url: str,
    requests_file: Path,
    *,
    seconds: int,
    connections: int,
    script: Path = LUA,
    args: Sequence[str] = (),
    once: bool = False,
) -> Result:
    """One wrk thread with keep-alive ``connections`` rotating over the requests in ``requests_file``
    (``script`` may take further ``args``, and must print poll.lua's RESULT line). ``once``: stop when
    every request in the file was answered (poll.lua prints PASSED), or after ``seconds`` at most."""
    command = [
        *("wrk", "-t1", f"-c{connections}", f"-d{max(1, seconds)}s", "--timeout", "10s", "--latency"),
        *("-s", str(script), url, "--", str(requests_file), *args, *(["once"] if once else [])),
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as run:
        output = []
        for line in run.stdout:
            output.append(line)
            if once and line.startswith("PASSED"):
                # wrk's own clock runs to -d; SIGINT ends the run and has it print its summary.
                run.send_signal(signal.SIGINT)
        stderr = run.stderr.read()
    match = re.search(r"RESULT (.*)", "".join(output))
    if run.returncode or match is None:
        raise SystemExit(f"wrk failed:\n{''.join(output)}\n{stderr}")
    values = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    return Result(
        rate=values["requests"] / (values["duration_us"] / 1e6),
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        non2xx=values["non2xx"],
        errors=values["errors"],
        requests=values["requests"],
    )
