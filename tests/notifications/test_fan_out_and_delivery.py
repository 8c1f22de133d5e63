"""From a change to a Notification on a real HTTPS receiver: fan-out, coalescing, rendering, retries."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from lxml import etree

from csip_api import hrefs
from csip_api.identity import client_for_lfdi
from csip_api.xml import NS, schema_errors
from derms.changefeed import Change
from derms.events.services import (
    NOW,
    cancel_control,
    create_control,
    create_curve,
    create_program,
    update_default_control,
    update_program,
)
from derms.models import Authorization
from derms.services import authorizations
from groups.services import assign_groups
from notifications import delivery, fanout
from notifications.models import DeliveryAttempt, Notification, Subscription
from notifications.services import subscribe

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


@pytest.fixture
def subscribed(aggregator, programs, receiver):
    """The aggregator subscribed to feeder 2's DERControlList (its DERs follow it), to the receiver."""
    client = client_for_lfdi(aggregator.lfdi)
    path = hrefs.href(hrefs.CONTROL_LIST, derp=programs["feeder_2"].pk)
    subscription, _ = subscribe(
        client=client, subscribed_resource=path, notification_uri=receiver.uri, limit=5
    )
    Change.objects.update(consumed_at=timezone.now())  # the cast's own history is not news
    return subscription


def fan_out() -> list[int]:
    new = []
    while True:
        consumed, created = fanout.fan_out_batch(now=timezone.now())
        if not consumed:
            return new
        new += created


def send_due() -> None:
    """What the delivery tasks do once the coalescing window is over."""
    Notification.objects.filter(state=Notification.State.PENDING).update(due_at=timezone.now())
    for pk in Notification.objects.filter(state=Notification.State.PENDING).values_list("pk", flat=True):
        delivery.deliver(pk)


def schedule(program, **values):
    return create_control(program=program, start=NOW, duration=600, values=values or {"opModMaxLimW": 10})


def test_a_new_event_reaches_the_subscriber_as_a_schema_valid_notification(subscribed, programs, receiver):
    event = schedule(programs["feeder_2"])
    assert len(fan_out()) == 1

    send_due()

    [received] = receiver.received
    assert received.content_type == "application/sep+xml"
    document = etree.fromstring(received.body)
    assert document.tag == f"{{{NS}}}Notification"
    assert document.findtext(f"{{{NS}}}subscribedResource") == subscribed.subscribed_path
    assert document.findtext(f"{{{NS}}}status") == "0"
    assert document.findtext(f"{{{NS}}}subscriptionURI").startswith("https://")
    resource = document.find(f"{{{NS}}}Resource")
    assert resource.get(XSI_TYPE) == "DERControlList"
    assert resource.find(f"{{{NS}}}DERControl/{{{NS}}}mRID").text == event.mrid
    if django_settings.CSIP_SCHEMA_PATH:
        assert schema_errors(received.body) == []
    notification = Notification.objects.get()
    assert (notification.state, notification.attempts) == (Notification.State.DELIVERED, 1)


def test_the_receiver_sees_the_servers_own_client_certificate(subscribed, programs, receiver, server_pki):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from derms.lfdi import lfdi_from_certificate

    schedule(programs["feeder_2"])
    fan_out()
    send_due()

    notifier = x509.load_pem_x509_certificate(server_pki.notifier_cert.read_bytes())
    assert receiver.received[0].sender_lfdi == lfdi_from_certificate(notifier.public_bytes(Encoding.DER))


def test_ten_changes_in_the_window_make_one_notification_with_the_latest_state(
    subscribed, programs, receiver
):
    Subscription.objects.update(limit=20)
    events = []
    for limit in range(1, 10):
        events.append(schedule(programs["feeder_2"], opModMaxLimW=limit))
        fan_out()
    cancel_control(control=events[-1])
    fan_out()

    send_due()

    [received] = receiver.received
    listed = etree.fromstring(received.body).find(f"{{{NS}}}Resource")
    assert listed.get("results") == "9"
    statuses = [e.text for e in listed.iter(f"{{{NS}}}currentStatus")]
    assert "2" in statuses  # the cancellation, the last change, is in the one notification sent


