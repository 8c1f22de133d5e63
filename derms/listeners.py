"""Which listener a request came in on, and the URLs each one serves.

The 2030.5 listener (gunicorn, ``derms.wsgi``) serves only the 2030.5 resources (``CSIP_URLCONF``); the
portal listener (daphne, ``derms.asgi``) only the portal, its API and the Django admin
(``PORTAL_URLCONF``), and no client certificate is ever believed there. Each entry point marks its
requests; :class:`ListenerURLConf` routes them. A request through neither (Django's in-process test
client) gets ``ROOT_URLCONF``, which holds both.
"""

from __future__ import annotations

from django.conf import settings

KEY = "derms.listener"
CSIP = "csip"
PORTAL = "portal"


def csip_wsgi(application):
    """Mark every request of the WSGI ``application`` as the 2030.5 listener's."""

    def marked(environ, start_response):
        environ[KEY] = CSIP
        return application(environ, start_response)

    return marked


def portal_asgi(application):
    """Mark every connection of the ASGI ``application`` as the portal listener's."""

    async def marked(scope, receive, send):
        return await application({**scope, KEY: PORTAL}, receive, send)

    return marked


def listener_of(request) -> str | None:
    """``CSIP``, ``PORTAL``, or None for a request that came through neither."""
    scope = getattr(request, "scope", None)
    if scope is not None:
        return scope.get(KEY)
    return request.META.get(KEY)


class ListenerURLConf:
    """Serve each listener's own URLs only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        listener = listener_of(request)
        if listener == CSIP:
            request.urlconf = settings.CSIP_URLCONF
        elif listener == PORTAL:
            request.urlconf = settings.PORTAL_URLCONF
        return self.get_response(request)
