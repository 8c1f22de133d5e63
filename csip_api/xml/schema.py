"""sep.xsd, loaded once from CSIP_SCHEMA_PATH (IEEE's schema is not shipped with derms)."""

from __future__ import annotations

import functools

from django.conf import settings
from lxml import etree


class SchemaUnavailable(RuntimeError):
    """CSIP_SCHEMA_PATH is not set, so documents cannot be checked against the schema."""


@functools.cache
def _load(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(path, parser))


def schema_errors(document: etree._Element | bytes) -> list[str]:
    """The schema's complaints about ``document`` (empty when it is valid)."""
    if not settings.CSIP_SCHEMA_PATH:
        raise SchemaUnavailable("Set CSIP_SCHEMA_PATH to the 2030.5 schema (sep.xsd).")
    schema = _load(settings.CSIP_SCHEMA_PATH)
    if isinstance(document, bytes):
        document = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
