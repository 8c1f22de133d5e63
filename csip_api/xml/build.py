"""Build 2030.5 documents with lxml.

Renderers call :func:`element`, :func:`leaf` and the link helpers in the order of the schema's sequence;
``None`` children and attributes are left out, so optional elements need no ``if``. Values are written in
the schema's lexical forms: booleans as ``true``/``false``, times (TimeType) as Unix epoch seconds,
hexBinary through :class:`Hex`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

NS = "urn:ieee:std:2030.5:ns"
_NSMAP = {None: NS}


def qname(tag: str) -> str:
    """The Clark name of a 2030.5 element, as lxml spells it."""
    return f"{{{NS}}}{tag}"


@dataclass(frozen=True)
class Hex:
    """A hexBinary value written with ``octets`` bytes (hexBinary needs pairs of hex digits)."""

    value: int
    octets: int

    def __str__(self) -> str:
        return f"{self.value:0{self.octets * 2}X}"


def time_value(moment: dt.datetime) -> int:
    """TimeType: seconds since the Unix epoch, UTC."""
    return int(moment.timestamp())


def _lexical(value: object) -> str:
    # bool before int: True is an int in Python, but xs:boolean is not 1/0 here.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return str(time_value(value))
    if isinstance(value, int | str | Hex):
        return str(value)
    raise TypeError(f"No 2030.5 lexical form for {type(value).__name__}")


def element(tag: str, *children: etree._Element | None, **attributes: object) -> etree._Element:
    """An element with its children (``None`` skipped) and attributes (``None`` skipped)."""
    node = etree.Element(qname(tag), nsmap=_NSMAP)
    for name, value in attributes.items():
        if value is not None:
            node.set(name, _lexical(value))
    for child in children:
        if child is not None:
            node.append(child)
    return node


def leaf(tag: str, value: object) -> etree._Element | None:
    """A simple-content element, or ``None`` when there is no value (an absent optional element)."""
    if value is None:
        return None
    node = etree.Element(qname(tag))
    node.text = _lexical(value)
    return node


def link(tag: str, href: str) -> etree._Element:
    """A Link: only an href."""
    node = etree.Element(qname(tag))
    node.set("href", href)
    return node


def list_link(tag: str, href: str, *, count: int | None) -> etree._Element:
    """A ListLink with ``all``, the number of entries the client would find behind it."""
    node = link(tag, href)
    if count is not None:
        node.set("all", str(count))
    return node


XSI = "http://www.w3.org/2001/XMLSchema-instance"


def as_resource(document: etree._Element) -> etree._Element:
    """``document`` as the ``Resource`` child of a Notification: the same attributes and children, its
    own type named by ``xsi:type`` (2030.5 passes the full representation that way)."""
    node = etree.Element(qname("Resource"), nsmap={**_NSMAP, "xsi": XSI})
    node.set(f"{{{XSI}}}type", etree.QName(document).localname)
    for name, value in document.attrib.items():
        node.set(name, value)
    node.extend(document)
    return node


def serialize(root: etree._Element) -> bytes:
    """UTF-8 bytes of a document, the namespace declared once on the root as the default namespace."""
    return etree.tostring(root, encoding="utf-8", xml_declaration=False)
