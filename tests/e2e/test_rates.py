"""Over real HTTPS: the pollRate and postRate a utility sets per resource reach its clients (CSIP 5.2.2,
5.2.5.1), with the settings as defaults."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from lxml import etree

from csip_api import hrefs
from derms.changefeed import Kind
from derms.models import AuditEntry, MirrorUsagePoint
from derms.services import rates
from tests.csip_api.documents import mup_body
from tests.factories import feed_actions

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


def attribute(client, path: str, name: str) -> str:
    response = client.get(path)
    assert response.status == 200, path
    return etree.fromstring(response.body).get(name)


def test_a_programs_poll_rate_is_the_pollrate_of_the_program_lists_holding_it(
    embedded_api, connect, direct, programs, events
):
    client = connect(embedded_api.port, direct.certificate)
    topology = hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=direct.end_device.pk, fsa=hrefs.TOPOLOGY_FSA)
    assert attribute(client, topology, "pollRate") == str(settings.CSIP_POLL_RATE)

    rates.set_program_poll_rate(program=programs["feeder_1"], seconds=60)

    assert attribute(client, topology, "pollRate") == "60"  # the fastest of its programs
    assert AuditEntry.objects.filter(action="der_program.poll_rate").exists()
    assert feed_actions(Kind.DER_PROGRAM, programs["feeder_1"])[-1] == "poll_rate_changed"


def test_an_end_devices_poll_rate_is_that_of_its_end_device_list_and_assignments(
    embedded_api, connect, direct, programs
):
    client = connect(embedded_api.port, direct.certificate)

    rates.set_end_device_poll_rate(end_device=direct.end_device, seconds=120)

    assert attribute(client, hrefs.href(hrefs.END_DEVICE_LIST), "pollRate") == "120"
    assert attribute(client, hrefs.href(hrefs.FSA_LIST, edev=direct.end_device.pk), "pollRate") == "120"
    assert feed_actions(Kind.END_DEVICE_LIST, direct.end_device)[-1] == "poll_rate_changed"


def test_the_utilitys_post_rate_for_a_mirror_wins_over_the_clients(embedded_api, connect, direct):
    client = connect(embedded_api.port, direct.certificate)
    location = client.post(hrefs.href(hrefs.MIRROR_USAGE_POINT_LIST), mup_body(direct.lfdi)).location
    usage_point = MirrorUsagePoint.objects.get()

    rates.set_mirror_post_rate(usage_point=usage_point, seconds=900)

    served = etree.fromstring(client.get(location).body)
    assert served.findtext("{urn:ieee:std:2030.5:ns}postRate") == "900"
    assert feed_actions(Kind.MIRROR_USAGE_POINT, usage_point) == ["post_rate_changed"]


@pytest.mark.parametrize("seconds", [0, -5, 2**32, True])
def test_a_rate_outside_uint32_seconds_is_refused(direct, seconds):
    with pytest.raises(ValidationError):
        rates.set_end_device_poll_rate(end_device=direct.end_device, seconds=seconds)
    direct.end_device.refresh_from_db()
    assert direct.end_device.poll_rate is None
