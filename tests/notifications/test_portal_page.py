"""Staff see whether subscribers are being told: the change-feed backlog and every failed notification."""

from django.urls import reverse
from django.utils import timezone

from derms.changefeed import Change
from derms.events.services import update_default_control
from notifications.models import Notification


def test_staff_see_the_backlog_and_the_failed_notifications(
    dispatcher, client, programs, django_assert_max_num_queries
):
    Change.objects.update(consumed_at=timezone.now())
    update_default_control(program=programs["system"], values={"opModMaxLimW": 1})
    Notification.objects.create(
        subscribed_path="/derp/1/derc",
        notification_uri="https://aggregator.example.com/notify",
        change_id=1,
        state=Notification.State.FAILED,
        attempts=15,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    client.force_login(dispatcher)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("notifications:overview"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="backlog">1<' in page
    assert "https://aggregator.example.com/notify" in page
    assert "Connection refused" in page


def test_the_page_is_for_staff_only(client, db):
    response = client.get(reverse("notifications:overview"))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url
