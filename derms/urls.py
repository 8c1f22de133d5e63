"""Both listeners' URLs, for requests that come through neither (Django's in-process test client).

Each real listener serves only its own side (derms.listeners): the portal's in derms.portal_urls, the 2030.5
resources, at the server root (/dcap, /edev, /derp/...), in csip_api.urls.
"""

from django.urls import include, path

from derms.portal_urls import urlpatterns as portal_urlpatterns

urlpatterns = [*portal_urlpatterns, path("", include("csip_api.urls"))]
