"""Requests through the 2030.5 listener's whole WSGI stack, its front door first, as gunicorn makes them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory, override_settings

from csip_api.front import front_door
from derms.listeners import csip_wsgi


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    #: Whether the front door answered (a list), not Django (an HttpResponse).
    by_front: bool


class Listener:
    """The 2030.5 listener's WSGI stack as gunicorn calls it (derms.wsgi): its front door
    (csip_api.front), then Django."""

    def __init__(self):
        # With the listener's own middleware, as derms.wsgi configures it.
        with override_settings(MIDDLEWARE=settings.CSIP_MIDDLEWARE):
            self._application = csip_wsgi(front_door(WSGIHandler()))
        self._factory = RequestFactory()

    def request(self, method: str, url: str, **extra) -> Answer:
        environ = self._factory.generic(method, url, **extra).environ
        started: dict = {}

        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = int(status.split()[0]), dict(headers)

        # As Django's test client does: closing "old" connections would close the test's transaction.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = self._application(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return Answer(started["status"], started["headers"], body, by_front=isinstance(result, list))


LISTENER = Listener()
