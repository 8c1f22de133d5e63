"""Subscribing and unsubscribing (CSIP 5.2.5, 2030.5 pub/sub), each rule checked before anything is written.

A client may subscribe to a resource it may read, from its own EndDevice's SubscriptionList: an aggregator
always, a direct DER client when ``CSIP_DIRECT_DER_SUBSCRIPTIONS`` is on. Notifications go only to an
absolute https URI, and not to loopback, link-local or private addresses unless
``DERMS_NOTIFY_PRIVATE_ADDRESSES`` allows it: the server must not be turned into a probe of its own
network. Posting the same subscription again renews it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from csip_api.identity import Client
from csip_api.reading import read_as, resolve_path
from derms import changefeed
from derms.changefeed import Kind, Resource
from derms.models import Role
from notifications.models import Notification, Subscribed, Subscription

#: The csip_api route of each resource one may subscribe to, and which path id names its object.
SUBSCRIBABLE = {
    "end-device-list": (Subscribed.END_DEVICE_LIST, None),
    "end-device": (Subscribed.END_DEVICE, "edev"),
    "fsa-list": (Subscribed.FSA_LIST, "edev"),
    "fsa-program-list": (Subscribed.DER_PROGRAM_LIST, "edev"),
    "program": (Subscribed.DER_PROGRAM, "derp"),
    "control-list": (Subscribed.DER_CONTROL_LIST, "derp"),
    "active-control-list": (Subscribed.ACTIVE_DER_CONTROL_LIST, "derp"),
    "default-control": (Subscribed.DEFAULT_DER_CONTROL, "derp"),
    "curve-list": (Subscribed.DER_CURVE_LIST, "derp"),
}
#: Subscribed resources that are lists: a notification with limit 0 still carries the list, empty.
LISTS = frozenset(
    {
        Subscribed.END_DEVICE_LIST,
        Subscribed.FSA_LIST,
        Subscribed.DER_PROGRAM_LIST,
        Subscribed.DER_CONTROL_LIST,
        Subscribed.ACTIVE_DER_CONTROL_LIST,
        Subscribed.DER_CURVE_LIST,
    }
)
URI_MAX = 255


def may_subscribe(client: Client) -> bool:
    end_device = client.end_device
    if end_device is None or not end_device.enabled:
        return False
    return end_device.role == Role.AGGREGATOR or settings.CSIP_DIRECT_DER_SUBSCRIPTIONS


def subscribe(
    *, client: Client, subscribed_resource: str, notification_uri: str, limit: int, level: str = "+S1"
) -> tuple[Subscription, bool]:
    """Subscribe ``client`` (from its own SubscriptionList); return the subscription and whether it is new.

    Raise PermissionDenied when the client may not subscribe at all, ValidationError for a resource it may
    not read or a notificationURI the server will not call.
    """
    if not may_subscribe(client):
        raise PermissionDenied("This client may not subscribe on this server.")
    # Query strings are ignored on subscribed lists (2030.5: servers SHALL ignore them).
    path = urlsplit(subscribed_resource).path
    resource, object_id = _target(client, path)
    if read_as(client, path).status_code != 200:
        raise ValidationError(f"{path} is not a resource this client may read.")
    check_notification_uri(notification_uri)
    now = timezone.now()
    with transaction.atomic():
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            subscriber=client.end_device,
            subscribed_path=path,
            notification_uri=notification_uri,
            defaults={
                "resource": resource,
                "object_id": object_id,
                "limit": limit,
                "level": level,
                "expires_at": now + settings.DERMS_SUBSCRIPTION_LIFETIME,
            },
        )
        if created:
            changefeed.record("subscribed", [subscription_list(subscription.subscriber_id)])
        else:
            subscription.limit, subscription.level = limit, level
            subscription.expires_at = now + settings.DERMS_SUBSCRIPTION_LIFETIME
            subscription.save(update_fields=["limit", "level", "expires_at"])
    return subscription, created


@transaction.atomic
def unsubscribe(subscription: Subscription) -> None:
    """Delete it with what it is still owed; delivered and failed notifications stay as history."""
    Notification.objects.filter(subscription=subscription, state=Notification.State.PENDING).delete()
    changefeed.record("unsubscribed", [subscription_list(subscription.subscriber_id)])
    subscription.delete()


def subscription_list(subscriber_id: int) -> Resource:
    """The SubscriptionList a subscription is listed in (its size is on the subscriber's EndDevice)."""
    return Resource(Kind.SUBSCRIPTION_LIST, subscriber_id)


def _target(client: Client, path: str) -> tuple[str, int]:
    match = resolve_path(path)
    if match is None or match.url_name not in SUBSCRIBABLE:
        raise ValidationError(
            f"{path or 'The subscribedResource'} is not a resource this server notifies about."
        )
    resource, id_name = SUBSCRIBABLE[match.url_name]
    return resource, client.end_device.pk if id_name is None else match.kwargs[id_name]


def check_notification_uri(uri: str) -> None:
    """Raise ValidationError unless the server may POST notifications to ``uri``."""
    if len(uri) > URI_MAX:
        raise ValidationError(f"The notificationURI is longer than {URI_MAX} characters.")
    parts = urlsplit(uri)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError("The notificationURI must be an absolute https URI.")
    try:
        port = parts.port
    except ValueError:
        raise ValidationError("The notificationURI has an invalid port.") from None
    if not settings.DERMS_NOTIFY_PRIVATE_ADDRESSES:
        refuse_private_addresses(parts.hostname, port or 443)


def refuse_private_addresses(host: str, port: int) -> None:
    """Raise ValidationError if ``host`` is, or resolves to, a loopback, link-local or private address."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError):
        raise ValidationError(f"The notificationURI's host {host} does not resolve.") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise ValidationError(f"The notificationURI's host {host} is not a public address ({ip}).")
