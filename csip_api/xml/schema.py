"""sep.xsd, compiled once per process from CSIP_SCHEMA_PATH (IEEE's schema is not shipped with derms)."""

from __future__ import annotations

import functools
import threading

from django.conf import settings
from lxml import etree

#: A compiled schema keeps the error log of its last validation: threads take turns using it.
_VALIDATING = threading.Lock()


class SchemaUnavailable(RuntimeError):
    """CSIP_SCHEMA_PATH is not set, so documents cannot be checked against the schema."""


@functools.cache
def _load(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(path, parser))


def load_schema() -> etree.XMLSchema:
    """The compiled schema; the first call compiles it (the 2030.5 server calls it at start-up)."""
    if not settings.CSIP_SCHEMA_PATH:
        raise SchemaUnavailable("Set CSIP_SCHEMA_PATH to the 2030.5 schema (sep.xsd).")
    return _load(settings.CSIP_SCHEMA_PATH)


def schema_errors(document: etree._Element | bytes) -> list[str]:
    """The schema's complaints about ``document`` (empty when it is valid)."""
    schema = load_schema()
    if isinstance(document, bytes):
        document = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    with _VALIDATING:
        if schema.validate(document):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]
