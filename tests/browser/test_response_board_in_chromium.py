"""A dispatcher reads an event's response board in a real browser after DERs answered over the 2030.5 API."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from csip_api import hrefs
from derms.events.services import create_control
from derms.models import Authorization, DERProgram, EndDevice, Role
from tests.browser.chromium import BROWSER_TESTS, log_in
from tests.csip_api.documents import MEDIA_TYPE, response_body
from tests.tls.servers import forwarded_header

pytestmark = BROWSER_TESTS


def enroll(certificate, group) -> EndDevice:
    Authorization.objects.create(
        lfdi=certificate.lfdi, role=Role.DIRECT, status=Authorization.Status.APPROVED, topology_group=group
    )
    return EndDevice.objects.create(lfdi=certificate.lfdi, role=Role.DIRECT, topology_group=group)


def test_the_board_shows_answers_sent_over_the_2030_5_api(
    live_server, demo_utility, browser_page, certificate_of, settings
):
    settings.CSIP_TLS_MODE, settings.CSIP_TRUSTED_PROXIES = "proxy", ["127.0.0.1"]
    program = DERProgram.objects.get(group__name="SYS-A1")
    event = create_control(
        program=program,
        start=timezone.now() + dt.timedelta(hours=1),
        duration=600,
        values={"opModMaxLimW": 5000},
        description="Board test",
    )
    answering = [certificate_of(f"board-der-{n}") for n in range(2)]
    for certificate, status in zip(answering, (1, 4), strict=True):
        enroll(certificate, program.group)
        response = Client().post(
            hrefs.href(hrefs.RESPONSE_LIST, rsps=program.pk),
            response_body(event, certificate.lfdi, status),
            content_type=MEDIA_TYPE,
            HTTP_X_FORWARDED_CLIENT_CERT=forwarded_header(certificate),
        )
        assert response.status_code == 201, response.content
    page = browser_page
    log_in(page, live_server.url)
    page.click("text=Programs")
    page.click("a:text-is('SYS-A1')")

    page.click("a:text-is('Board test')")

    targeted = EndDevice.objects.filter(
        topology_group__path__startswith=program.group.path, enabled=True
    ).count()
    assert page.locator("[data-figure=targeted]").inner_text() == str(targeted)
    assert page.locator("[data-figure=silent]").inner_text() == str(targeted - 2)
    assert page.locator("td[data-status='1']").inner_text() == "1"
    assert page.locator("td[data-status='4']").inner_text() == "1"
