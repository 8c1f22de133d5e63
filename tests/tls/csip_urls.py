"""The 2030.5 listener's URLs plus ``whoami`` (tests/tls/urls.py). Test-only."""

from django.urls import path

from csip_api.urls import handler404
from csip_api.urls import urlpatterns as csip_urlpatterns
from tests.tls.urls import whoami

urlpatterns = [*csip_urlpatterns, path("whoami", whoami)]
__all__ = ["handler404", "urlpatterns"]
