"""WSGI entry point: the 2030.5 listener, serving the 2030.5 API only (faster than ASGI here, see
CSIP-NOTES "Serving")."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")

from derms.listeners import csip_wsgi

application = csip_wsgi(get_wsgi_application())

from django.conf import settings  # noqa: E402

from csip_api.xml.schema import load_schema  # noqa: E402

if settings.CSIP_VALIDATE_BODIES:
    # Compiled once per worker process before it serves, not on some client's first request.
    load_schema()
