"""gunicorn settings for the 2030.5 API: ``gunicorn -c python:csip_api.serving.gunicorn_conf``.

The gthread worker serves Django over WSGI (CSIP-NOTES "Serving": far cheaper per request than ASGI).
With ``CSIP_TLS_MODE=embedded`` gunicorn terminates mutual TLS itself with the context of
:mod:`csip_api.serving.tls` and hands the TLS socket to the application in ``environ["gunicorn.socket"]``,
where :mod:`csip_api.identity` reads the verified client certificate. With ``proxy`` it speaks plain HTTP
on a unix socket behind nginx. Command-line options (``--bind``, ``--workers``) override these values.
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
