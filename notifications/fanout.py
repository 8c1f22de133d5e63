"""From the change feed to notifications: which subscriptions each change concerns.

Changes are claimed in batches (rows other workers hold are skipped), each subscription they concern gets
its one pending notification (created, or folded into the one already waiting: coalescing), and the changes
are marked consumed, all in one transaction: a crash before the commit leaves the changes to claim again,
so none is lost. A change that takes effect later (a supersede at a newer event's start) is claimed when
its time comes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from derms import changefeed
from derms.changefeed import Change, Kind
from derms.models import DERProgram
from groups.models import Group
from groups.selectors import end_devices_in
from notifications.models import Notification, Subscribed, Subscription

BATCH = 500
_ASSIGNMENTS = (Subscribed.FSA_LIST, Subscribed.DER_PROGRAM_LIST)
_CONTROLS = (Subscribed.DER_CONTROL_LIST, Subscribed.ACTIVE_DER_CONTROL_LIST)
#: A deleted object takes with it the subscribed resources that hang off it.
_HANGING_OFF = {
    Kind.END_DEVICE: (Subscribed.END_DEVICE, *_ASSIGNMENTS),
    Kind.DER_PROGRAM: (
        Subscribed.DER_PROGRAM,
        *_CONTROLS,
        Subscribed.DEFAULT_DER_CONTROL,
        Subscribed.DER_CURVE_LIST,
    ),
}


def concerned(kind: Kind, pk: int) -> Q | None:
    """The subscriptions whose resource a change to feed resource ``kind``/``pk`` alters, as a filter;
    None when no subscription can be."""
    if kind is Kind.END_DEVICE:
        return Q(resource=Subscribed.END_DEVICE, object_id=pk)
    if kind is Kind.END_DEVICE_LIST:
        return Q(resource=Subscribed.END_DEVICE_LIST, subscriber_id=pk)
    if kind is Kind.FSA_LIST:
        return Q(resource__in=_ASSIGNMENTS, object_id=pk)
    if kind is Kind.GROUP:
        group = Group.objects.filter(pk=pk).first()
        if group is None:
            return None
        return Q(resource__in=_ASSIGNMENTS, object_id__in=end_devices_in(group).values("pk"))
    if kind is Kind.DER_PROGRAM:
        own = Q(resource=Subscribed.DER_PROGRAM, object_id=pk)
        program = DERProgram.objects.select_related("group").filter(pk=pk).first()
        if program is None:
            return own
        followers = end_devices_in(program.group).values("pk")
        return own | Q(resource=Subscribed.DER_PROGRAM_LIST, object_id__in=followers)
    if kind is Kind.DER_CONTROL_LIST:
        return Q(resource__in=_CONTROLS, object_id=pk)
    if kind is Kind.DEFAULT_DER_CONTROL:
        return Q(resource=Subscribed.DEFAULT_DER_CONTROL, object_id=pk)
    if kind is Kind.DER_CURVE_LIST:
        return Q(resource=Subscribed.DER_CURVE_LIST, object_id=pk)
    return None


def gone_with(kind: Kind, pk: int) -> Q | None:
    """The subscriptions whose resource went with the deleted object ``kind``/``pk``."""
    hanging = _HANGING_OFF.get(kind)
    return None if hanging is None else Q(resource__in=hanging, object_id=pk)


@dataclass
class Owed:
    change_id: int
    status: int = Notification.DEFAULT_STATUS


def fan_out_batch(*, now: dt.datetime) -> tuple[int, list[int]]:
    """Fan out one batch of due changes; return how many were consumed and the notifications now owed
    that were not waiting already (the caller enqueues their delivery once this has committed)."""
    with transaction.atomic():
        changes = changefeed.claim_due(now=now, limit=BATCH)
        if not changes:
            return 0, []
        owed = _owed(changes, now=now)
        new = _fold_into_pending(owed, now=now)
        changefeed.mark_consumed(changes, now=now)
    return len(changes), new


def _owed(changes: list[Change], *, now: dt.datetime) -> dict[int, Owed]:
    """Per subscription: the newest change that concerns it, and whether its resource was deleted."""
    newest: dict[tuple[Kind, int, bool], int] = {}
    for change in changes:
        key = (Kind(change.resource), change.object_id, change.is_deletion)
        newest[key] = max(newest.get(key, 0), change.pk)
    owed: dict[int, Owed] = {}
    live = Subscription.objects.filter(expires_at__gt=now)
    for (kind, pk, is_deletion), change_id in newest.items():
        gone = gone_with(kind, pk) if is_deletion else None
        for q, status in ((concerned(kind, pk), None), (gone, Notification.RESOURCE_DELETED)):
            if q is None:
                continue
            for subscription_id in live.filter(q).values_list("pk", flat=True).iterator(chunk_size=2000):
                entry = owed.setdefault(subscription_id, Owed(change_id))
                entry.change_id = max(entry.change_id, change_id)
                if status is not None:
                    entry.status = status
    return owed


def _fold_into_pending(owed: dict[int, Owed], *, now: dt.datetime) -> list[int]:
    pending = {
        n.subscription_id: n
        for n in Notification.objects.select_for_update().filter(
            subscription_id__in=owed, state=Notification.State.PENDING
        )
    }
    for subscription_id, notification in pending.items():
        entry = owed[subscription_id]
        notification.change_id = max(notification.change_id, entry.change_id)
        notification.status = max(notification.status, entry.status)
    Notification.objects.bulk_update(pending.values(), ["change_id", "status"], batch_size=1000)
    subscriptions = Subscription.objects.filter(pk__in=[pk for pk in owed if pk not in pending])
    # Changes in the next seconds fold into it: a burst of ten goes out once, with the latest state.
    due = now + dt.timedelta(seconds=settings.DERMS_NOTIFY_COALESCE_SECONDS)
    created = Notification.objects.bulk_create(
        [
            Notification(
                subscription=s,
                subscribed_path=s.subscribed_path,
                notification_uri=s.notification_uri,
                change_id=owed[s.pk].change_id,
                status=owed[s.pk].status,
                due_at=due,
            )
            for s in subscriptions.iterator(chunk_size=2000)
        ],
        batch_size=1000,
    )
    return [n.pk for n in created]
