"""The one XML layer of the 2030.5 API: render resources, parse request bodies, check them against sep.xsd.

Every endpoint renders through :mod:`.build` and reads bodies through :mod:`.parse`; nothing else in the
project touches lxml for 2030.5 documents.
"""

from .build import NS, Hex, as_resource, element, leaf, link, list_link, qname, serialize, time_value
from .parse import BodyTooLarge, XMLBodyError, body_stream, check_declared_length, parse_body, parse_document
from .schema import SchemaUnavailable, schema_errors

__all__ = [
    "NS",
    "BodyTooLarge",
    "Hex",
    "SchemaUnavailable",
    "XMLBodyError",
    "as_resource",
    "body_stream",
    "check_declared_length",
    "element",
    "leaf",
    "link",
    "list_link",
    "parse_body",
    "parse_document",
    "qname",
    "schema_errors",
    "serialize",
    "time_value",
]
