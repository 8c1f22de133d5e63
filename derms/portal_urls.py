"""The portal listener's URLs: the portal, its API, imports, notifications, live status, the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api-tokens/", include("api.portal_urls")),
    path("imports/", include("imports.urls")),
    path("", include("derms.portal.urls")),
    path("notifications/", include("notifications.urls")),
    path("live/", include("live.urls")),
]
