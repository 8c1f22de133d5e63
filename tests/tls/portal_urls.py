"""The portal listener's URLs plus ``whoami`` (tests/tls/urls.py). Test-only."""

from django.urls import path

from derms.portal_urls import urlpatterns as portal_urlpatterns
from tests.tls.urls import whoami

urlpatterns = [*portal_urlpatterns, path("whoami", whoami)]
