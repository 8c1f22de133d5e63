"""Celery tasks of the notification work. Each takes ids, not objects, and may run twice harmlessly.

A committed change schedules a fan-out at once (:func:`fan_out_soon`); each notification it creates gets
its delivery task after the commit, due when its coalescing window closes. Celery beat runs
:func:`sweep` every few seconds for what no message announced: changes that take effect later, retries,
notifications whose worker died mid-delivery, and subscriptions that lapsed.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from derms import changefeed
from notifications import delivery, fanout
from notifications.models import Notification, Subscription
from notifications.services import subscription_list

#: Times a fan-out retries a batch another worker raced it on before leaving it to the next sweep.
RACES = 5
#: Notifications the sweep hands to workers per run; the rest wait for the next run.
SWEEP_BATCH = 1000


def fan_out_soon(**_) -> None:
    """Receiver of ``changes_committed``: fan the new changes out in a worker."""
    fan_out.delay()


@shared_task(ignore_result=True)
def fan_out() -> int:
    """Fan out every change due now; return how many were consumed."""
    total, races = 0, 0
    while True:
        try:
            consumed, new = fanout.fan_out_batch(now=timezone.now())
        except IntegrityError:
            # Another worker created a subscription's pending notification first; the batch, rolled
            # back whole, folds into it on the next try. Past a few tries the sweep takes over.
            races += 1
            if races > RACES:
                raise
            continue
        if not consumed:
            return total
        total += consumed
        _send_after_window(new)


def _send_after_window(notification_ids: list[int]) -> None:
    countdown = settings.DERMS_NOTIFY_COALESCE_SECONDS
    for notification_id in notification_ids:
        deliver.apply_async((notification_id,), countdown=countdown)


@shared_task(ignore_result=True)
def deliver(notification_id: int) -> None:
    outcome = delivery.deliver(notification_id)
    if outcome is None:
        return
    notification = Notification.objects.filter(pk=notification_id, state=Notification.State.PENDING).first()
    if notification is not None:
        wait = max(0.0, (notification.due_at - timezone.now()).total_seconds())
        deliver.apply_async((notification_id,), countdown=wait)


@shared_task(ignore_result=True)
def sweep() -> int:
    """Fan out what came due, hand every pending notification that is due and unclaimed to a worker,
    and delete lapsed subscriptions; return how many notifications were handed out."""
    fan_out()
    now = timezone.now()
    with transaction.atomic():
        lapsed = Subscription.objects.filter(expires_at__lte=now)
        subscribers = set(lapsed.values_list("subscriber_id", flat=True))
        Notification.objects.filter(state=Notification.State.PENDING, subscription__in=lapsed).delete()
        lapsed.delete()
        changefeed.record("subscriptions_lapsed", [subscription_list(pk) for pk in subscribers])
    due = (
        Notification.objects.filter(state=Notification.State.PENDING, due_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    ids = list(due)
    transaction.on_commit(lambda: [deliver.delay(pk) for pk in ids])
    return len(ids)
