"""What a program's collection holds, read at the hrefs it links to: its DefaultDERControl from the moment
the program exists, and each event until its effective scheduled period is over (then 404, see
derms.events.lifecycle.status_at)."""

import datetime as dt

from django.utils import timezone
from lxml import etree

from csip_api import hrefs
from derms.events.services import create_program
from derms.models import DERControl

SEP = "{urn:ieee:std:2030.5:ns}"


def current_status(response) -> int:
    return int(etree.fromstring(response.content).findtext(f"{SEP}EventStatus/{SEP}currentStatus"))


def event_href(event) -> str:
    return hrefs.href(hrefs.CONTROL, derp=event.program_id, derc=event.pk)


def test_a_program_made_by_the_service_serves_the_defaults_it_links_to(direct_der, grid, programs):
    program = create_program(group=grid["substation"], primacy=87, description="SUB-A1-S1")

    response = direct_der.get(hrefs.href(hrefs.DEFAULT_CONTROL, derp=program.pk))

    assert response.status_code == 200
    assert etree.fromstring(response.content).findtext(f"{SEP}description") == "Defaults SUB-A1-S1"


def test_an_event_reads_active_at_its_href_while_it_runs(direct_der, events):
    response = direct_der.get(event_href(events["active"]))
    assert (response.status_code, current_status(response)) == (200, 1)


def test_an_event_whose_effective_period_is_over_is_gone_from_its_href_as_from_the_list(direct_der, events):
    assert direct_der.get(event_href(events["ended"])).status_code == 404


def test_an_event_stays_readable_while_a_client_may_still_be_in_its_randomized_end(direct_der, programs):
    now = timezone.now()
    ending = DERControl.objects.create(
        program=programs["feeder_1"],
        start=now - dt.timedelta(minutes=10),
        duration=300,
        randomize_duration=600,
        op_mod_max_lim_w=1,
    )

    assert direct_der.get(event_href(ending)).status_code == 200
