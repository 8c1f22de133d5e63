"""Walk a 2030.5 server from /dcap following only the hrefs it serves, as a client would.

``walk`` takes a ``get(url) -> (status, body)`` callable, so the same walk runs through Django's test
client or over real HTTPS. List links are fetched with ``l`` set to the link's ``all`` (paging with ``s``
when a page is shorter), which is how a client reads a whole list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from csip_api.xml import NS

Get = Callable[[str], tuple[int, bytes]]


@dataclass
class Walk:
    documents: dict[str, etree._Element] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)

    def of(self, tag: str) -> list[etree._Element]:
        """Every fetched document whose root is ``tag``."""
        return [d for d in self.documents.values() if etree.QName(d).localname == tag]

    def entries(self, tag: str) -> list[etree._Element]:
        """Every ``tag`` element met anywhere in the walk (list entries and whole documents)."""
        return [e for d in self.documents.values() for e in d.iter(f"{{{NS}}}{tag}")]


def _links(document: etree._Element) -> list[tuple[str, int | None]]:
    found = []
    for node in document.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if local.endswith("Link") and node.get("href"):
            found.append((node.get("href"), int(node.get("all")) if node.get("all") else None))
        elif node is not document and node.get("href") and not local.endswith("Link"):
            found.append((node.get("href"), None))  # a list entry: fetch it on its own too
    return found


def _fetch_list(get: Get, href: str, count: int, walk: Walk) -> etree._Element | None:
    start, merged = 0, None
    while True:
        status, body = get(f"{href}?s={start}&l={max(count, 1)}")
        walk.statuses[href] = status
        if status != 200:
            return None
        page = etree.fromstring(body)
        if merged is None:
            merged = page
        else:
            merged.extend(list(page))
        start += int(page.get("results"))
        if int(page.get("results")) == 0 or start >= int(page.get("all")):
            merged.set("results", str(start))
            return merged


def walk(get: Get, start: str = "/dcap") -> Walk:
    """Fetch ``start`` and everything reachable from it through hrefs, each resource once."""
    result = Walk()
    pending: list[tuple[str, int | None]] = [(start, None)]
    while pending:
        href, count = pending.pop(0)
        if href in result.statuses:
            continue
        if count is not None:
            document = _fetch_list(get, href, count, result)
        else:
            status, body = get(href)
            result.statuses[href] = status
            document = etree.fromstring(body) if status == 200 else None
        if document is not None:
            result.documents[href] = document
            pending.extend(_links(document))
    return result
