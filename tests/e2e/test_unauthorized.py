"""CSIP 5.2.1.4 over real HTTPS: an LFDI nobody approved, or one revoked, gets the configured 4xx and an
empty body on every 2030.5 URL and method — including URLs of resources that exist — and changes nothing."""

import pytest

from csip_api import hrefs, urls
from csip_api.xml import NS
from derms import changefeed
from derms.changefeed import affected
from derms.models import Authorization, EndDevice, MirrorMeterReading
from derms.services import authorizations
from tests.csip_api.documents import (
    AVAILABILITY,
    CAPABILITY,
    REFUSED,
    log_event_body,
    meter_reading_body,
    mup_body,
    reading,
    response_body,
    settings_body,
    status_body,
)
from tests.csip_api.stored import snapshot
from tests.tls.servers import CsipClient

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

#: Each server, and the status it is configured to refuse with (nginx fronts the 404 proxied gunicorn).
SERVERS = [("embedded_api", 404), ("embedded_api_403", 403), ("nginx", 404)]


def port_of(request, server: str) -> int:
    found = request.getfixturevalue(server)
    return found.api_port if server == "nginx" else found.port


def every_request(ids: dict[str, int]) -> list[tuple[str, str]]:
    """(method, url) for every method of every route of csip_api/urls.py, its ids filled in from ``ids``."""
    return [
        (method, hrefs.href(str(route.pattern), **{name: ids[name] for name in route.pattern.converters}))
        for route in urls.urlpatterns
        for method in route.callback.view_class.allowed_methods()
    ]


def own_one_of_everything(client: CsipClient, direct, programs, events) -> dict[str, int]:
    """The direct DER reports, mirrors, logs and responds over HTTPS; the ids of what exists by route."""
    edev = direct.end_device.pk
    for resource, body in (
        (hrefs.DER_CAPABILITY, CAPABILITY),
        (hrefs.DER_SETTINGS, settings_body(4000)),
        (hrefs.DER_STATUS, status_body(1700000000)),
        (hrefs.DER_AVAILABILITY, AVAILABILITY),
    ):
        assert client.put(hrefs.href(resource, edev=edev, der=hrefs.DER_ID), body).status == 204
    mup = client.post("/mup", mup_body(direct.lfdi)).location
    client.post(mup, meter_reading_body(reading(1700000000, 4200)))
    lel = client.post(hrefs.href(hrefs.LOG_EVENT_LIST, edev=edev), log_event_body(2, at=1700000000)).location
    feeder, event = programs["feeder_1"].pk, events["scheduled"]
    rsp = client.post(
        hrefs.href(hrefs.RESPONSE_LIST, rsps=feeder), response_body(event, direct.lfdi, 1)
    ).location
    subscription = (
        f'<Subscription xmlns="{NS}"><subscribedResource>{hrefs.href(hrefs.FSA_LIST, edev=edev)}'
        "</subscribedResource><encoding>0</encoding><level>+S1</level><limit>1</limit>"
        "<notificationURI>https://127.0.0.1:9/notify</notificationURI></Subscription>"
    )
    sub = client.post(hrefs.href(hrefs.SUBSCRIPTION_LIST, edev=edev), subscription).location
    ids = {
        "sub": int(sub.rsplit("/", 1)[1]),
        "edev": edev,
        "der": hrefs.DER_ID,
        "fsa": hrefs.TOPOLOGY_FSA,
        "lel": int(lel.rsplit("/", 1)[1]),
        "derp": feeder,
        "derc": event.pk,
        "dc": events["curve"].pk,
        "rsps": feeder,
        "rsp": int(rsp.rsplit("/", 1)[1]),
        "mup": int(mup.rsplit("/", 1)[1]),
        "mr": MirrorMeterReading.objects.get().pk,
    }
    # Each URL names something that exists: its owner reads it.
    for method, url in every_request(ids):
        if method == "GET":
            assert client.get(url).status == 200, url
    return ids


def refusals(client: CsipClient, ids: dict[str, int]) -> dict[tuple[str, str], tuple[int, bytes]]:
    answers = {}
    for method, url in every_request(ids):
        response = client.request(method, url, b"" if method in ("POST", "PUT") else None)
        answers[method, url] = (response.status, response.body)
    return answers


@pytest.mark.parametrize(("server", "status"), SERVERS)
def test_an_unknown_lfdi_gets_the_configured_status_on_every_url(
    request, connect, direct, programs, events, stranger_cert, server, status
):
    port = port_of(request, server)
    ids = own_one_of_everything(connect(port, direct.certificate), direct, programs, events)
    stranger = connect(port, stranger_cert)
    stranger.get("/dcap")  # its first request records it as seen (tests/tls/test_authorization.py)
    before = snapshot()

    answers = refusals(stranger, ids)

    assert set(answers.values()) == {(status, REFUSED), (status, b"")}, answers
    assert {body for (method, _), (_, body) in answers.items() if method == "HEAD"} == {b""}
    assert snapshot() == before


def revoke(party) -> None:
    authorizations.revoke(actor=None, authorization=Authorization.objects.get(lfdi=party.lfdi))


def disable(party) -> None:
    """What a superuser's unticking "enabled" on the EndDevice in the admin does (derms.admin.audited)."""
    end_device = EndDevice.objects.get(pk=party.end_device.pk)
    end_device.enabled = False
    end_device.save(update_fields=["enabled"])
    changefeed.record("changed", affected.objects([end_device]))


@pytest.mark.parametrize("refuse", [revoke, disable], ids=["revoked", "disabled"])
@pytest.mark.parametrize(("server", "status"), SERVERS)
def test_a_revoked_or_disabled_client_gets_the_configured_status_on_every_url_even_of_its_own_resources(
    request, connect, direct, programs, events, server, status, refuse
):
    port = port_of(request, server)
    client = connect(port, direct.certificate)
    ids = own_one_of_everything(client, direct, programs, events)
    refuse(direct)
    client.get("/dcap")  # its first refused request records when it was last seen
    before = snapshot()

    answers = refusals(client, ids)

    assert set(answers.values()) == {(status, REFUSED), (status, b"")}, answers
    assert {body for (method, _), (_, body) in answers.items() if method == "HEAD"} == {b""}
    assert snapshot() == before


def test_a_disabled_aggregator_is_refused_on_its_next_request(embedded_api, connect, aggregator):
    client = connect(embedded_api.port, aggregator.certificate)
    der = hrefs.href(hrefs.END_DEVICE, edev=aggregator.ders[0].pk)
    assert client.get(der).status == 200

    disable(aggregator)

    assert (client.get(der).status, client.get("/dcap").status) == (404, 404)
