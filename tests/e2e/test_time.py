"""Time over real HTTPS: a client computing local time from it gets the zone's local time now, whether it
applies dstOffset only between dstStartTime and dstEndTime or as the offset in effect (the seasons and
transition days are in tests/csip_api/read/test_time.py)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from lxml import etree

from csip_api import hrefs
from tests.csip_api.read.test_time import (
    local_time_as_conformance_tools_read_it,
    local_time_as_the_standard_reads_it,
)

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]


def test_a_client_reading_time_gets_the_local_time_either_way(api_port, connect, direct):
    served = connect(api_port, direct.certificate).get(hrefs.href(hrefs.TIME))

    fields = {etree.QName(child).localname: int(child.text) for child in etree.fromstring(served.body)}
    now = dt.datetime.fromtimestamp(fields["currentTime"], tz=dt.UTC)
    local = fields["currentTime"] + int(
        now.astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset().total_seconds()
    )
    assert local_time_as_the_standard_reads_it(fields) == local
    assert local_time_as_conformance_tools_read_it(fields) == local
