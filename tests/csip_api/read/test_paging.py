"""Lists page with s, a and l as 2030.5 defines, in a stable order, and refuse malformed parameters."""

import datetime as dt

import pytest
from django.utils import timezone
from lxml import etree

from csip_api import hrefs
from csip_api.xml import NS
from derms.models import EndDevice
from tests.csip_api.utility import make_event


def _list(actor, url):
    response = actor.get(url)
    assert response.status_code == 200, response.content
    document = etree.fromstring(response.content)
    return document, [entry.get("href") for entry in document]


def _counts(document):
    return int(document.get("all")), int(document.get("results"))


def test_without_l_a_list_returns_one_entry(aggregator):
    document, entries = _list(aggregator, "/edev")

    assert _counts(document) == (3, 1)
    assert len(entries) == 1


def test_end_device_list_is_ordered_by_sfdi_and_pages_are_disjoint(aggregator):
    pages = [_list(aggregator, f"/edev?s={s}&l=1")[1] for s in range(3)]

    expected = [
        hrefs.href(hrefs.END_DEVICE, edev=d.pk)
        for d in sorted([aggregator.end_device, *aggregator.managed], key=lambda d: d.sfdi)
    ]
    assert [href for page in pages for href in page] == expected
    assert _list(aggregator, "/edev?l=3")[1] == expected


def test_start_past_the_end_returns_no_entries_but_the_full_count(aggregator):
    document, entries = _list(aggregator, "/edev?s=7&l=5")

    assert _counts(document) == (3, 0)
    assert entries == []


def test_a_limit_of_zero_returns_only_the_count(aggregator):
    document, entries = _list(aggregator, "/edev?l=0")

    assert _counts(document) == (3, 0)
    assert entries == []


def test_a_limit_over_the_maximum_is_cut_to_the_maximum_page_size(aggregator, settings):
    settings.CSIP_MAX_PAGE_SIZE = 2

    document, entries = _list(aggregator, "/edev?l=500")

    assert _counts(document) == (3, 2)
    assert len(entries) == 2


def test_after_returns_only_end_devices_changed_since(aggregator):
    changed = aggregator.managed[1]
    long_ago = timezone.now() - dt.timedelta(days=30)
    EndDevice.objects.exclude(pk=changed.pk).update(changed_time=long_ago)
    since = int((long_ago + dt.timedelta(days=1)).timestamp())

    document, entries = _list(aggregator, f"/edev?a={since}&l=10")

    assert _counts(document) == (1, 1)
    assert entries == [hrefs.href(hrefs.END_DEVICE, edev=changed.pk)]


def test_after_returns_only_events_created_or_changed_since(direct_der, programs):
    program = programs["feeder_1"]
    now = timezone.now()
    old = make_event(program, start=now + dt.timedelta(hours=1))
    type(old).objects.filter(pk=old.pk).update(
        creation_time=now - dt.timedelta(days=3), status_time=now - dt.timedelta(days=3)
    )
    new = make_event(program, start=now + dt.timedelta(hours=2))
    url = hrefs.href(hrefs.CONTROL_LIST, derp=program.pk)

    _, everything = _list(direct_der, f"{url}?l=10")
    _, recent = _list(direct_der, f"{url}?l=10&a={int((now - dt.timedelta(days=1)).timestamp())}")

    assert len(everything) == 2
    assert recent == [hrefs.href(hrefs.CONTROL, derp=program.pk, derc=new.pk)]


def test_controls_are_ordered_by_start_then_newest_creation_first(direct_der, programs):
    program = programs["sp_1"]
    now = timezone.now()
    start = now + dt.timedelta(hours=1)
    later = make_event(program, start=now + dt.timedelta(hours=3))
    older = make_event(program, start=start)
    newer = make_event(program, start=start)
    type(older).objects.filter(pk=older.pk).update(creation_time=now - dt.timedelta(minutes=10))

    _, entries = _list(direct_der, hrefs.href(hrefs.CONTROL_LIST, derp=program.pk) + "?l=10")

    expected = [hrefs.href(hrefs.CONTROL, derp=program.pk, derc=e.pk) for e in (newer, older, later)]
    assert entries == expected


def test_program_list_is_ordered_by_primacy(direct_der, programs):
    url = hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=direct_der.end_device.pk, fsa=hrefs.TOPOLOGY_FSA)

    document, _ = _list(direct_der, url + "?l=10")

    assert [p.findtext(f"{{{NS}}}primacy") for p in document] == ["83", "85", "89"]


@pytest.mark.parametrize(
    "query",
    [
        "s=-1",
        "l=x",
        "l=1.5",
        "a=yesterday",
        "s=99999999999999999999",
        "s=9999999999999999999",
        "a=-5",
        "l=%C2%B2",  # "²": a Unicode digit int() refuses
        "s=%D9%A3",  # ARABIC-INDIC DIGIT THREE
        "a=%EF%BC%91",  # FULLWIDTH DIGIT ONE
    ],
)
def test_malformed_paging_parameters_are_refused_with_400(aggregator, query):
    response = aggregator.get(f"/edev?{query}")

    assert response.status_code == 400
    assert response["Content-Length"] == str(len(response.content))
