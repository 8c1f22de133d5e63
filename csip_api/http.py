"""HTTP for the 2030.5 API: the base view every resource uses, and its responses.

The base view identifies the client once (:mod:`csip_api.identity`), refuses unauthorized
clients with CSIP_UNAUTHORIZED_STATUS, answers methods a resource does not take with 405 and ``Allow``,
serves HEAD from GET, and hands handlers a :class:`~csip_api.scope.Scope`. A PUT or POST body is checked
before any rule of the server runs: a media type other than application/sep+xml gets 415, a body that is
not a well-formed, schema-valid document of the resource's type 400 (413 when too large), so a handler
only ever sees a valid ``self.body``. Every refusal carries a 2030.5 ``Error`` document and every
response ``Content-Length`` (some clients fail on chunked responses).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

from csip_api import identity
from csip_api.cache import documents
from csip_api.cache.documents import Audience, Entry, Sources
from csip_api.identity import UNAUTHORIZED, Client, KnownClient
from csip_api.paging import PageRequest, QueryError, page_request
from csip_api.render.errors import Reason, error
from csip_api.scope import Scope
from csip_api.xml import BodyTooLarge, XMLBodyError, body_stream, check_declared_length, parse_body, serialize
from csip_api.xml.parse import Body
from derms import changefeed

MEDIA_TYPE = "application/sep+xml"


class Forbidden(XMLBodyError):
    """Understood, and refused by the server's policy (e.g. out-of-band registration, CSIP 6.1.3)."""

    status = 403


class UnsupportedMediaType(XMLBodyError):
    status = 415


_HANDLED = ("get", "put", "post", "delete")
#: How much of a refused oversized body is read and dropped, so that a client still sending it gets its
#: 413 rather than a reset connection (gunicorn drains only 64 KiB itself before closing). Beyond this the
#: connection closes: a larger body costs the server no more than this to refuse.
OVERSIZED_BODY_DRAIN_BYTES = 16 * 1024 * 1024


