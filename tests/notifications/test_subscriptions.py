"""POST, GET and DELETE on a client's SubscriptionList, through the real identity path."""

import pytest
from django.conf import settings as django_settings
from lxml import etree

from csip_api import hrefs
from csip_api.xml import NS, schema_errors
from notifications.models import Subscription

RECEIVER = "https://subscriber.example.com/notify"


def subscription_xml(resource: str, uri: str = RECEIVER, *, limit: int = 10, extra: str = "") -> str:
    return (
        f'<Subscription xmlns="{NS}"><subscribedResource>{resource}</subscribedResource>{extra}'
        f"<encoding>0</encoding><level>+S1</level><limit>{limit}</limit>"
        f"<notificationURI>{uri}</notificationURI></Subscription>"
    )


@pytest.fixture(autouse=True)
def _public_receiver(monkeypatch):
    """subscriber.example.com is a public address, without asking DNS."""
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "subscriber.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def list_url(actor) -> str:
    return hrefs.href(hrefs.SUBSCRIPTION_LIST, edev=actor.end_device.pk)


def controls_of(program) -> str:
    return hrefs.href(hrefs.CONTROL_LIST, derp=program.pk)


def test_an_aggregator_subscribes_reads_and_deletes_its_subscription(aggregator, programs):
    response = aggregator.post(list_url(aggregator), subscription_xml(controls_of(programs["feeder_2"])))

    assert response.status_code == 201
    location = response["Location"]
    served = aggregator.get(location)
    assert served.status_code == 200
    document = etree.fromstring(served.content)
    assert document.findtext(f"{{{NS}}}subscribedResource") == controls_of(programs["feeder_2"])
    assert document.findtext(f"{{{NS}}}limit") == "10"
    listed = aggregator.get(list_url(aggregator) + "?l=10")
    assert etree.fromstring(listed.content).get("all") == "1"
    if django_settings.CSIP_SCHEMA_PATH:
        assert schema_errors(served.content) == []
        assert schema_errors(listed.content) == []

    assert aggregator.delete(location).status_code == 204
    assert aggregator.get(location).status_code == 404
    assert not Subscription.objects.exists()


def test_the_own_end_device_links_to_its_subscription_list_with_its_size(aggregator, programs):
    aggregator.post(list_url(aggregator), subscription_xml(controls_of(programs["feeder_2"])))

    document = etree.fromstring(
        aggregator.get(hrefs.href(hrefs.END_DEVICE, edev=aggregator.end_device.pk)).content
    )

    link = document.find(f"{{{NS}}}SubscriptionListLink")
    assert (link.get("href"), link.get("all")) == (list_url(aggregator), "1")


def test_posting_the_same_subscription_again_renews_it(aggregator, programs):
    body = subscription_xml(controls_of(programs["feeder_2"]))
    first = aggregator.post(list_url(aggregator), body)
    expires = Subscription.objects.get().expires_at

    again = aggregator.post(list_url(aggregator), body.replace("<limit>10", "<limit>3"))

    assert (again.status_code, again["Location"]) == (200, first["Location"])
    renewed = Subscription.objects.get()
    assert renewed.expires_at >= expires and renewed.limit == 3


@pytest.mark.parametrize(
    ("resource", "reason"),
    [
        ("feeder_1", "a program none of its DERs follows"),
        ("/tm", "a resource without notifications"),
        ("/nowhere", "no resource at all"),
    ],
)
def test_a_resource_the_client_may_not_read_or_that_has_no_notifications_is_refused(
    aggregator, programs, resource, reason
):
    path = controls_of(programs[resource]) if resource in programs else resource

    response = aggregator.post(list_url(aggregator), subscription_xml(path))

    assert response.status_code == 400, reason
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "uri",
    [
        "http://subscriber.example.com/notify",
        "notify",
        "https://127.0.0.1/notify",
        "https://10.1.2.3/notify",
        "https://169.254.1.1/notify",
        "https://[::1]/notify",
    ],
)
def test_plain_http_relative_and_private_notification_uris_are_refused(aggregator, programs, uri):
    response = aggregator.post(list_url(aggregator), subscription_xml(controls_of(programs["feeder_2"]), uri))

    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_a_private_receiver_is_allowed_when_the_setting_says_so(aggregator, programs, settings):
    settings.DERMS_NOTIFY_PRIVATE_ADDRESSES = True
    body = subscription_xml(controls_of(programs["feeder_2"]), "https://127.0.0.1:9/notify")

    assert aggregator.post(list_url(aggregator), body).status_code == 201


def test_conditions_and_other_encodings_are_refused(aggregator, programs):
    resource = controls_of(programs["feeder_2"])
    exi = subscription_xml(resource).replace("<encoding>0", "<encoding>1")
    conditional = subscription_xml(
        resource,
        extra="<Condition><attributeIdentifier>0</attributeIdentifier>"
        "<lowerThreshold>0</lowerThreshold><upperThreshold>1</upperThreshold></Condition>",
    )

    assert aggregator.post(list_url(aggregator), exi).status_code == 400
    assert aggregator.post(list_url(aggregator), conditional).status_code == 400
    assert not Subscription.objects.exists()


def test_a_direct_der_subscribes_unless_the_utility_turned_it_off(direct_der, programs, settings):
    body = subscription_xml(hrefs.href(hrefs.DEFAULT_CONTROL, derp=programs["sp_1"].pk))
    assert direct_der.post(list_url(direct_der), body).status_code == 201

    settings.CSIP_DIRECT_DER_SUBSCRIPTIONS = False

    assert direct_der.get(list_url(direct_der)).status_code == 404
    assert direct_der.post(list_url(direct_der), body).status_code == 404


def test_only_the_clients_own_end_device_has_a_subscription_list(aggregator, programs):
    der_list = hrefs.href(hrefs.SUBSCRIPTION_LIST, edev=aggregator.managed[0].pk)

    assert aggregator.get(der_list).status_code == 404
    assert aggregator.post(der_list, subscription_xml(controls_of(programs["feeder_2"]))).status_code == 404


def test_a_subscription_of_another_client_is_not_there(aggregator, direct_der, programs):
    location = aggregator.post(list_url(aggregator), subscription_xml(controls_of(programs["feeder_2"])))[
        "Location"
    ]
    theirs = location.replace(f"/edev/{aggregator.end_device.pk}/", f"/edev/{direct_der.end_device.pk}/")

    assert direct_der.get(theirs).status_code == 404
    assert direct_der.delete(theirs).status_code == 404
    assert Subscription.objects.count() == 1
