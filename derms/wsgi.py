"""WSGI entry point: serves the 2030.5 API (faster than ASGI here, see CSIP-NOTES "Serving")."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")

application = get_wsgi_application()
