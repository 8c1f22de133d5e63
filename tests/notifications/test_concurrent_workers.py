"""Several workers at once on PostgreSQL: one notification is never sent by two of them, and changes
fanned out side by side each reach their subscriber once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from csip_api import hrefs
from csip_api.identity import client_for_lfdi
from derms.changefeed import Change
from derms.events.services import NOW, create_control
from notifications import delivery, fanout, tasks
from notifications.models import Notification
from notifications.services import subscribe

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one writer at a time: no race to lose"
    ),
]


def side_by_side(work, count: int = 4) -> list:
    """Run ``work`` in ``count`` threads started together, each with its own database connection."""
    results, barrier = [], threading.Barrier(count)

    def run():
        barrier.wait()
        try:
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def subscribed(aggregator, programs, receiver):
    client = client_for_lfdi(aggregator.lfdi)
    path = hrefs.href(hrefs.CONTROL_LIST, derp=programs["feeder_2"].pk)
    subscribe(client=client, subscribed_resource=path, notification_uri=receiver.uri, limit=1)
    Change.objects.update(consumed_at=timezone.now())


def test_four_workers_sending_one_notification_post_it_once(subscribed, programs, receiver):
    create_control(program=programs["feeder_2"], start=NOW, duration=60, values={"opModMaxLimW": 1})
    [pk] = fanout.fan_out_batch(now=timezone.now())[1]
    Notification.objects.filter(pk=pk).update(due_at=timezone.now())

    outcomes = side_by_side(lambda: delivery.deliver(pk))

    assert sum(1 for outcome in outcomes if outcome is not None) == 1
    assert len(receiver.received) == 1


def test_four_fan_outs_side_by_side_consume_every_change_once(subscribed, programs):
    history = Change.objects.count()  # consumed before the subscription
    for limit in range(1, 9):
        create_control(program=programs["feeder_2"], start=NOW, duration=60, values={"opModMaxLimW": limit})

    consumed = side_by_side(tasks.fan_out)

    assert sum(consumed) == Change.objects.count() - history
    assert not Change.objects.filter(consumed_at__isnull=True).exists()
    assert Notification.objects.filter(state=Notification.State.PENDING).count() == 1
