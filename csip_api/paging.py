"""List paging as 2030.5 defines it: ``s`` (start), ``a`` (after), ``l`` (limit); ``all`` and ``results``.

An absent ``l`` means one entry (the standard's default); larger requests are cut to CSIP_MAX_PAGE_SIZE.
``a`` is a time in Unix epoch seconds: lists that keep a change time return only entries changed at or
after it. Each list's query carries its own deterministic order, so pages are stable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet

from csip_api.xml import XMLBodyError

T = TypeVar("T")
_MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z, the last second datetime can hold
_MAX_DIGITS = 18  # below 2**63, so a start always fits the database's OFFSET


class QueryError(XMLBodyError):
    """A malformed s, a or l: the client's fault, answered with 400."""


@dataclass(frozen=True)
class PageRequest:
    start: int = 0
    limit: int = 1
    after: dt.datetime | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    all: int

    @property
    def results(self) -> int:
        return len(self.items)


def _non_negative(query, name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    # isdigit() alone accepts Unicode digits such as "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > _MAX_DIGITS:
        raise QueryError(f"{name} must be a non-negative integer.")
    return int(raw)


def page_request(query) -> PageRequest:
    """Read s, a and l from a request's query parameters."""
    start = _non_negative(query, "s", 0)
    limit = min(_non_negative(query, "l", 1), settings.CSIP_MAX_PAGE_SIZE)
    after = None
    if "a" in query:
        seconds = _non_negative(query, "a", 0)
        if seconds > _MAX_EPOCH:
            raise QueryError("a is past the last representable time.")
        after = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return PageRequest(start=start, limit=limit, after=after)


def paginate(queryset: QuerySet, request: PageRequest) -> Page:
    """One page of an ordered queryset and the size of the whole list (two queries)."""
    total = queryset.count()
    if request.limit == 0 or request.start >= total:
        return Page(items=[], all=total)
    return Page(items=list(queryset[request.start : request.start + request.limit]), all=total)


def paginate_sequence(entries: list[T], request: PageRequest) -> Page[T]:
    """One page of a list already built in memory (e.g. the FSAs derived from a device's groups)."""
    if request.limit == 0:
        return Page(items=[], all=len(entries))
    return Page(items=entries[request.start : request.start + request.limit], all=len(entries))
