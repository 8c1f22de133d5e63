"""DER alarms over real HTTPS (CSIP 5.2.5.3, Table 14): a LogEvent alarm raises an alarm on the DER and its
return-to-normal clears it, from a direct DER and from an aggregator for its DER."""

import pytest

from csip_api import hrefs
from derms.models import AlarmState, DERAlarm, LogEvent
from tests.csip_api.documents import log_event_body

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


def active_alarms(end_device) -> list[DERAlarm]:
    return list(AlarmState.objects.filter(end_device=end_device, active=True).values_list("alarm", flat=True))


def test_an_alarm_then_its_return_to_normal(reporter):
    log = hrefs.href(hrefs.LOG_EVENT_LIST, edev=reporter.der.pk)

    raised = reporter.client.post(log, log_event_body(2, at=1700000000, event_id=1))

    assert raised.status == 201
    assert active_alarms(reporter.der) == [DERAlarm.OVER_VOLTAGE]
    assert reporter.client.get(raised.location).status == 200

    cleared = reporter.client.post(log, log_event_body(3, at=1700000060, event_id=2))

    assert cleared.status == 201
    assert active_alarms(reporter.der) == []
    assert LogEvent.objects.filter(end_device=reporter.der).count() == 2
