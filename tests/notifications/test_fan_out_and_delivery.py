"""From a change to a Notification on a real HTTPS receiver: fan-out, coalescing, rendering, retries."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
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
from derms.events.tasks import JOB, record_transitions
from derms.lfdi import sfdi_from_lfdi
from derms.models import Authorization, ClockWatermark, DERControl, Role
from derms.services import authorizations
from derms.services.registration import deregister_end_device, register_end_device
from groups.services import assign_groups, move_subtree
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


def _past_event(program, *, start: dt.datetime, seconds: int):
    """An event scheduled before the clock job last ran, as the server wrote it then."""
    created = start - dt.timedelta(hours=1)
    return DERControl.objects.create(
        program=program,
        creation_time=created,
        status_time=created,
        start=start,
        duration=seconds,
        op_mod_max_lim_w=1,
    )


def _clock(program, *, start: dt.datetime, seconds: int):
    ClockWatermark.objects.update_or_create(
        job=JOB, defaults={"reached": timezone.now() - dt.timedelta(minutes=10)}
    )
    _past_event(program, start=start, seconds=seconds)


def _registered(aggregator, grid):
    lfdi = "f" * 40
    Authorization.objects.create(
        lfdi=lfdi,
        role=Role.MANAGED,
        aggregator=aggregator.end_device,
        topology_group=grid["sp_2"],
        status=Authorization.Status.APPROVED,
        registration_mode=Authorization.RegistrationMode.IN_BAND,
    )
    register_end_device(registrant_lfdi=aggregator.lfdi, lfdi=lfdi, sfdi=sfdi_from_lfdi(lfdi))


def _entry(der):
    return Authorization.objects.get(lfdi=der.lfdi)


NOW_MINUS = dt.timedelta(minutes=5)
#: Each change the feed records, the resource whose subscriber must hear of it, what comes first.
CHANGES = {
    "control created": ("controls", None, lambda c: schedule(c.feeder_2)),
    "control cancelled": (
        "controls",
        lambda c: c.keep(schedule(c.feeder_2)),
        lambda c: cancel_control(control=c.kept),
    ),
    "control superseded": (
        "controls",
        lambda c: schedule(c.feeder_2),
        lambda c: schedule(c.feeder_2),
    ),
    "event started by the clock": (
        "controls",
        lambda c: _clock(c.feeder_2, start=timezone.now() - NOW_MINUS, seconds=3600),
        lambda c: record_transitions(),
    ),
    "event ended by the clock": (
        "controls",
        lambda c: _clock(c.feeder_2, start=timezone.now() - 2 * NOW_MINUS, seconds=60),
        lambda c: record_transitions(),
    ),
    "default control": (
        "default",
        None,
        lambda c: update_default_control(program=c.feeder_2, values={"opModMaxLimW": 50}),
    ),
    "primacy and description": (
        "program",
        None,
        lambda c: update_program(program=c.feeder_2, primacy=60, description="Feeder 2 first"),
    ),
    "curve": (
        "curves",
        None,
        lambda c: create_curve(
            program=c.feeder_2, curve_type=11, points=[(9000, 3000, None), (11000, -3000, None)], y_ref_type=3
        ),
    ),
    "registration": ("end devices", None, lambda c: _registered(c.aggregator, c.grid)),
    "deregistration": ("end devices", None, lambda c: deregister(c)),
    "revocation (disable)": (
        "end devices",
        None,
        lambda c: authorizations.revoke(actor=None, authorization=_entry(c.der)),
    ),
    "approval again (enable)": (
        "end devices",
        lambda c: authorizations.revoke(actor=None, authorization=_entry(c.der)),
        lambda c: authorizations.approve(actor=None, authorization=_entry(c.der)),
    ),
    "topology reassignment": (
        "assignments",
        None,
        lambda c: assign_groups(actor=None, end_device=c.der, topology_group=c.grid["sp_1"]),
    ),
    "a DER moved (its EndDevice)": (
        "end device",
        None,
        lambda c: assign_groups(actor=None, end_device=c.der, topology_group=c.grid["feeder_2"]),
    ),
    "non-topology groups": (
        "programs of the DER",
        None,
        lambda c: assign_groups(
            actor=None, end_device=c.der, topology_group=c.grid["sp_2"], non_topology_groups=[c.grid["z"]]
        ),
    ),
    "a program for the DER's group": (
        "programs of the DER",
        None,
        lambda c: create_program(group=c.grid["sp_2"], primacy=70, description="SP-2"),
    ),
    "subtree move": (
        "assignments",
        None,
        lambda c: move_subtree(actor=None, node=c.grid["sp_2"], new_parent=c.grid["feeder_1"]),
    ),
}


def deregister(cast):
    with override_settings(CSIP_AGGREGATOR_MAY_DELETE=True):
        deregister_end_device(remover=cast.aggregator.end_device, end_device=cast.der)


class Cast:
    def __init__(self, aggregator, programs, grid):
        self.aggregator, self.grid = aggregator, grid
        self.der = aggregator.managed[0]
        self.feeder_2 = programs["feeder_2"]
        self.kept = None

    def keep(self, obj):
        self.kept = obj

    def path(self, name: str) -> str:
        return {
            "controls": hrefs.href(hrefs.CONTROL_LIST, derp=self.feeder_2.pk),
            "default": hrefs.href(hrefs.DEFAULT_CONTROL, derp=self.feeder_2.pk),
            "program": hrefs.href(hrefs.PROGRAM, derp=self.feeder_2.pk),
            "curves": hrefs.href(hrefs.CURVE_LIST, derp=self.feeder_2.pk),
            "end devices": hrefs.href(hrefs.END_DEVICE_LIST),
            "end device": hrefs.href(hrefs.END_DEVICE, edev=self.der.pk),
            "assignments": hrefs.href(hrefs.FSA_LIST, edev=self.der.pk),
            "programs of the DER": hrefs.href(
                hrefs.FSA_PROGRAM_LIST, edev=self.der.pk, fsa=hrefs.TOPOLOGY_FSA
            ),
        }[name]


@pytest.mark.parametrize("change", CHANGES)
def test_each_kind_of_change_reaches_a_subscriber_as_a_schema_valid_notification(
    change, aggregator, programs, grid, receiver
):
    resource, before, make = CHANGES[change]
    cast = Cast(aggregator, programs, grid)
    if before is not None:
        before(cast)
    path = cast.path(resource)
    subscribe(
        client=client_for_lfdi(aggregator.lfdi),
        subscribed_resource=path,
        notification_uri=receiver.uri,
        limit=10,
    )
    Change.objects.update(consumed_at=timezone.now())

    make(cast)
    assert len(fan_out()) == 1, change
    send_due()

    [received] = receiver.received
    document = etree.fromstring(received.body)
    assert document.findtext(f"{{{NS}}}subscribedResource") == path
    assert document.find(f"{{{NS}}}Resource") is not None
    if django_settings.CSIP_SCHEMA_PATH:
        assert schema_errors(received.body) == []
