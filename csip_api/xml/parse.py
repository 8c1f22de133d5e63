"""Read untrusted 2030.5 request bodies.

DTDs, entities and network access are off, any DOCTYPE is refused and the size is capped before parsing,
so a hostile body costs little. Everything a client can get wrong raises :class:`XMLBodyError`, which the
views turn into 400 (413 for :class:`BodyTooLarge`) — never a 500.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from lxml import etree

from .build import NS, qname
from .schema import schema_errors

_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})


class XMLBodyError(Exception):
    """The client sent something we cannot accept; the message says what."""

    status = 400


class BodyTooLarge(XMLBodyError):
    status = 413


def _parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers must not be shared between threads that parse at once.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
    )


def parse_body(request, *, root: str | tuple[str, ...]) -> Body:
    """Parse the request body, which must be a ``root`` document (one of them) within CSIP_MAX_BODY_BYTES."""
    return parse_document(read_body(request), root=root)


def check_declared_length(request) -> None:
    """Refuse a body whose Content-Length is over CSIP_MAX_BODY_BYTES before reading any of it."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > settings.CSIP_MAX_BODY_BYTES:
        raise BodyTooLarge(f"The body exceeds {settings.CSIP_MAX_BODY_BYTES} bytes.")


def body_stream(request):
    """Where the request body is read from, bypassing ``request.body``.

    ``request.body`` has its own cap (DATA_UPLOAD_MAX_MEMORY_SIZE) that answers Django's HTML 400 rather
    than our 413. A chunked body has no Content-Length, and Django reads nothing of it under WSGI: when
    the server ends the stream at the body's end (``wsgi.input_terminated``, as gunicorn does) it is read
    from there.
    """
    if not request.META.get("CONTENT_LENGTH") and request.META.get("wsgi.input_terminated"):
        return request.META["wsgi.input"]
    return request


def read_body(request) -> bytes:
    """The request body, never more than CSIP_MAX_BODY_BYTES of it read into memory."""
    check_declared_length(request)
    limit = settings.CSIP_MAX_BODY_BYTES
    data = body_stream(request).read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(f"The body exceeds {limit} bytes.")
    return data


def parse_document(data: bytes, *, root: str | tuple[str, ...]) -> Body:
    """Parse ``data`` as a 2030.5 ``root`` document; validate it against sep.xsd when configured."""
    if len(data) > settings.CSIP_MAX_BODY_BYTES:
        raise BodyTooLarge(f"The body exceeds {settings.CSIP_MAX_BODY_BYTES} bytes.")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XMLBodyError("DOCTYPE and entity declarations are not accepted.")
    try:
        node = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XMLBodyError(f"Malformed XML: {exc}") from exc
    if node.getroottree().docinfo.doctype:
        raise XMLBodyError("DOCTYPE declarations are not accepted.")
    roots = (root,) if isinstance(root, str) else root
    if node.tag not in {qname(name) for name in roots}:
        raise XMLBodyError(f"Expected a {' or '.join(roots)} in the {NS} namespace.")
    if settings.CSIP_VALIDATE_BODIES and (errors := schema_errors(node)):
        raise XMLBodyError(f"Not valid against the 2030.5 schema: {errors[0]}")
    return Body(node)


class Body:
    """A parsed element, for finding its children; :mod:`csip_api.schema_values` reads their values."""

    def __init__(self, node: etree._Element):
        self.node = node

    @property
    def tag(self) -> str:
        return etree.QName(self.node).localname

    def child(self, tag: str) -> Body | None:
        found = self.node.find(qname(tag))
        return None if found is None else Body(found)

    def children(self, tag: str) -> list[Body]:
        return [Body(found) for found in self.node.findall(qname(tag))]


#: The latest second a datetime holds (9999-12-31T23:59:59Z): a TimeType beyond it is refused.
_LAST_TIME = int(dt.datetime.max.replace(microsecond=0, tzinfo=dt.UTC).timestamp())


def text_of(found: etree._Element, tag: str, *, max_length: int | None = None) -> str:
    value = (found.text or "").strip()
    if max_length is not None and len(value) > max_length:
        raise XMLBodyError(f"{tag} is longer than {max_length} characters.")
    return value


def integer_of(found: etree._Element, tag: str, *, minimum: int, maximum: int) -> int:
    value = text_of(found, tag)
    if not _INTEGER.match(value):
        raise XMLBodyError(f"{tag} must be an integer, not {value[:40]!r}.")
    number = int(value)
    if not minimum <= number <= maximum:
        raise XMLBodyError(f"{tag} must be between {minimum} and {maximum}.")
    return number


def boolean_of(found: etree._Element, tag: str) -> bool:
    value = text_of(found, tag)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise XMLBodyError(f"{tag} must be true or false.")


def hex_of(found: etree._Element, tag: str, *, octets: int) -> str:
    """A hexBinary element of at most ``octets`` bytes, as its text."""
    value = text_of(found, tag)
    if not _HEX.match(value) or len(value) > 2 * octets:
        raise XMLBodyError(f"{tag} must be hexBinary of at most {octets} bytes.")
    return value


def time_of(found: etree._Element, tag: str) -> int:
    """A TimeType element: Unix epoch seconds, UTC, no later than a datetime can hold."""
    seconds = integer_of(found, tag, minimum=0, maximum=2**63 - 1)
    if seconds > _LAST_TIME:
        raise XMLBodyError(f"{tag} is not a time we can represent.")
    return seconds
