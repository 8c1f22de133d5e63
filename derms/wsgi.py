"""WSGI entry point: the 2030.5 listener, serving the 2030.5 API only (faster than ASGI here, see
CSIP-NOTES "Serving")."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")

from django.conf import settings

from derms.listeners import csip_wsgi

# This process serves 2030.5 clients only: none of the portal's middleware (sessions, CSRF, messages,
# static files, security headers for browsers) has anything to do on their requests, and together they
# cost more than a cached 2030.5 read itself.
settings.MIDDLEWARE = settings.CSIP_MIDDLEWARE
# gunicorn's threads live as long as their worker: each keeps its own PostgreSQL connection rather than
# checking one out of the pool on every request (the pool is for daphne, which does not reuse them).
_database = settings.DATABASES["default"]
if _database["OPTIONS"].pop("pool", None) is not None:
    _database["CONN_MAX_AGE"] = None
django_application = get_wsgi_application()  # sets Django up: the 2030.5 modules import models

from csip_api.front import front_door  # noqa: E402
from csip_api.xml.schema import load_schema  # noqa: E402

# Remembered documents and posted readings are answered before Django builds a request (csip_api.front).
application = csip_wsgi(front_door(django_application))

if settings.CSIP_VALIDATE_BODIES:
    # Compiled once per worker process before it serves, not on some client's first request.
    load_schema()
