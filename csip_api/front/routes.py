"""The views of the paths the front door answers, resolved once per path."""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import Resolver404, resolve

#: Paths whose resolution is kept per process (a few per client; bounded, not a lifetime).
ROUTES = 65536


@functools.lru_cache(maxsize=ROUTES)
def route(path: str) -> tuple[type, tuple] | None:
    """The view class and ids of ``path`` on the 2030.5 listener, or None: resolving costs more than the
    rest of a remembered GET, and a client polls and posts to the same paths again and again.

    A view configured per route (``as_view(**initkwargs)``) is left to Django: its class alone does not
    say what the route serves.
    """
    try:
        match = resolve(path, urlconf=settings.CSIP_URLCONF)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", None)
    if view is None or match.func.view_initkwargs:
        return None
    return view, tuple(match.kwargs.items())
