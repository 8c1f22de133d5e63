"""Subscription, SubscriptionList and Notification documents (2030.5 pub/sub, CSIP 5.2.5)."""

from __future__ import annotations

from django.conf import settings
from lxml import etree

from csip_api import hrefs
from csip_api.hrefs import href
from csip_api.paging import Page
from csip_api.xml import as_resource, element, leaf
from notifications.models import Subscription

#: Subscription.encoding: application/sep+xml, the only encoding this server sends.
ENCODING_XML = 0


def absolute(path: str) -> str:
    """A fully-qualified URI, as Notification's subscriptionURI and newResourceURI must be."""
    return settings.CSIP_PUBLIC_URL.rstrip("/") + path


def subscription_href(subscription: Subscription) -> str:
    return href(hrefs.SUBSCRIPTION, edev=subscription.subscriber_id, sub=subscription.pk)


def subscription(item: Subscription) -> etree._Element:
    return element(
        "Subscription",
        leaf("subscribedResource", item.subscribed_path),
        leaf("encoding", ENCODING_XML),
        leaf("level", item.level),
        leaf("limit", item.limit),
        leaf("notificationURI", item.notification_uri),
        href=subscription_href(item),
    )


def subscription_list(page: Page[Subscription], *, list_href: str) -> etree._Element:
    return element(
        "SubscriptionList",
        *(subscription(item) for item in page.items),
        href=list_href,
        all=page.all,
        results=page.results,
        pollRate=settings.CSIP_POLL_RATE,
    )


def notification(
    *, subscribed_path: str, subscription_path: str, status: int, resource: etree._Element | None
) -> etree._Element:
    """A Notification carrying ``resource`` (as the subscriber reads it now), or none for limit 0."""
    return element(
        "Notification",
        leaf("subscribedResource", subscribed_path),
        None if resource is None else as_resource(resource),
        leaf("status", status),
        leaf("subscriptionURI", absolute(subscription_path)),
    )
