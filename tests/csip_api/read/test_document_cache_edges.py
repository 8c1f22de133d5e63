"""The document cache at its edges: subscriptions dropped by delivery, bulk admin deletes racing a read, and
events changing by the clock alone. Each read must equal a fresh render."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.utils import timezone

from csip_api import hrefs, identity
from derms import changefeed
from derms.changefeed import Change, affected
from derms.events.services import create_control
from derms.models import Authorization
from notifications import delivery, fanout
from notifications.models import Notification, Subscription
from notifications.services import subscribe
from tests.csip_api.read.conftest import Actor
from tests.csip_api.read.test_document_cache import fresh, remember, served

pytestmark = pytest.mark.usefixtures("transactional_db")


def _fan_out_and_deliver() -> None:
    while fanout.fan_out_batch(now=timezone.now())[0]:
        pass
    Notification.objects.filter(state=Notification.State.PENDING).update(due_at=timezone.now())
    for pk in Notification.objects.filter(state=Notification.State.PENDING).values_list("pk", flat=True):
        delivery.deliver(pk)


def test_a_subscription_dropped_after_its_resource_was_deleted_leaves_the_count(
    aggregator, programs, receiver
):
    program = programs["feeder_2"]
    subscribe(
        client=identity.client_for_lfdi(aggregator.lfdi),
        subscribed_resource=hrefs.href(hrefs.CONTROL_LIST, derp=program.pk),
        notification_uri=receiver.uri,
        limit=5,
    )
    Change.objects.update(consumed_at=timezone.now())
    own = hrefs.href(hrefs.END_DEVICE, edev=aggregator.end_device.pk)
    before = remember(aggregator, own, "/edev?l=10")
    assert b'all="1"' in before[own]

    # What AuditedModelAdmin.delete_model does for a program deleted in the admin.
    changefeed.record("deleted", affected.objects([program]))
    program.delete()
    remember(aggregator, own, "/edev?l=10")  # polled between the deletion and the delivery
    _fan_out_and_deliver()
    assert not Subscription.objects.exists()

    for url in (own, "/edev?l=10"):
        cached = served(aggregator, url)
        assert cached == fresh(aggregator, url), (
            f"{url}: SubscriptionList count stale after delivery dropped it"
        )


def test_an_authorization_deleted_in_bulk_in_the_admin_is_refused_despite_a_racing_read(
    direct_der, django_user_model, rf, monkeypatch
):
    """The admin's "Delete selected" action runs outside any transaction; AuditedModelAdmin.delete_queryset
    records and deletes in one, so a read arriving in between cannot remember the client under the versions
    the record bumps."""
    url = "/dcap"
    remember(direct_der, url)
    original = admin.ModelAdmin.delete_queryset

    def delete_queryset_after_a_read(self, request, queryset):
        def read():
            try:
                served(Actor(direct_der.header, direct_der.lfdi, None, Client()), url)
            finally:
                connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=30)
        return original(self, request, queryset)

    monkeypatch.setattr(admin.ModelAdmin, "delete_queryset", delete_queryset_after_a_read)
    request = rf.post("/admin/derms/authorization/")
    request.user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    model_admin = admin.site._registry[Authorization]
    model_admin.delete_queryset(request, Authorization.objects.filter(lfdi=direct_der.lfdi))
    assert not Authorization.objects.filter(lfdi=direct_der.lfdi).exists()

    status = direct_der.get(url).status_code
    assert status == settings.CSIP_UNAUTHORIZED_STATUS, f"deleted client still served ({status})"


def test_an_authorization_deleted_in_bulk_without_a_racing_read_is_refused(direct_der, django_user_model, rf):
    """The control: the same deletion with no request in between is refused on the next request."""

    remember(direct_der, "/dcap")
    request = rf.post("/admin/derms/authorization/")
    request.user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    admin.site._registry[Authorization].delete_queryset(
        request, Authorization.objects.filter(lfdi=direct_der.lfdi)
    )
    assert direct_der.get("/dcap").status_code == settings.CSIP_UNAUTHORIZED_STATUS


def test_a_supersede_and_a_randomized_start_take_effect_at_their_instant(direct_der, programs, monkeypatch):
    """Soundness probe: documents that change by the clock alone read as fresh at each instant."""
    program = programs["feeder_1"]
    clock = {"now": timezone.now().replace(microsecond=0)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    start = clock["now"] + dt.timedelta(minutes=10)
    create_control(program=program, start=start, duration=3600, values={"opModMaxLimW": 5})
    create_control(
        program=program,
        start=start + dt.timedelta(minutes=5),
        duration=60,
        randomize_start=-120,
        values={"opModMaxLimW": 1},
    )
    urls = [
        hrefs.href(hrefs.CONTROL_LIST, derp=program.pk) + "?l=20",
        hrefs.href(hrefs.ACTIVE_CONTROL_LIST, derp=program.pk) + "?l=20",
        hrefs.href(hrefs.PROGRAM, derp=program.pk),
        hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=direct_der.end_device.pk, fsa=hrefs.TOPOLOGY_FSA) + "?l=20",
    ]
    moments = [
        start - dt.timedelta(microseconds=1),
        start,
        start + dt.timedelta(minutes=3) - dt.timedelta(microseconds=1),
        start + dt.timedelta(minutes=3),  # the newer event's randomized start: the supersede too
        start + dt.timedelta(minutes=6, seconds=59),
        start + dt.timedelta(minutes=7),
    ]
    for moment in moments:
        for url in urls:
            served(direct_der, url)
        clock["now"] = moment
        for url in urls:
            cached = served(direct_der, url)
            assert cached == fresh(direct_der, url), (moment, url)
            served(direct_der, url)
