"""Reading a 2030.5 resource in-process, exactly as a client would GET it over HTTPS.

Subscriptions need this twice: to check that a client may read what it subscribes to, and to put the
resource in each notification as that subscriber sees it then. Going through the resource's own view
keeps one scope, one renderer and one paging rule for both.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, get_script_prefix, resolve

from csip_api.identity import Client


def resolve_path(path: str):
    """The csip_api route of ``path`` (an href this server serves), or None."""
    prefix = get_script_prefix()
    if not path.startswith(prefix):
        return None
    try:
        return resolve("/" + path[len(prefix) :], urlconf="csip_api.urls")
    except Resolver404:
        return None


def read_as(client: Client, path: str, *, limit: int | None = None) -> HttpResponse:
    """What ``GET path?l=limit`` answers ``client`` now: 404 for a path the server does not serve."""
    match = resolve_path(path)
    if match is None:
        return HttpResponse(status=404)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    if limit is not None:
        request.GET = QueryDict(f"l={limit}")
    view = match.func.view_class(**match.func.view_initkwargs)
    view.setup(request, **match.kwargs)
    return view.respond(client, request, **match.kwargs)
