"""derms's URLs plus ``whoami``, which tells a test who the server took the client for. Test-only.

``whoami`` is on both listeners' URLs, so a test can ask either what it believed."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import path

from csip_api.identity import identify
from derms.urls import urlpatterns as derms_urlpatterns


def whoami(request):
    client = identify(request)
    if not client.is_authorized:
        return HttpResponse(status=settings.CSIP_UNAUTHORIZED_STATUS)
    return JsonResponse({"lfdi": client.lfdi, "kind": client.kind.value})


urlpatterns = [*derms_urlpatterns, path("whoami", whoami)]
