"""The read path costs a bounded number of queries per request, however many DERs an aggregator has."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from csip_api import hrefs
from derms.models import Authorization, DERControl, DERProgram, EndDevice, Role
from groups.models import Group, Level
from tests.csip_api.utility import make_curve, make_event, make_program

MANY = 60


@pytest.fixture
def crowded_aggregator(aggregator, grid, programs):
    """The aggregator manages MANY more DERs spread over new service points, each with a program."""
    now = timezone.now()
    points = [
        Group.objects.add_child(
            grid["feeder_2"], create_kwargs={"name": f"SP-X{i}", "level": Level.SERVICE_POINT}
        )
        for i in range(5)
    ]
    for index, point in enumerate(points):
        program = make_program(point, 70 + index, f"SP-X{index}")
        make_event(program, start=now - dt.timedelta(minutes=1), op_mod_max_lim_w=5000)
        make_curve(program)
    for index in range(MANY):
        lfdi = f"{index:040x}"
        Authorization.objects.create(
            lfdi=lfdi,
            role=Role.MANAGED,
            status=Authorization.Status.APPROVED,
            aggregator=aggregator.end_device,
        )
        der = EndDevice.objects.create(
            lfdi=lfdi, role=Role.MANAGED, aggregator=aggregator.end_device, topology_group=points[index % 5]
        )
        der.non_topology_groups.add(grid["y"], grid["z"])
    return aggregator


def _urls(actor):
    der = actor.managed[0].pk
    derp = DERProgram.objects.get(group__name="SP-X0").pk  # holds an active event and a curve
    return {
        "/dcap": 5,  # + the client's MirrorUsagePoints, for MirrorUsagePointListLink all
        "/tm": 2,
        "/edev?l=100": 7,  # + the page's LogEvent counts (one grouped query) and its own Subscriptions
        hrefs.href(hrefs.END_DEVICE, edev=der): 5,  # + its LogEvents, for LogEventListLink all
        hrefs.href(hrefs.FSA_LIST, edev=der) + "?l=20": 6,
        hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=der, fsa=hrefs.TOPOLOGY_FSA) + "?l=20": 6,
        hrefs.href(hrefs.PROGRAM, derp=derp): 3,
        hrefs.href(hrefs.DEFAULT_CONTROL, derp=derp): 4,
        hrefs.href(hrefs.CONTROL_LIST, derp=derp) + "?l=20": 5,
        hrefs.href(hrefs.CONTROL, derp=derp, derc=DERControl.objects.filter(program_id=derp).get().pk): 4,
        hrefs.href(hrefs.ACTIVE_CONTROL_LIST, derp=derp) + "?l=20": 5,
        hrefs.href(hrefs.CURVE_LIST, derp=derp) + "?l=20": 6,
        "/rsps?l=100": 4,
    }


#: What reading through the document cache adds to a first read: the identity's versions with its lookup,
#: and the versions of what the document was rendered from, each in a snapshot that costs its BEGIN and
#: COMMIT, and on PostgreSQL the setting of its isolation level too.
CACHE_OVERHEAD = {"sqlite": 6, "postgresql": 8}


def test_every_read_stays_within_its_query_budget(
    transactional_db, crowded_aggregator, django_assert_max_num_queries
):
    overhead = CACHE_OVERHEAD[connection.vendor]
    for url, budget in _urls(crowded_aggregator).items():
        with django_assert_max_num_queries(budget + overhead, info=url):
            assert crowded_aggregator.get(url).status_code == 200, url


def test_a_read_nothing_changed_for_costs_no_query_within_a_lease_and_one_after(
    transactional_db, crowded_aggregator, django_assert_num_queries, lease_clock
):
    # (Time is a new document every second: test_document_cache reads it across seconds.)
    urls = [url for url in _urls(crowded_aggregator) if url != "/tm" and not url.startswith("/rsps")]
    # Rendered once, and once more for the programs this aggregator may read (remembered per client).
    first = {url: crowded_aggregator.get(url).content for url in urls}
    for url in urls:
        crowded_aggregator.get(url)
    for url in urls:
        with django_assert_num_queries(0, info=url):
            response = crowded_aggregator.get(url)
        assert response.status_code == 200, url
        assert response.content == first[url], url
    for url in urls:
        lease_clock.advance(settings.DERMS_VERSION_LEASE)
        # The renewal of the process's copy of the feed's versions, nothing else.
        with django_assert_num_queries(1, info=url):
            response = crowded_aggregator.get(url)
        assert response.content == first[url], url
