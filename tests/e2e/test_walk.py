"""Over real HTTPS, a client discovers everything from /dcap by following hrefs, and sees only its own
(CSIP 5.2.1.5, 5.2.3): dcap -> edev -> fsa -> derp -> derc / dderc / dc / actderc."""

import pytest

from csip_api import hrefs
from tests.csip_api.documents import REFUSED
from tests.csip_api.walking import walk

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

PROGRAM_LINKS = (hrefs.DEFAULT_CONTROL, hrefs.CONTROL_LIST, hrefs.ACTIVE_CONTROL_LIST, hrefs.CURVE_LIST)


def hrefs_of(walked, tag: str) -> set[str]:
    return {entry.get("href") for entry in walked.entries(tag)}


def test_direct_der_walks_to_its_programs_events_and_curves(api_port, connect, direct, programs, events):
    walked = walk(connect(api_port, direct.certificate).fetch)

    assert hrefs_of(walked, "EndDevice") == {hrefs.href(hrefs.END_DEVICE, edev=direct.end_device.pk)}
    visible = [programs[key] for key in ("system", "feeder_1", "sp_1", "z")]
    assert hrefs_of(walked, "DERProgram") == {hrefs.href(hrefs.PROGRAM, derp=p.pk) for p in visible}
    for program in visible:
        for pattern in PROGRAM_LINKS:
            assert walked.statuses[hrefs.href(pattern, derp=program.pk)] == 200
    feeder = programs["feeder_1"].pk
    assert hrefs_of(walked, "DERControl") == {
        hrefs.href(hrefs.CONTROL, derp=feeder, derc=events[key].pk) for key in ("active", "scheduled")
    }
    active = walked.documents[hrefs.href(hrefs.ACTIVE_CONTROL_LIST, derp=feeder)]
    assert [e.get("href") for e in active] == [
        hrefs.href(hrefs.CONTROL, derp=feeder, derc=events["active"].pk)
    ]
    assert walked.statuses[hrefs.href(hrefs.CURVE, derp=feeder, dc=events["curve"].pk)] == 200


def test_aggregator_walks_to_the_programs_of_its_ders_and_sees_no_other_device(
    api_port, connect, aggregator, direct, programs, events
):
    walked = walk(connect(api_port, aggregator.certificate).fetch)

    own = [aggregator.end_device, *aggregator.ders]
    assert hrefs_of(walked, "EndDevice") == {hrefs.href(hrefs.END_DEVICE, edev=d.pk) for d in own}
    assert walked.of("EndDeviceList")[0].get("all") == "3"
    visible = [programs[key] for key in ("system", "feeder_2", "y")]
    assert hrefs_of(walked, "DERProgram") == {hrefs.href(hrefs.PROGRAM, derp=p.pk) for p in visible}
    assert hrefs_of(walked, "DERControl") == {
        hrefs.href(hrefs.CONTROL, derp=programs["feeder_2"].pk, derc=events["other_feeder"].pk)
    }
    assert not any(f"/edev/{direct.end_device.pk}" in href for href in walked.statuses)


def test_aggregator_gets_not_found_for_another_clients_resources(
    api_port, connect, aggregator, direct, programs
):
    client = connect(api_port, aggregator.certificate)

    for url in (
        hrefs.href(hrefs.END_DEVICE, edev=direct.end_device.pk),
        hrefs.href(hrefs.FSA_LIST, edev=direct.end_device.pk),
        hrefs.href(hrefs.PROGRAM, derp=programs["feeder_1"].pk),
    ):
        response = client.get(url)
        assert (response.status, response.body) == (404, REFUSED), url


@pytest.mark.parametrize(("server", "status"), [("embedded_api", 404), ("embedded_api_403", 403)])
def test_a_stranger_sees_nothing(request, connect, direct, stranger_cert, server, status):
    port = request.getfixturevalue(server).port

    walked = walk(connect(port, stranger_cert).fetch)

    assert walked.documents == {}
    assert walked.statuses == {"/dcap": status}