def test_a_notification_carries_at_most_the_subscriptions_limit_of_items(subscribed, programs, receiver):
    for limit in range(1, 8):
        schedule(programs["feeder_2"], opModMaxLimW=limit)
    fan_out()

    send_due()

    listed = etree.fromstring(receiver.received[0].body).find(f"{{{NS}}}Resource")
    assert (listed.get("all"), listed.get("results")) == ("7", "5")


def test_a_change_elsewhere_notifies_nobody(subscribed, programs, receiver):
    schedule(programs["feeder_1"])
    update_default_control(program=programs["feeder_2"], values={"opModMaxLimW": 1})

    assert fan_out() == []


def test_a_receiver_that_is_down_gets_it_later_and_every_attempt_is_recorded(subscribed, programs, receiver):
    schedule(programs["feeder_2"])
    fan_out()
    receiver.stop()

    send_due()

    notification = Notification.objects.get()
    assert notification.state == Notification.State.PENDING
    assert notification.due_at > timezone.now()
    assert DeliveryAttempt.objects.get().http_status is None

    receiver.start()
    send_due()

    notification.refresh_from_db()
    assert notification.state == Notification.State.DELIVERED
    assert len(receiver.received) == 1
    assert DeliveryAttempt.objects.count() == 2


def test_a_server_error_is_retried_and_a_refusal_is_final(subscribed, programs, receiver):
    schedule(programs["feeder_2"])
    fan_out()
    receiver.answer = 503
    send_due()
    assert Notification.objects.get().state == Notification.State.PENDING

    receiver.answer = 403
    send_due()

    notification = Notification.objects.get()
    assert notification.state == Notification.State.FAILED
    assert notification.last_error == "HTTP 403"
    assert list(DeliveryAttempt.objects.values_list("http_status", flat=True)) == [503, 403]


def test_a_notification_is_given_up_after_the_last_attempt_and_kept(subscribed, programs, receiver, settings):
    settings.DERMS_NOTIFY_MAX_ATTEMPTS = 2
    schedule(programs["feeder_2"])
    fan_out()
    receiver.stop()

    send_due()
    send_due()

    notification = Notification.objects.get()
    assert (notification.state, notification.attempts) == (Notification.State.FAILED, 2)


def test_a_notification_claimed_by_a_live_worker_is_not_sent_twice(subscribed, programs, receiver):
    schedule(programs["feeder_2"])
    [pk] = fan_out()
    Notification.objects.filter(pk=pk).update(
        due_at=timezone.now(), claimed_until=timezone.now() + dt.timedelta(minutes=1)
    )

    assert delivery.deliver(pk) is None
    assert receiver.received == []


def test_a_claim_left_by_a_dead_worker_is_taken_over(subscribed, programs, receiver):
    schedule(programs["feeder_2"])
    [pk] = fan_out()
    Notification.objects.filter(pk=pk).update(
        due_at=timezone.now(), claimed_until=timezone.now() - dt.timedelta(seconds=1), attempts=1
    )

    assert delivery.deliver(pk).delivered
    assert len(receiver.received) == 1


def test_a_deleted_program_tells_its_subscribers_the_resource_is_gone(
    subscribed, programs, receiver, django_user_model, client
):
    program = programs["feeder_2"]
    from derms import changefeed
    from derms.changefeed import affected

    changefeed.record("deleted", affected.program(program))
    program.delete()
    fan_out()

    send_due()

    document = etree.fromstring(receiver.received[0].body)
    assert document.findtext(f"{{{NS}}}status") == "4"
    assert document.find(f"{{{NS}}}Resource") is None
    assert not Subscription.objects.exists()


def test_an_expired_subscription_is_sent_nothing(subscribed, programs, receiver):
    Subscription.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    schedule(programs["feeder_2"])

    assert fan_out() == []


def test_a_subscriber_revoked_since_is_sent_nothing(subscribed, programs, receiver, aggregator):
    schedule(programs["feeder_2"])
    fan_out()
    Authorization.objects.filter(lfdi=aggregator.lfdi).update(status=Authorization.Status.REVOKED)

    send_due()

    assert receiver.received == []
    assert Notification.objects.get().state == Notification.State.FAILED