def xml_response(document: etree._Element, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    return body_response(serialize(document), status=status, headers=headers)


def body_response(body: bytes, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=MEDIA_TYPE, headers=headers)
    response["Content-Length"] = str(len(body))
    return response


def empty_response(status: int, *, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(b"", status=status, headers=headers)
    response["Content-Length"] = "0"
    return response


def posted(location: str, *, created: bool) -> HttpResponse:
    """The answer to a POST: 201 when it created ``location``, 200 when it was there already."""
    return empty_response(201 if created else 200, headers={"Location": location})


def refusal(
    status: int, reason: Reason = Reason.INVALID_FORMAT, *, headers: dict | None = None
) -> HttpResponse:
    """An error answer: ``status`` with the 2030.5 Error document saying why."""
    return xml_response(error(reason), status=status, headers=headers)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 2030.5 listener's answer to a path it does not serve."""
    return refusal(404)


def error_response(problem: XMLBodyError, reason: Reason = Reason.INVALID_FORMAT) -> HttpResponse:
    """The refusal of a request the client got wrong; what was wrong goes in a header for whoever debugs
    it, since the Error resource has no room for a message."""
    if isinstance(problem, BodyTooLarge):
        reason = Reason.RESOURCE_LIMIT
    return refusal(problem.status, reason, headers={"X-CSIP-Error": _header_text(str(problem))})


def _header_text(message: str) -> str:
    # Header values are Latin-1 without line breaks; a client's own text may be neither.
    flat = " ".join(message.split())[:300]
    return flat.encode("latin-1", "replace").decode("latin-1")


class Resource(View):
    """Base of every 2030.5 view. Subclasses define ``get``/``put``/``post``/``delete(request, **ids)``
    and read ``self.scope``."""

    scope: Scope
    body: Body
    #: The document types each method takes as its body, e.g. ``{"POST": ("EndDevice",)}``.
    accepts: dict[str, tuple[str, ...]] = {}
    #: Whose a GET's document is, for the document cache (csip_api.cache.documents); None: not cached.
    #: A cached view declares in ``self.sources`` the feed resources it renders from.
    audience: Audience | None = None
    sources: Sources

    @classmethod
    def as_view(cls, **initkwargs):
        # 2030.5 clients authenticate with their TLS certificate; there is no cookie to forge.
        return csrf_exempt(super().as_view(**initkwargs))

    @classmethod
    def allowed_methods(cls) -> list[str]:
        methods = [m.upper() for m in _HANDLED if hasattr(cls, m)]
        if "GET" in methods:
            methods.insert(1, "HEAD")
        return methods

    def body_roots(self, method: str) -> tuple[str, ...]:
        return self.accepts.get(method, ())

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        lfdi = identity.certificate_lfdi(request)
        if lfdi is None:
            return self.respond(UNAUTHORIZED, request, **kwargs)
        if self.audience is not None and request.method in ("GET", "HEAD"):
            return self._serve_document(lfdi, request, kwargs)
        return self.respond(identity.client_for_lfdi(lfdi), request, **kwargs)

    def _serve_document(self, lfdi: str, request: HttpRequest, ids: dict) -> HttpResponse:
        """A GET through the document cache: served as remembered when the feed says neither the client
        nor anything the document was built from changed, else rendered and remembered."""
        try:
            page = page_request(request.GET)
        except QueryError:
            return self.respond(identity.client_for_lfdi(lfdi), request, **ids)
        known = identity.unchanged(lfdi)
        if known is None:
            known = identity.resolve(lfdi)
            if not known.client.is_authorized:
                return self.respond(known.client, request, **ids)
        body = self._current_body(known, page, ids)
        if body is not None:
            return self._cached_response(request, body)
        return self._render_and_remember(known, request, page, ids)

    @classmethod
    def remembered_body(cls, lfdi: str, page: PageRequest, ids: dict) -> bytes | None:
        """The document of a GET as remembered, when it may be served as it is; else None.

        No query within a lease (:mod:`derms.changefeed.lease`) when the client and the document are
        both remembered: what :mod:`csip_api.front.documents` serves before Django builds a request.
        """
        known = identity.remembered(lfdi)
        return None if known is None else cls._current_body(known, page, ids)

    @classmethod
    def _current_body(cls, known: KnownClient, page: PageRequest, ids: dict) -> bytes | None:
        """The remembered document, if the client and everything it was built from are unchanged."""
        entry = cls._remembered(known, page, ids)
        if entry is None:
            return None
        current = changefeed.leased_versions([*known.versions, *entry.resources])
        if (
            known.is_current(current)
            and entry.is_current(current, timezone.now())
            and documents.may_read(known, entry)
        ):
            return entry.body
        return None

    @classmethod
    def _remembered(cls, known: KnownClient, page: PageRequest, ids: dict) -> Entry | None:
        document_key = documents.key(cls._route(), ids, page, cls.audience, known)
        return None if document_key is None else documents.lookup(document_key)

    def _render_and_remember(self, known: KnownClient, request: HttpRequest, page, ids: dict) -> HttpResponse:
        # Rendered in one snapshot with the versions read after it: a change committing meanwhile makes
        # the entry outdated at once instead of filing old content under the new version.
        with changefeed.snapshot() as own:
            response = self.respond(known.for_request(), request, **ids)
            document_key = documents.key(self._route(), ids, page, self.audience, known)
            if own and document_key is not None and request.method == "GET" and response.status_code == 200:
                current = changefeed.versions([*known.versions, *self.sources.resources])
                if known.is_current(current):
                    # A shared document is checked against its own sources only (and the database): who
                    # rendered it is no reason for every other reader to render it again.
                    kept = current if self.audience is Audience.CLIENT else self._shared_versions(current)
                    entry = Entry(
                        body=response.content,
                        versions=tuple(sorted(kept.items())),
                        valid_until=self.sources.valid_until,
                        program_id=ids["derp"] if self.audience is Audience.PROGRAM else None,
                    )
                    documents.remember(document_key, entry)
        return response

    def _shared_versions(self, current: dict) -> dict:
        return {r: v for r, v in current.items() if r in self.sources.resources or r == changefeed.DATABASE}

    def _cached_response(self, request: HttpRequest, body: bytes) -> HttpResponse:
        if request.method == "HEAD":
            response = body_response(b"")
            response["Content-Length"] = str(len(body))
            return response
        return body_response(body)

    @classmethod
    def _route(cls) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"

    def respond(self, client: Client, request: HttpRequest, **kwargs) -> HttpResponse:
        """Answer ``request`` for ``client``: over HTTPS after identification, or in-process when the
        server reads a resource as its subscriber sees it (:mod:`csip_api.reading`)."""
        self.sources = Sources()
        if not client.is_authorized:
            return refusal(settings.CSIP_UNAUTHORIZED_STATUS)
        allowed = self.allowed_methods()
        if request.method not in allowed:
            return refusal(405, headers={"Allow": ", ".join(allowed)})
        self.scope = Scope(client)
        handler = getattr(self, "get" if request.method == "HEAD" else request.method.lower())
        try:
            # Whether or not the handler reads it, an oversized body is refused alike on every resource.
            check_declared_length(request)
            self._read_body(request)
            response = handler(request, **kwargs)
        except (Http404, ObjectDoesNotExist):
            return refusal(404)
        except BodyTooLarge as problem:
            _discard_body(request)
            return error_response(problem)
        except XMLBodyError as problem:
            return error_response(problem)
        except ValidationError as problem:
            # A rule of the domain the body breaks (services own those rules): the client's fault.
            return error_response(XMLBodyError(" ".join(problem.messages)), Reason.INVALID_VALUES)
        except PermissionDenied as problem:
            return error_response(Forbidden(str(problem)))
        if request.method == "HEAD":
            # The headers of the GET, Content-Length included, without its body.
            length = response["Content-Length"]
            response.content = b""
            response["Content-Length"] = length
        return response

    def _read_body(self, request: HttpRequest) -> None:
        """Check the body of a PUT or POST before anything else looks at the request."""
        roots = self.body_roots(request.method)
        if not roots:
            return
        media_type = (request.content_type or "").strip().lower()
        if media_type != MEDIA_TYPE:
            raise UnsupportedMediaType(f"The body must be {MEDIA_TYPE}, not {media_type or 'untyped'}.")
        self.body = parse_body(request, root=roots)


def _discard_body(request: HttpRequest) -> None:
    remaining = OVERSIZED_BODY_DRAIN_BYTES
    stream = body_stream(request)
    try:
        while remaining > 0 and (chunk := stream.read(min(64 * 1024, remaining))):
            remaining -= len(chunk)
    except OSError:
        return  # the client went away or stalled: the server closes the connection anyway
