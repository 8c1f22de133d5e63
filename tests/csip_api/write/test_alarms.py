"""DER alarms reported as LogEvents, and their returns to normal (CSIP 5.2.5.3, Table 14)."""

from lxml import etree

from derms.models import AlarmState, DERAlarm, LogEvent
from tests.csip_api.documents import (
    log_event_body,
    status_body,
)
from tests.csip_api.stored import snapshot

from .test_der_reports import der_path, text_of


def active_alarms(end_device) -> list[int]:
    return list(AlarmState.objects.filter(end_device=end_device, active=True).values_list("alarm", flat=True))


def lel(end_device) -> str:
    return f"/edev/{end_device.pk}/lel"


def test_an_alarm_code_raises_an_alarm_and_its_rtn_code_clears_it(direct):
    raised = direct.post(lel(direct.end_device), log_event_body(2, at=1700000000))

    assert raised.status_code == 201
    assert active_alarms(direct.end_device) == [DERAlarm.OVER_VOLTAGE]

    cleared = direct.post(lel(direct.end_device), log_event_body(3, at=1700000060, event_id=2))

    assert cleared.status_code == 201
    assert active_alarms(direct.end_device) == []
    assert LogEvent.objects.filter(end_device=direct.end_device).count() == 2


def test_an_rtn_code_clears_only_its_own_alarm(direct):
    direct.post(lel(direct.end_device), log_event_body(0, at=1700000000, event_id=1))
    direct.post(lel(direct.end_device), log_event_body(20, at=1700000001, event_id=2))
    direct.post(lel(direct.end_device), log_event_body(21, at=1700000002, event_id=3))

    assert active_alarms(direct.end_device) == [DERAlarm.OVER_CURRENT]


def test_an_rtn_older_than_the_alarm_does_not_clear_it(direct):
    direct.post(lel(direct.end_device), log_event_body(8, at=1700000100, event_id=1))
    direct.post(lel(direct.end_device), log_event_body(9, at=1700000000, event_id=2))

    assert active_alarms(direct.end_device) == [DERAlarm.UNDER_FREQUENCY]


def test_log_events_of_other_function_sets_are_kept_but_raise_nothing(direct):
    response = direct.post(lel(direct.end_device), log_event_body(2, at=1700000000, function_set=0))

    assert response.status_code == 201
    assert LogEvent.objects.count() == 1
    assert active_alarms(direct.end_device) == []


def test_a_log_event_posted_twice_is_kept_once(direct):
    first = direct.post(lel(direct.end_device), log_event_body(2, at=1700000000))
    again = direct.post(lel(direct.end_device), log_event_body(2, at=1700000000))

    assert again.status_code == 200
    assert again["Location"] == first["Location"]
    assert LogEvent.objects.count() == 1


def test_der_status_is_served_as_put_while_the_active_alarms_stay_the_servers(direct):
    direct.post(lel(direct.end_device), log_event_body(2, at=1700000000, event_id=1))
    direct.post(lel(direct.end_device), log_event_body(18, at=1700000000, event_id=2))
    direct.put(der_path(direct.end_device, "ders"), status_body(1699999000))

    served = direct.get(der_path(direct.end_device, "ders"))

    assert text_of(served, "alarmStatus") is None
    assert set(active_alarms(direct.end_device)) == {DERAlarm.OVER_VOLTAGE, DERAlarm.LOW_POWER_INPUT}


def test_a_newer_der_status_alarm_status_moves_the_active_alarms(direct):
    direct.post(lel(direct.end_device), log_event_body(2, at=1700000000))

    direct.put(der_path(direct.end_device, "ders"), status_body(1700000600, alarms="00000010"))

    assert active_alarms(direct.end_device) == [DERAlarm.UNDER_FREQUENCY]


def test_aggregator_reports_alarms_for_each_of_its_ders(aggregator):
    first, second = aggregator.ders
    aggregator.post(lel(first), log_event_body(6, at=1700000000))
    aggregator.post(lel(second), log_event_body(10, at=1700000000))

    assert active_alarms(first) == [DERAlarm.OVER_FREQUENCY]
    assert active_alarms(second) == [DERAlarm.VOLTAGE_IMBALANCE]


def test_the_log_event_list_holds_the_history_newest_first(direct):
    direct.post(lel(direct.end_device), log_event_body(2, at=1700000000, event_id=1))
    direct.post(lel(direct.end_device), log_event_body(3, at=1700000060, event_id=2))

    document = etree.fromstring(direct.get(lel(direct.end_device) + "?l=10").content)

    codes = [e.findtext("{urn:ieee:std:2030.5:ns}logEventCode") for e in document]
    assert (document.get("all"), codes) == ("2", ["3", "2"])


def test_posting_to_another_clients_log_event_list_answers_like_an_unknown_id(aggregator, stranger):
    before = snapshot()

    foreign = aggregator.post(lel(stranger.end_device), log_event_body(2, at=1700000000))
    unknown = aggregator.post("/edev/999999/lel", log_event_body(2, at=1700000000))

    assert foreign.status_code == unknown.status_code == 404
    assert snapshot() == before
