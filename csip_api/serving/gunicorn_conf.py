"""gunicorn settings for the 2030.5 API: ``gunicorn -c python:csip_api.serving.gunicorn_conf``.

The gthread worker serves Django over WSGI (CSIP-NOTES "Serving": far cheaper per request than ASGI).
With ``CSIP_TLS_MODE=embedded`` gunicorn terminates mutual TLS itself with the context of
:mod:`csip_api.serving.tls` and hands the TLS socket to the application in ``environ["gunicorn.socket"]``,
where :mod:`csip_api.identity` reads the verified client certificate. With ``proxy`` it speaks plain HTTP
on a unix socket behind nginx. Command-line options (``--bind``, ``--workers``) override these values.

Connections spread over all workers. Workers accepting from one shared socket let whichever is awake
take what arrives, and keep-alive pins a connection to the worker that took it: in 2 of 9 runs of
issue #14 one worker held every connection while the other core idled. So on TCP binds each worker
listens on a socket of its own in one ``SO_REUSEPORT`` group (gunicorn's ``reuse_port``: the master binds
nothing, every worker binds when it is forked, again after a restart or a HUP reload), and the kernel
deals each new connection to one of them by its addresses. Linux lets only sockets of the same user
join a group, so another local account cannot bind the port and take connections. A worker that exits
closes its socket with whatever connections wait in its accept queue; with ``net.ipv4.tcp_migrate_req=1``
(Linux 5.14 and later) the kernel hands those to a sibling instead of resetting them.

Unix-socket and inherited (``fd://``, systemd) binds stay one socket shared by the workers: the kernel
does not balance ``SO_REUSEPORT`` on unix sockets, and a worker binding the path again would unlink its
sibling's socket. Behind nginx that is enough: nginx retires an upstream keep-alive connection after
``keepalive_requests`` (1000) requests, so connections are dealt again continually, each to a worker
that is free to accept it. Serving proxy mode on loopback TCP instead (``--bind 127.0.0.1:PORT`` with
``CSIP_TRUSTED_PROXIES=127.0.0.1``, as ``bench/poll.py`` does) balances like any TCP bind, but trusts
X-Forwarded-Client-Cert from every local account: only on a host where nothing else runs.

A binary upgrade (USR2) hands the master's listeners to a new master; with per-worker sockets there are
none, and gunicorn 27's new master exits at once (the old one keeps serving): reload with HUP instead.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")

from django.conf import settings

from csip_api.serving.tls import configured_server_context

wsgi_app = "derms.wsgi:application"
worker_class = "gthread"
workers = settings.CSIP_API_WORKERS
threads = settings.CSIP_API_THREADS
# 2030.5 clients poll; keeping their connection a little longer spares them a full mTLS handshake.
keepalive = 15
# gunicorn's control socket defaults to one path per user, which two instances on a host would share.
control_socket_disable = True

if settings.CSIP_TLS_MODE == "embedded":
    bind = [f"{settings.CSIP_HTTPS_HOST}:{settings.CSIP_HTTPS_PORT}"]
    # Setting certfile and keyfile is what turns TLS on in gunicorn; the context itself comes from below.
    certfile = str(settings.CSIP_TLS_ECDSA_CERT)
    keyfile = str(settings.CSIP_TLS_ECDSA_KEY)

    def ssl_context(config, default_ssl_context_factory):
        return configured_server_context()

else:
    bind = ["unix:/run/derms/csip.sock"]


def _one_socket_per_worker(server) -> None:
    """Per-worker SO_REUSEPORT sockets exactly when every bind is a TCP address (see above)."""
    inherited = "LISTEN_FDS" in os.environ or "GUNICORN_FD" in os.environ
    tcp = all(isinstance(address, tuple) for address in server.cfg.address)
    server.cfg.set("reuse_port", tcp and not inherited)
    if server.cfg.reuse_port:
        # The master's "Listening at" names no socket now: say where the workers listen.
        binds = ", ".join(f"{host}:{port}" for host, port in server.cfg.address)
        server.log.info("Each worker listens on its own SO_REUSEPORT socket at %s", binds)
    if server.cfg.reuse_port and server.LISTENERS:
        # A reload that changed the binds opened them in the master: the workers bind their own.
        for listener in server.LISTENERS:
            listener.close()
        server.LISTENERS = []


def on_starting(server):
    _one_socket_per_worker(server)


def on_reload(server):
    _one_socket_per_worker(server)


def worker_exit(server, worker):
    if worker.pid != os.getpid():
        return  # gunicorn also calls this in the master, for a worker that died unseen
    # The live views' last changes from this worker (live.publish), before its timer thread dies with it.
    from live import publish

    publish.flush_pending()