def test_a_supersede_announced_for_later_is_fanned_out_when_its_time_comes(subscribed, programs, receiver):
    start = timezone.now() + dt.timedelta(minutes=10)
    program = programs["feeder_2"]
    create_control(program=program, start=start, duration=3600, values={"opModMaxLimW": 5})
    create_control(
        program=program, start=start + dt.timedelta(minutes=5), duration=60, values={"opModMaxLimW": 1}
    )
    fan_out()
    send_due()
    receiver.received.clear()

    assert fanout.fan_out_batch(now=start + dt.timedelta(minutes=6))[1] != []


def _change_each_kind(kind, *, aggregator, programs, grid):
    """Make the change a subscription to ``kind`` must hear of; return the subscribed path."""
    der = aggregator.managed[0]
    feeder_2 = programs["feeder_2"]
    if kind == "EndDeviceList":
        entry = Authorization.objects.get(lfdi=der.lfdi)
        authorizations.revoke(actor=None, authorization=entry)
        return hrefs.href(hrefs.END_DEVICE_LIST)
    if kind == "EndDevice":
        assign_groups(actor=None, end_device=der, topology_group=grid["sp_1"])
        return hrefs.href(hrefs.END_DEVICE, edev=der.pk)
    if kind == "FunctionSetAssignmentsList":
        assign_groups(
            actor=None, end_device=der, topology_group=grid["sp_2"], non_topology_groups=[grid["z"]]
        )
        return hrefs.href(hrefs.FSA_LIST, edev=der.pk)
    if kind == "DERProgramList":
        create_program(group=grid["sp_2"], primacy=70, description="SP-2")
        return hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=der.pk, fsa=hrefs.TOPOLOGY_FSA)
    if kind == "DERProgram":
        update_program(program=feeder_2, primacy=60, description="Feeder 2 first")
        return hrefs.href(hrefs.PROGRAM, derp=feeder_2.pk)
    if kind == "DefaultDERControl":
        update_default_control(program=feeder_2, values={"opModMaxLimW": 50})
        return hrefs.href(hrefs.DEFAULT_CONTROL, derp=feeder_2.pk)
    if kind == "DERCurveList":
        create_curve(
            program=feeder_2, curve_type=11, points=[(9000, 3000, None), (11000, -3000, None)], y_ref_type=3
        )
        return hrefs.href(hrefs.CURVE_LIST, derp=feeder_2.pk)
    raise AssertionError(kind)


KINDS = [
    ("EndDeviceList", "EndDeviceList"),
    ("EndDevice", "EndDevice"),
    ("FunctionSetAssignmentsList", "FunctionSetAssignmentsList"),
    ("DERProgramList", "DERProgramList"),
    ("DERProgram", "DERProgram"),
    ("DefaultDERControl", "DefaultDERControl"),
    ("DERCurveList", "DERCurveList"),
]


@pytest.mark.parametrize(("kind", "resource_type"), KINDS)
def test_each_kind_of_change_reaches_a_subscriber_of_that_resource(
    kind, resource_type, aggregator, programs, grid, receiver
):
    client = client_for_lfdi(aggregator.lfdi)
    der = aggregator.managed[0]
    paths = {
        "EndDeviceList": hrefs.href(hrefs.END_DEVICE_LIST),
        "EndDevice": hrefs.href(hrefs.END_DEVICE, edev=der.pk),
        "FunctionSetAssignmentsList": hrefs.href(hrefs.FSA_LIST, edev=der.pk),
        "DERProgramList": hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=der.pk, fsa=hrefs.TOPOLOGY_FSA),
        "DERProgram": hrefs.href(hrefs.PROGRAM, derp=programs["feeder_2"].pk),
        "DefaultDERControl": hrefs.href(hrefs.DEFAULT_CONTROL, derp=programs["feeder_2"].pk),
        "DERCurveList": hrefs.href(hrefs.CURVE_LIST, derp=programs["feeder_2"].pk),
    }
    subscribe(client=client, subscribed_resource=paths[kind], notification_uri=receiver.uri, limit=10)
    Change.objects.update(consumed_at=timezone.now())

    assert _change_each_kind(kind, aggregator=aggregator, programs=programs, grid=grid) == paths[kind]
    assert len(fan_out()) == 1
    send_due()

    [received] = receiver.received
    document = etree.fromstring(received.body)
    assert document.find(f"{{{NS}}}Resource").get(XSI_TYPE) == resource_type
    if django_settings.CSIP_SCHEMA_PATH:
        assert schema_errors(received.body) == []
