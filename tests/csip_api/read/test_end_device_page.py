"""An aggregator's EndDeviceList pages in sFDI order with its own EndDevice in its place, in two queries."""

import datetime as dt
import hashlib

from django.utils import timezone

from csip_api.identity import client_for_lfdi
from csip_api.paging import PageRequest
from csip_api.scope import Scope
from csip_api.selectors.devices import end_device_page
from derms.lfdi import sfdi_from_lfdi
from derms.models import EndDevice, Role


def _lfdis_around(sfdi: int, *, below: int, above: int) -> list[str]:
    """LFDIs whose sFDIs fall ``below`` before and ``above`` after ``sfdi``."""
    found, lower, upper, index = [], 0, 0, 0
    while lower < below or upper < above:
        lfdi = hashlib.sha256(f"der-{index}".encode()).hexdigest()[:40]
        index += 1
        if sfdi_from_lfdi(lfdi) < sfdi and lower < below:
            lower += 1
            found.append(lfdi)
        elif sfdi_from_lfdi(lfdi) > sfdi and upper < above:
            upper += 1
            found.append(lfdi)
    return found


def _managed(aggregator, lfdis: list[str]) -> list[EndDevice]:
    return [
        EndDevice.objects.create(lfdi=lfdi, role=Role.MANAGED, aggregator=aggregator.end_device)
        for lfdi in lfdis
    ]


def _expected(devices: list[EndDevice]) -> list[int]:
    return [d.pk for d in sorted(devices, key=lambda d: (d.sfdi, d.pk))]


def test_every_page_is_the_slice_of_the_whole_list_in_sfdi_order(aggregator, django_assert_max_num_queries):
    own = aggregator.end_device
    _managed(aggregator, _lfdis_around(own.sfdi, below=3, above=4))
    everything = _expected([*EndDevice.objects.filter(aggregator=own), own])
    scope = Scope(client_for_lfdi(aggregator.lfdi))

    for start in range(len(everything) + 2):
        for limit in range(len(everything) + 2):
            with django_assert_max_num_queries(2):
                page = end_device_page(scope, PageRequest(start=start, limit=limit))
            assert page.all == len(everything)
            assert [d.pk for d in page.items] == everything[start : start + limit], (start, limit)


def test_after_leaves_out_what_did_not_change_the_aggregator_itself_included(aggregator):
    own = aggregator.end_device
    changed = _managed(aggregator, _lfdis_around(own.sfdi, below=2, above=2))[1:3]
    cutoff = timezone.now() + dt.timedelta(minutes=1)
    EndDevice.objects.filter(pk__in=[d.pk for d in changed]).update(changed_time=cutoff)
    scope = Scope(client_for_lfdi(aggregator.lfdi))

    page = end_device_page(scope, PageRequest(start=0, limit=100, after=cutoff))

    assert page.all == 2
    assert [d.pk for d in page.items] == _expected(changed)


def test_a_direct_ders_list_is_itself_without_a_query(direct_der, django_assert_num_queries):
    scope = Scope(client_for_lfdi(direct_der.lfdi))

    with django_assert_num_queries(0):
        page = end_device_page(scope, PageRequest(start=0, limit=10))
        later = end_device_page(scope, PageRequest(start=0, limit=10, after=timezone.now() + dt.timedelta(1)))

    assert [d.pk for d in page.items] == [direct_der.end_device.pk]
    assert (later.all, later.items) == (0, [])
