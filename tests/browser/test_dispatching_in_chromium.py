"""A dispatcher in a real browser: finds a DER, reads what it will do, schedules an event after
previewing it, and cancels it again, on the demo utility."""

import datetime as dt

from django.utils import timezone

from derms.lfdi import format_sfdi
from derms.models import DERControl, EndDevice, EventStatus, Role
from tests.browser.chromium import BROWSER_TESTS, log_in

pytestmark = BROWSER_TESTS


def test_a_dispatcher_finds_a_der_and_reads_its_timeline(live_server, demo_utility, browser_page):
    page = browser_page
    der = EndDevice.objects.filter(role=Role.DIRECT).order_by("sfdi").first()
    log_in(page, live_server.url)

    page.fill("header input[name=q]", str(der.sfdi))
    page.press("header input[name=q]", "Enter")

    page.wait_for_url(f"{live_server.url}/devices/{der.lfdi}/")
    assert page.locator("h1").inner_text().startswith(f"EndDevice {format_sfdi(der.sfdi)}")
    assert page.locator("ol.path li").first.inner_text().endswith("SYS-A1")
    timeline = page.locator("#timeline table.timeline")
    assert timeline.locator("th", has_text="Max W limit").is_visible()
    assert timeline.locator("tr.from-default", has_text="100.00 %").count() >= 1
    assert timeline.locator("tr.from-default", has_text="Rule 21 volt-var").is_visible()


def test_a_dispatcher_previews_schedules_and_cancels_an_event(live_server, demo_utility, browser_page):
    page = browser_page
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    log_in(page, live_server.url)

    page.click("text=Programs")
    page.click("a:text-is('SYS-A1')")
    page.click("text=Schedule an event")
    page.fill("#id_start_at", tomorrow.replace(hour=6, minute=0).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_duration_minutes", "45")
    page.fill("#id_description", "Browser test limit")
    page.fill("#id_opModMaxLimW", "40")
    page.click("button[name=preview]")

    preview = page.locator("#preview")
    assert preview.locator("tr.highlight", has_text="40.00 %").first.is_visible()
    assert preview.locator(".effect").first.inner_text() == "whole event"
    assert not DERControl.objects.filter(description="Browser test limit").exists()

    page.click("button[name=save]")

    assert page.locator(".message-success").inner_text() == "Scheduled Browser test limit."
    row = page.locator("table.events tr", has_text="Browser test limit")
    assert row.locator(".status").inner_text() == "Scheduled"
    assert "40.00 %" in row.inner_text()

    row.locator("input[name=reason]").fill("Forecast changed")
    row.locator("button", has_text="Cancel").click()

    assert page.locator(".message-success").inner_text() == "Cancelled Browser test limit."
    row = page.locator("table.events tr", has_text="Browser test limit")
    assert row.locator(".status").inner_text() == "Cancelled"
    assert "Forecast changed" in row.inner_text()
    assert DERControl.objects.get(description="Browser test limit").status == EventStatus.CANCELLED
