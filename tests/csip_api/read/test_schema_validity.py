"""Every document the read side serves for demo-like data is valid against sep.xsd."""

import pytest
from django.conf import settings

from csip_api import hrefs
from csip_api.xml import schema_errors, serialize
from derms.der_controls import DEFAULT_ONLY_SETTINGS
from derms.models import DefaultDERControl, DERControl
from tests.csip_api.utility import every_control_values, make_curve


@pytest.fixture(autouse=True)
def _schema():
    if not settings.CSIP_SCHEMA_PATH:
        pytest.skip("CSIP_SCHEMA_PATH is not set: sep.xsd is needed to validate documents")


def _assert_all_valid(walk):
    assert walk.documents
    for url, document in walk.documents.items():
        assert schema_errors(document) == [], f"{url}: {serialize(document).decode()}"


def test_everything_a_direct_der_can_walk_to_is_valid(direct_der, events):
    _assert_all_valid(direct_der.walk())


def test_everything_an_aggregator_can_walk_to_is_valid(aggregator, events):
    _assert_all_valid(aggregator.walk())


def test_an_event_setting_every_control_is_valid(direct_der, programs, events):
    program = programs["feeder_1"]
    event = DERControl.objects.create(
        program=program,
        start=events["active"].start,
        duration=600,
        randomize_start=-30,
        randomize_duration=60,
        response_required=7,
        device_category=0x20000,
        reason="Feeder constraint",
        **every_control_values(events["curve"]),
    )

    response = direct_der.get(hrefs.href(hrefs.CONTROL, derp=program.pk, derc=event.pk))

    assert response.status_code == 200
    assert schema_errors(response.content) == []
    assert response.content.count(b"<opMod") + response.content.count(b"<rampTms>") == 26


def test_a_default_control_with_every_setting_is_valid(direct_der, programs):
    program = programs["sp_1"]
    curve = make_curve(program, curve_type=12)
    values = every_control_values(curve)
    for setting in DEFAULT_ONLY_SETTINGS:
        values[setting.field] = setting.kind.parts[0].maximum
    DefaultDERControl.objects.filter(program=program).update(**values)

    response = direct_der.get(hrefs.href(hrefs.DEFAULT_CONTROL, derp=program.pk))

    assert response.status_code == 200
    assert schema_errors(response.content) == []
    assert b"<setSoftGradW>" in response.content


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Australia/Sydney", "Asia/Kolkata"])
def test_time_is_valid_in_any_zone(direct_der, settings, zone):
    settings.TIME_ZONE = zone

    response = direct_der.get("/tm")

    assert schema_errors(response.content) == []
