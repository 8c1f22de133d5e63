"""Sending one notification: claim it, render it as its subscriber reads the resource now, POST it, and
record what happened.

A worker claims a notification for a lease longer than any POST can take; another worker, or this one
after a crash, takes it over once the lease ends. Connection errors, timeouts and 5xx answers are retried
with a doubling wait; a 4xx answer is the receiver refusing it for good. Every attempt is recorded and a
notification that finally fails is kept, never dropped.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from lxml import etree

from csip_api.http import MEDIA_TYPE
from csip_api.identity import client_for_lfdi
from csip_api.reading import read_as
from csip_api.render.subscriptions import notification as notification_document
from csip_api.render.subscriptions import subscription_href
from csip_api.serving.tls import configured_client_context
from csip_api.xml import serialize
from derms import changefeed
from notifications.models import DeliveryAttempt, Notification, Subscription
from notifications.services import LISTS, refuse_private_addresses, subscription_list

MAX_WAIT = dt.timedelta(hours=1)
FIRST_WAIT = dt.timedelta(seconds=5)


def lease() -> dt.timedelta:
    """Longer than a POST can take (connect and read each time out), so a live worker keeps its claim."""
    return dt.timedelta(seconds=3 * settings.DERMS_NOTIFY_TIMEOUT + 5)


def retry_wait(attempts: int) -> dt.timedelta:
    return min(FIRST_WAIT * 2 ** (attempts - 1), MAX_WAIT)


@dataclass(frozen=True)
class Outcome:
    http_status: int | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300

    @property
    def permanent(self) -> bool:
        """The receiver (or the rules) refuse it: trying again would change nothing."""
        if self.http_status is None:
            return bool(self.error) and self.error.startswith("refused:")
        return 400 <= self.http_status < 500


def deliver(notification_id: int) -> Outcome | None:
    """Send the notification if it is pending, due and not held by another worker; None if it is not."""
    claimed = _claim(notification_id)
    if claimed is None:
        return None
    notification, change_id = claimed
    try:
        body = render(notification)
    except ValidationError as refusal:
        outcome = Outcome(error=f"refused: {' '.join(refusal.messages)}")
    else:
        # The state read may hold a change whose writer still waits out the leases (one folded into a
        # retry, or into a notification due at once): the subscriber may read on hearing of it, and must
        # not be answered from a copy older than the change (derms.changefeed.lease).
        changefeed.lease.wait_out_leases()
        outcome = post(notification.notification_uri, body)
    _finish(notification, change_id=change_id, outcome=outcome)
    return outcome


def _claim(notification_id: int) -> tuple[Notification, int] | None:
    now = timezone.now()
    with transaction.atomic():
        skip_locked = connection.features.has_select_for_update_skip_locked
        notification = (
            Notification.objects.select_for_update(skip_locked=skip_locked, of=("self",))
            .select_related("subscription__subscriber")
            .filter(pk=notification_id, state=Notification.State.PENDING, due_at__lte=now)
            .first()
        )
        if notification is None or (notification.claimed_until and notification.claimed_until > now):
            return None
        notification.claimed_until = now + lease()
        notification.attempts += 1
        notification.save(update_fields=["claimed_until", "attempts"])
    return notification, notification.change_id


def render(notification: Notification) -> bytes:
    """The Notification document, with the resource as the subscriber may read it now.

    Raise ValidationError when it must not be sent: the subscriber is no longer authorized, or the
    notificationURI now resolves to an address the server does not call.
    """
    subscription = notification.subscription
    if subscription is None:
        raise ValidationError("The subscription was deleted.")
    client = client_for_lfdi(subscription.subscriber.lfdi)
    if not client.is_authorized:
        raise ValidationError("The subscriber is no longer authorized.")
    status, resource = notification.status, None
    if status == Notification.DEFAULT_STATUS:
        is_list = subscription.resource in LISTS
        if subscription.limit > 0 or is_list:
            answer = read_as(client, subscription.subscribed_path, limit=subscription.limit)
            if answer.status_code == 200:
                resource = etree.fromstring(answer.content)
            elif answer.status_code == 404:
                status = Notification.RESOURCE_DELETED
            else:
                raise ValidationError(f"The subscriber may not read {subscription.subscribed_path} now.")
    document = notification_document(
        subscribed_path=subscription.subscribed_path,
        subscription_path=subscription_href(subscription),
        status=status,
        resource=resource,
    )
    return serialize(document)


def post(uri: str, body: bytes) -> Outcome:
    """POST ``body`` to ``uri`` over CSIP's TLS with the server's client certificate."""
    parts = urlsplit(uri)
    port = parts.port or 443
    try:
        if not settings.DERMS_NOTIFY_PRIVATE_ADDRESSES:
            refuse_private_addresses(parts.hostname, port)
    except ValidationError as refusal:
        return Outcome(error=f"refused: {' '.join(refusal.messages)}")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    connection = http.client.HTTPSConnection(
        parts.hostname, port, context=configured_client_context(), timeout=settings.DERMS_NOTIFY_TIMEOUT
    )
    try:
        connection.request(
            "POST", path, body=body, headers={"Content-Type": MEDIA_TYPE, "Content-Length": str(len(body))}
        )
        response = connection.getresponse()
        response.read()
        return Outcome(http_status=response.status)
    except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
        return Outcome(error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        connection.close()


def _finish(notification: Notification, *, change_id: int, outcome: Outcome) -> None:
    now = timezone.now()
    with transaction.atomic():
        current = Notification.objects.select_for_update().get(pk=notification.pk)
        DeliveryAttempt.objects.create(
            notification=current, at=now, http_status=outcome.http_status, error=outcome.error
        )
        current.claimed_until = None
        current.last_error = "" if outcome.delivered else (outcome.error or f"HTTP {outcome.http_status}")
        if outcome.delivered and current.change_id > change_id:
            # Changes folded in while it was on its way: send the newer state too, at once.
            current.due_at, current.attempts = now, 0
        elif outcome.delivered:
            current.state, current.delivered_at = Notification.State.DELIVERED, now
        elif outcome.permanent or current.attempts >= settings.DERMS_NOTIFY_MAX_ATTEMPTS:
            current.state = Notification.State.FAILED
        else:
            current.due_at = now + retry_wait(current.attempts)
        current.save()
        if current.state == Notification.State.DELIVERED and current.status == Notification.RESOURCE_DELETED:
            # The client was told its resource is gone: the subscription has nothing left to watch.
            dropped = Subscription.objects.filter(pk=current.subscription_id)
            changefeed.record(
                "subscription_dropped",
                map(subscription_list, dropped.values_list("subscriber_id", flat=True)),
            )
            dropped.delete()
