"""DERCapability, DERSettings, DERStatus and DERAvailability PUT by a DER or its aggregator (CSIP 5.2.5.2)."""

from lxml import etree

from derms.models import DERAvailability, DERCapability, DERSettings, DERStatus
from tests.csip_api.documents import (
    AVAILABILITY,
    CAPABILITY,
    settings_body,
    status_body,
)
from tests.csip_api.stored import snapshot


def der_path(end_device, resource: str) -> str:
    return f"/edev/{end_device.pk}/der/1/{resource}"


def text_of(response, element: str) -> str:
    document = etree.fromstring(response.content)
    return document.findtext(f".//{{urn:ieee:std:2030.5:ns}}{element}")


def test_direct_der_puts_its_capability_and_reads_it_back(direct):
    response = direct.put(der_path(direct.end_device, "dercap"), CAPABILITY)

    assert response.status_code == 204
    read = direct.get(der_path(direct.end_device, "dercap"))
    assert read.status_code == 200
    assert read.content.startswith(b"<DERCapability")
    assert text_of(read, "modesSupported") == "00500088"
    assert text_of(read, "displacement") == "85"


def test_table_12_ratings_are_stored_in_si_units_and_queryable(direct):
    direct.put(der_path(direct.end_device, "dercap"), CAPABILITY)

    capability = DERCapability.objects.get(end_device=direct.end_device)
    assert capability.rtg_max_w == 5000
    assert capability.rtg_max_va == 6000
    assert capability.rtg_max_wh == 13000
    assert capability.rtg_min_pf_over_excited == 0.85
    assert (capability.der_type, capability.modes_supported) == (83, 0x00500088)
    assert DERCapability.objects.filter(rtg_max_w__gt=4000).get() == capability
    assert DERCapability.objects.filter(values__rtgMaxW__value=5).get() == capability


def test_settings_replace_the_previous_settings(direct):
    direct.put(der_path(direct.end_device, "derg"), settings_body(4000))
    direct.put(der_path(direct.end_device, "derg"), settings_body(3500, updated=1700000600))

    settings = DERSettings.objects.get(end_device=direct.end_device)
    assert settings.set_max_w == 3500
    assert settings.modes_enabled == 0x88
    assert text_of(direct.get(der_path(direct.end_device, "derg")), "updatedTime") == "1700000600"


def test_der_status_is_kept_as_history_and_the_latest_is_served(direct):
    direct.put(der_path(direct.end_device, "ders"), status_body(1700000000, soc=5000))
    direct.put(der_path(direct.end_device, "ders"), status_body(1700000300, soc=4800))

    history = DERStatus.objects.filter(end_device=direct.end_device)
    assert [s.state_of_charge_status for s in history] == [4800, 5000]
    latest = history.first()
    assert (latest.inverter_status, latest.operational_mode_status, latest.gen_connect_status) == (4, 2, 7)
    assert text_of(direct.get(der_path(direct.end_device, "ders")), "readingTime") == "1700000300"


def test_availability_keeps_only_the_latest_report(direct):
    direct.put(der_path(direct.end_device, "dera"), AVAILABILITY)
    direct.put(der_path(direct.end_device, "dera"), AVAILABILITY.replace("<value>42<", "<value>40<"))

    assert DERAvailability.objects.get(end_device=direct.end_device).stat_w_avail == 4000


def test_aggregator_reports_for_each_of_its_ders(aggregator):
    for number, der in enumerate(aggregator.ders):
        assert aggregator.put(der_path(der, "dercap"), CAPABILITY).status_code == 204
        assert aggregator.put(der_path(der, "ders"), status_body(1700000000 + number)).status_code == 204

    assert DERCapability.objects.filter(end_device__in=aggregator.ders).count() == 2
    assert DERStatus.objects.filter(end_device__in=aggregator.ders).count() == 2


def test_reporting_for_another_clients_der_answers_like_an_unknown_id(aggregator, stranger):
    before = snapshot()

    foreign = aggregator.put(der_path(stranger.end_device, "ders"), status_body(1700000000))
    unknown = aggregator.put("/edev/999999/der/1/ders", status_body(1700000000))

    assert foreign.status_code == unknown.status_code == 404
    assert snapshot() == before


def test_aggregator_has_no_der_resources_of_its_own(aggregator):
    before = snapshot()

    response = aggregator.put(der_path(aggregator.end_device, "dercap"), CAPABILITY)

    assert response.status_code == 404
    assert snapshot() == before


def test_a_report_missing_a_required_element_is_refused(direct):
    before = snapshot()

    response = direct.put(der_path(direct.end_device, "dercap"), CAPABILITY.replace("<type>83</type>", ""))

    assert response.status_code == 400
    assert snapshot() == before


def test_a_value_of_the_wrong_type_is_refused(direct):
    before = snapshot()

    response = direct.put(der_path(direct.end_device, "ders"), status_body(1700000000, soc=-5))

    assert response.status_code == 400
    assert snapshot() == before


def test_a_report_not_yet_sent_is_not_found(direct):
    assert direct.get(der_path(direct.end_device, "dercap")).status_code == 404
