"""What clients send is checked against sep.xsd when configured, and what is served back is valid."""

import pytest
from django.conf import settings as django_settings

from csip_api.xml import schema_errors
from tests.csip_api.documents import (
    AVAILABILITY,
    CAPABILITY,
    NS,
    log_event_body,
    meter_reading_body,
    mup_body,
    reading,
    response_body,
    settings_body,
    status_body,
)
from tests.csip_api.stored import snapshot

from .test_alarms import lel
from .test_der_reports import der_path
from .test_responses import rsp


@pytest.fixture(autouse=True)
def _schema(settings):
    if not django_settings.CSIP_SCHEMA_PATH:
        pytest.skip("CSIP_SCHEMA_PATH is not set: sep.xsd is needed to validate documents")
    settings.CSIP_VALIDATE_BODIES = True


def test_every_document_a_direct_der_sends_is_accepted_and_served_back_valid(direct, event):
    edev = direct.end_device
    writes = [
        ("put", der_path(edev, "dercap"), CAPABILITY),
        ("put", der_path(edev, "derg"), settings_body(4000)),
        ("put", der_path(edev, "ders"), status_body(1700000000, alarms="00000002")),
        ("put", der_path(edev, "dera"), AVAILABILITY),
        ("post", lel(edev), log_event_body(2, at=1700000000)),
        ("post", "/mup", mup_body(direct.lfdi)),
        ("post", rsp(event), response_body(event, direct.lfdi, 1, at=1700000000)),
    ]
    locations = []
    for method, path, body in writes:
        response = getattr(direct, method)(path, body)
        assert response.status_code in (201, 204), (path, response.content)
        locations.append(response.get("Location", path))
    mup = locations[5]
    posted = direct.post(mup, meter_reading_body(reading(1700000000, 4200)))
    assert posted.status_code == 200
    locations += [posted["Location"], "/mup?l=10", f"{lel(edev)}?l=10", f"{rsp(event)}?l=10", "/dcap"]
    locations.append(f"/edev/{edev.pk}")

    for location in locations:
        served = direct.get(location)
        assert served.status_code == 200, location
        assert schema_errors(served.content) == [], (location, served.content.decode())


def test_a_schema_invalid_body_is_refused_with_400_and_changes_nothing(direct):
    before = snapshot()
    misordered = CAPABILITY.replace("<type>83</type>", "").replace(
        "<modesSupported>", "<type>83</type><modesSupported>"
    )

    response = direct.put(der_path(direct.end_device, "dercap"), misordered)

    assert response.status_code == 400
    assert "schema" in response["X-CSIP-Error"]
    assert snapshot() == before


def test_an_unknown_element_is_refused_with_400(direct):
    before = snapshot()

    response = direct.post(
        "/mup", mup_body(direct.lfdi).replace("<status>", f"<colour {NS}>red</colour><status>")
    )

    assert response.status_code == 400
    assert snapshot() == before
