"""A notification tells its subscriber of a change no sooner than the change's own writer may: only once
every process's leased copy of the feed (derms.changefeed.lease) from before the state it carries has run
out, so a read the subscriber makes on hearing of it is answered as the notification says."""

import time

import pytest
from django.conf import settings

from notifications import delivery
from tests.notifications.test_fan_out_and_delivery import fan_out, schedule, send_due, subscribed  # noqa: F401


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("subscribed")
def test_a_notification_is_posted_a_lease_after_the_state_it_carries_was_read(
    programs, receiver, monkeypatch
):
    moments = {}
    render, post = delivery.render, delivery.post

    def timed_render(notification):
        body = render(notification)
        moments["read"] = time.monotonic()
        return body

    def timed_post(uri, body):
        moments["posted"] = time.monotonic()
        return post(uri, body)

    monkeypatch.setattr(delivery, "render", timed_render)
    monkeypatch.setattr(delivery, "post", timed_post)
    # A pending notification (a retry, or one a newer change folded into) may be due at once: the change
    # it carries may have committed a moment ago, its writer still waiting out the leases.
    schedule(programs["feeder_2"])
    fan_out()
    send_due()
    assert len(receiver.received) == 1
    assert moments["posted"] - moments["read"] >= settings.DERMS_VERSION_LEASE
