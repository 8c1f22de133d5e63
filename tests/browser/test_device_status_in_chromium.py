"""A dispatcher in a real browser reads a DER's DERStatus history beside its readings."""

import time

from derms.models import EndDevice, Role
from derms.services.der_reports import put_der_resource
from tests.browser.chromium import BROWSER_TESTS, log_in

pytestmark = BROWSER_TESTS


def put_status(der: EndDevice, *, minutes_ago: int, connect: int, inverter: int, charge: int) -> None:
    """What the DERStatus view stores when the DER PUTs its status."""
    at = int(time.time()) - 60 * minutes_ago
    put_der_resource(
        end_device=der,
        resource="DERStatus",
        values={
            "readingTime": at,
            "genConnectStatus": {"dateTime": at, "value": connect},
            "operationalModeStatus": {"dateTime": at, "value": 2},
            "inverterStatus": {"dateTime": at, "value": inverter},
            "stateOfChargeStatus": {"dateTime": at, "value": charge},
        },
    )


def test_a_dispatcher_reads_the_status_history_plotted_and_its_changes(
    live_server, demo_utility, browser_page
):
    page = browser_page
    der = EndDevice.objects.filter(role=Role.DIRECT).order_by("id").first()
    put_status(der, minutes_ago=180, connect=0b111, inverter=4, charge=8000)
    put_status(der, minutes_ago=120, connect=0b111, inverter=4, charge=7000)
    put_status(der, minutes_ago=60, connect=0b10001, inverter=7, charge=7000)
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}/devices/{der.lfdi}/")

    page.wait_for_selector(".status-plot canvas")
    assert page.locator(".status-plot canvas").count() == 4
    captions = page.locator(".status-plot figcaption").all_inner_texts()
    assert captions[2] == "Inverter inverterStatus, 3 reports"
    rows = page.locator("table.status-changes tbody tr")
    assert rows.count() == 2  # the report two hours ago changed only the state of charge
    assert rows.first.locator("strong").all_inner_texts() == [
        "connected, fault or error",
        "one or more faults",
    ]
    # Pointing at the inverter plot's right end names the code in force there.
    inverter = page.locator(".status-plot").nth(2)
    over = inverter.locator(".u-over")
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    over.hover(position={"x": box["width"] - 2, "y": box["height"] / 2})
    assert (
        inverter.locator(".u-legend .u-series").nth(1).locator(".u-value").inner_text()
        == "one or more faults"
    )
    page.select_option("select[name=hours]", "1")
    page.click("#readings button[type=submit]")
    page.wait_for_url("**hours=1")
    assert page.locator(".status-plot").count() == 0
    assert page.get_by_text("No DERStatus reported in the last 1 h.").is_visible()
