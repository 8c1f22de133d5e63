"""A client discovers everything from /dcap by following hrefs, and sees only what is its own."""

from csip_api import hrefs
from derms.models import Authorization, Role
from tests.csip_api.documents import REFUSED
from tests.tls.servers import forwarded_header

from .conftest import Actor


def _end_device_hrefs(walk):
    return {e.get("href") for e in walk.entries("EndDevice")}


def _program_hrefs(walk):
    return {e.get("href") for e in walk.entries("DERProgram")}


def test_direct_der_walks_from_dcap_to_its_programs_controls_and_curves(direct_der, programs, events):
    walk = direct_der.walk()

    assert _end_device_hrefs(walk) == {hrefs.href(hrefs.END_DEVICE, edev=direct_der.end_device.pk)}
    expected = {hrefs.href(hrefs.PROGRAM, derp=programs[k].pk) for k in ("system", "feeder_1", "sp_1", "z")}
    assert _program_hrefs(walk) == expected
    for key in ("system", "feeder_1", "sp_1", "z"):
        derp = programs[key].pk
        for pattern in (
            hrefs.DEFAULT_CONTROL,
            hrefs.CONTROL_LIST,
            hrefs.ACTIVE_CONTROL_LIST,
            hrefs.CURVE_LIST,
        ):
            assert walk.statuses[hrefs.href(pattern, derp=derp)] == 200
    controls = {e.get("href") for e in walk.entries("DERControl")}
    assert hrefs.href(hrefs.CONTROL, derp=programs["feeder_1"].pk, derc=events["active"].pk) in controls
    assert hrefs.href(hrefs.CONTROL, derp=programs["feeder_1"].pk, derc=events["scheduled"].pk) in controls
    assert walk.statuses[hrefs.href(hrefs.CURVE, derp=programs["feeder_1"].pk, dc=events["curve"].pk)] == 200
    assert all(status in (200, 404) for status in walk.statuses.values())


def test_direct_der_never_meets_another_feeders_program_or_event(direct_der, programs, events):
    walk = direct_der.walk()

    assert hrefs.href(hrefs.PROGRAM, derp=programs["feeder_2"].pk) not in walk.statuses
    assert hrefs.href(hrefs.PROGRAM, derp=programs["y"].pk) not in walk.statuses
    assert all(
        e.get("href").split("/")[2] != str(programs["feeder_2"].pk) for e in walk.entries("DERControl")
    )


def test_aggregator_walks_to_the_programs_of_every_der_it_manages(aggregator, programs, events):
    walk = aggregator.walk()

    own = {aggregator.end_device, *aggregator.managed}
    assert _end_device_hrefs(walk) == {hrefs.href(hrefs.END_DEVICE, edev=d.pk) for d in own}
    expected = {hrefs.href(hrefs.PROGRAM, derp=programs[k].pk) for k in ("system", "feeder_2", "y")}
    assert _program_hrefs(walk) == expected
    controls = {e.get("href") for e in walk.entries("DERControl")}
    assert controls == {
        hrefs.href(hrefs.CONTROL, derp=programs["feeder_2"].pk, derc=events["other_feeder"].pk)
    }


def test_aggregator_sees_only_its_own_end_devices(aggregator, direct_der):
    walk = aggregator.walk()

    listed = walk.of("EndDeviceList")[0]
    assert listed.get("all") == "3"
    assert hrefs.href(hrefs.END_DEVICE, edev=direct_der.end_device.pk) not in _end_device_hrefs(walk)
    assert aggregator.get(hrefs.href(hrefs.END_DEVICE, edev=direct_der.end_device.pk)).status_code == 404
    assert aggregator.get(hrefs.href(hrefs.FSA_LIST, edev=direct_der.end_device.pk)).status_code == 404


def test_aggregator_has_subscriptions_but_no_fsa_of_its_own(aggregator):
    own = aggregator.end_device.pk

    assert aggregator.get(hrefs.href(hrefs.SUBSCRIPTION_LIST, edev=own)).status_code == 200
    assert aggregator.get(hrefs.href(hrefs.FSA_LIST, edev=own)).status_code == 404


def test_a_program_not_reached_through_an_fsa_answers_like_a_missing_one(direct_der, programs, events):
    other = programs["feeder_2"].pk
    missing = max(p.pk for p in programs.values()) + 100

    for derp in (other, missing):
        for pattern in (hrefs.PROGRAM, hrefs.DEFAULT_CONTROL, hrefs.CONTROL_LIST, hrefs.CURVE_LIST):
            response = direct_der.get(hrefs.href(pattern, derp=derp))
            assert (response.status_code, response.content) == (404, REFUSED)
    event = events["other_feeder"].pk
    assert direct_der.get(hrefs.href(hrefs.CONTROL, derp=other, derc=event)).status_code == 404
    # An event of a visible program is not reachable under another program's href either.
    own = programs["feeder_1"].pk
    assert direct_der.get(hrefs.href(hrefs.CONTROL, derp=own, derc=event)).status_code == 404


def test_stranger_sees_nothing(stranger, direct_der, settings):
    settings.CSIP_UNAUTHORIZED_STATUS = 403

    walk = stranger.walk()

    assert walk.documents == {}
    assert walk.statuses == {"/dcap": 403}
    for url in ("/tm", "/edev", hrefs.href(hrefs.END_DEVICE, edev=direct_der.end_device.pk)):
        assert stranger.get(url).status_code == 403


def test_a_client_without_a_certificate_gets_the_configured_status(client, db):
    assert client.get("/dcap").status_code == 404


def test_revoked_client_is_refused_on_its_next_request(direct_der):
    assert direct_der.get("/edev").status_code == 200

    Authorization.objects.filter(lfdi=direct_der.lfdi).update(status=Authorization.Status.REVOKED)

    assert direct_der.get("/edev").status_code == 404


def test_an_approved_client_not_yet_registered_finds_an_empty_end_device_list(client, certificate_of, db):
    certificate = certificate_of("in-band-der")
    Authorization.objects.create(
        lfdi=certificate.lfdi, role=Role.DIRECT, status=Authorization.Status.APPROVED
    )
    newcomer = Actor(forwarded_header(certificate), certificate.lfdi, None, client)

    walk = newcomer.walk()

    assert walk.of("EndDeviceList")[0].get("all") == "0"
    assert walk.entries("EndDevice") == []
    assert walk.entries("DERProgram") == []
