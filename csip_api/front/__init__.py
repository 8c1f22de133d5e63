"""The 2030.5 listener's front door: the most frequent requests, answered before Django builds one.

Django's own work around a request (the request object, its signals, URL resolution, the response
object) costs more than a remembered GET itself and about a third of a post of readings. The front door
answers those two (:mod:`.documents`, :mod:`.readings`) with the views' own functions, and hands every
other request to Django as it came.
"""

from __future__ import annotations

from csip_api.front.documents import RememberedDocuments
from csip_api.front.readings import PostedReadings


def front_door(application):
    """The 2030.5 listener's WSGI ``application`` (Django) behind its front door."""
    return RememberedDocuments(PostedReadings(application))
