"""Readings posted to a mirror, stored before Django builds a request.

A post of MirrorMeterReadings to a MirrorUsagePoint is the most frequent write a 2030.5 server takes
(CSIP 5.2.5.1: every DER's readings, every few minutes, most of them through aggregators). Django's own
work around it (the request object, its signals, the middleware, URL resolution, the copy of the
remembered client) costs about a third of the post's CPU (bench/ingest.py, in process). This WSGI
wrapper of the 2030.5 listener stores the usual post (a declared-length sep+xml body within
CSIP_MAX_BODY_BYTES, to a MirrorUsagePoint's path, from a client remembered and unchanged) with the
view's own function (:func:`csip_api.views.reported.post_to_mirror_usage_point`) and answers with its
response.

Everything else goes to Django as it came, and so does every post the function refuses (a body the
schema refuses, a mirror out of the client's reach, a dropped database connection), with the body as
received: since the function stores all or nothing, Django finds nothing of it written, and answers the
client as for any request, with the same errors and the same logging.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.handlers.wsgi import get_script_name
from django.db import DatabaseError, connection
from django.http import Http404
from django.urls import set_script_prefix

from csip_api import identity
from csip_api.front.routes import route
from csip_api.http import MEDIA_TYPE
from csip_api.views.reported import MirrorUsagePointView, post_to_mirror_usage_point
from csip_api.xml.parse import XMLBodyError, parse_document
from derms.models import EndDevice

#: What makes the function refuse a post, having stored nothing; anything else is a fault of the server
#: (gunicorn answers 500 and logs it).
_REFUSALS = (XMLBodyError, ObjectDoesNotExist, Http404, ValidationError, PermissionDenied)
_ROOTS = MirrorUsagePointView.accepts["POST"]


class PostedReadings:
    """WSGI middleware of the 2030.5 listener: posts of readings stored here, Django for the rest."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            return self.application(environ, start_response)
        target = _target(environ)
        if target is None:
            return self.application(environ, start_response)
        client, mup, length = target
        data = environ["wsgi.input"].read(length)
        # The Location answered is built on the prefix Django sets for each of its requests.
        set_script_prefix(get_script_name(environ))
        try:
            response = post_to_mirror_usage_point(client, mup, parse_document(data, root=_ROOTS))
        except _REFUSALS:
            return self._django(environ, start_response, data)
        except DatabaseError:
            # A dropped connection (a database restarted, an idle connection cut): Django reconnects
            # and stores the post. An error the database answered (a lock timeout) is not asked twice.
            if connection.connection is not None and connection.is_usable():
                raise
            return self._django(environ, start_response, data)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]

    def _django(self, environ, start_response, data: bytes):
        environ["wsgi.input"] = io.BytesIO(data)
        return self.application(environ, start_response)


def _target(environ) -> tuple[EndDevice, int, int] | None:
    """The client's EndDevice, the MirrorUsagePoint id and the body's length of a post the front door
    takes, read from the request's headers alone; else None."""
    path = environ.get("PATH_INFO", "")
    if not path.isascii():
        return None
    found = route(path)
    if found is None or found[0] is not MirrorUsagePointView:
        return None
    declared = environ.get("CONTENT_LENGTH") or ""
    if not declared.isdigit() or int(declared) > settings.CSIP_MAX_BODY_BYTES:
        return None
    if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != MEDIA_TYPE:
        return None
    lfdi = identity.environ_lfdi(environ)
    try:
        known = None if lfdi is None else identity.unchanged(lfdi)
    except DatabaseError:
        return None
    if known is None or not known.client.is_authorized:
        return None
    # The remembered EndDevice itself, not a copy: the function reads its id and role, and changes nothing.
    end_device = known.client.end_device
    if end_device is None:
        return None
    return end_device, dict(found[1])["mup"], int(declared)
