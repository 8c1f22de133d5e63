"""DERCapability, DERSettings, DERStatus and DERAvailability PUT over real HTTPS by a direct DER for itself
and by an aggregator for its DER (CSIP 5.2.5.2), and served back."""

import pytest
from lxml import etree

from csip_api import hrefs
from csip_api.xml import NS
from derms.models import DERAvailability, DERCapability, DERSettings, DERStatus
from tests.csip_api.documents import AVAILABILITY, CAPABILITY, log_event_body, settings_body, status_body

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

REPORTS = [
    (hrefs.DER_CAPABILITY, CAPABILITY, DERCapability, "modesSupported", "00500088"),
    (hrefs.DER_SETTINGS, settings_body(3500), DERSettings, "updatedTime", "1700000000"),
    (hrefs.DER_STATUS, status_body(1700000300), DERStatus, "readingTime", "1700000300"),
    (hrefs.DER_AVAILABILITY, AVAILABILITY, DERAvailability, "readingTime", "1700000000"),
]


@pytest.mark.parametrize(("resource", "body", "model", "element", "value"), REPORTS)
def test_a_report_put_for_a_der_is_stored_and_served_back(reporter, resource, body, model, element, value):
    url = hrefs.href(resource, edev=reporter.der.pk, der=hrefs.DER_ID)

    put = reporter.client.put(url, body)
    served = reporter.client.get(url)

    assert put.status == 204
    assert model.objects.filter(end_device=reporter.der).count() == 1
    assert served.status == 200
    assert etree.fromstring(served.body).findtext(f"{{{NS}}}{element}") == value


def without_href(document: bytes) -> bytes:
    root = etree.fromstring(document)
    root.attrib.pop("href", None)
    return etree.tostring(root, method="c14n")


@pytest.mark.parametrize(
    ("resource", "body"),
    [
        (hrefs.DER_CAPABILITY, CAPABILITY),
        (hrefs.DER_SETTINGS, settings_body(3500)),
        (hrefs.DER_STATUS, status_body(1700000300)),
        (hrefs.DER_STATUS, status_body(1700000300, alarms="00000004")),
        (hrefs.DER_AVAILABILITY, AVAILABILITY),
    ],
    ids=["DERCapability", "DERSettings", "DERStatus", "DERStatus with alarms", "DERAvailability"],
)
def test_a_get_returns_what_the_client_last_put_field_for_field_whatever_its_alarms(reporter, resource, body):
    url = hrefs.href(resource, edev=reporter.der.pk, der=hrefs.DER_ID)
    # An over-voltage alarm the DER raised by LogEvent is active on the server.
    log = hrefs.href(hrefs.LOG_EVENT_LIST, edev=reporter.der.pk)
    assert reporter.client.post(log, log_event_body(2, at=1700000000)).status == 201

    assert reporter.client.put(url, body).status == 204
    served = reporter.client.get(url)

    assert served.status == 200
    assert without_href(served.body) == without_href(body.encode())


def test_der_status_is_kept_as_history(reporter):
    url = hrefs.href(hrefs.DER_STATUS, edev=reporter.der.pk, der=hrefs.DER_ID)

    for reading_time, soc in ((1700000000, 5000), (1700000300, 4800)):
        assert reporter.client.put(url, status_body(reading_time, soc=soc)).status == 204

    history = DERStatus.objects.filter(end_device=reporter.der)
    assert [s.state_of_charge_status for s in history] == [4800, 5000]
