"""What staff see of the notification work: the change-feed backlog, what is owed and what failed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from derms import changefeed
from notifications.models import Notification, Subscription

FAILED_SHOWN = 50


@dataclass(frozen=True)
class DeliveryOverview:
    backlog: int
    subscriptions: int
    lapsed: int
    by_state: dict[str, int]
    failed: list[Notification]


def delivery_overview() -> DeliveryOverview:
    """Five queries, whatever the number of subscriptions and notifications."""
    now = timezone.now()
    counts = dict(Notification.objects.values_list("state").annotate(n=Count("pk")).order_by())
    subscriptions = Subscription.objects.aggregate(
        total=Count("pk"), lapsed=Count("pk", filter=Q(expires_at__lte=now))
    )
    failed = list(
        Notification.objects.filter(state=Notification.State.FAILED)
        .select_related("subscription__subscriber")
        .order_by("-id")[:FAILED_SHOWN]
    )
    return DeliveryOverview(
        backlog=changefeed.backlog(),
        subscriptions=subscriptions["total"],
        lapsed=subscriptions["lapsed"],
        by_state={state.label: counts.get(state.value, 0) for state in Notification.State},
        failed=failed,
    )
