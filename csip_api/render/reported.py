"""Lists of what clients send (log events, responses, mirrors, subscriptions) and the ResponseSets.

Storing what clients send belongs to the write side; until an entry is stored, these lists are truly
empty, and they are rendered here so that the write side only has to supply the entries.
"""

from __future__ import annotations

from lxml import etree

from csip_api import hrefs
from csip_api.hrefs import href
from csip_api.paging import Page
from csip_api.selectors.mrids import derived_mrid
from csip_api.xml import element, leaf, list_link
from derms.models import DERProgram


def response_set(program: DERProgram) -> etree._Element:
    """The ResponseSet that a program's events name in ``replyTo``: one per program."""
    return element(
        "ResponseSet",
        leaf("mRID", derived_mrid("rsps", program.mrid)),
        leaf("description", (program.description or program.mrid)[:32]),
        list_link("ResponseListLink", href(hrefs.RESPONSE_LIST, rsps=program.pk), count=None),
        href=href(hrefs.RESPONSE_SET, rsps=program.pk),
    )


def response_set_list(page: Page[DERProgram]) -> etree._Element:
    return element(
        "ResponseSetList",
        *(response_set(p) for p in page.items),
        href=href(hrefs.RESPONSE_SET_LIST),
        all=page.all,
        results=page.results,
    )


def empty_list(tag: str, *, list_href: str, subscribable: bool) -> etree._Element:
    """A LogEventList, SubscriptionList, UsagePointList or MirrorUsagePointList holding nothing yet."""
    return element(tag, href=list_href, subscribable=1 if subscribable else None, all=0, results=0)
