"""A remembered 2030.5 document served before Django builds a request.

Once a document is remembered and the leased feed answers without a query, most of a cached GET's CPU
is Django's own work: the request object, URL resolution, the request signals, the response object.
This WSGI wrapper of the 2030.5 listener answers a GET whose client and document are both remembered
and unchanged, by the same check the view makes (:meth:`csip_api.http.Resource.remembered_body`), and
hands everything else to Django as it came: other methods, HEAD, paths it does not serve, queries it
refuses, documents not remembered, clients not known, and any database error (Django's handling closes
a broken connection and answers).
"""

from __future__ import annotations

from django.core.exceptions import TooManyFieldsSent
from django.db import DatabaseError
from django.http import QueryDict

from csip_api import identity
from csip_api.front.routes import route
from csip_api.http import MEDIA_TYPE
from csip_api.paging import QueryError, page_request


class RememberedDocuments:
    """WSGI middleware of the 2030.5 listener: remembered documents first, Django for the rest."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            body = _remembered(environ)
            if body is not None:
                start_response("200 OK", [("Content-Type", MEDIA_TYPE), ("Content-Length", str(len(body)))])
                return [body]
        return self.application(environ, start_response)


def _remembered(environ) -> bytes | None:
    path = environ.get("PATH_INFO", "")
    # Django decodes other paths its own way: they are its to resolve.
    if not path.isascii():
        return None
    found = route(path)
    if found is None:
        return None
    view, ids = found
    if getattr(view, "audience", None) is None:
        return None
    lfdi = identity.environ_lfdi(environ)
    if lfdi is None:
        return None
    try:
        page = page_request(QueryDict(environ.get("QUERY_STRING", "")))
    except (QueryError, TooManyFieldsSent):
        # Django refuses these too, with its own answer (400 for too many fields).
        return None
    try:
        return view.remembered_body(lfdi, page, dict(ids))
    except DatabaseError:
        return None
