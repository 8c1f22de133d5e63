"""A dispatcher in a real browser edits a curve, watching the plot follow the points, and a default."""

import json

from derms.models import DefaultDERControl, DERCurve
from tests.browser.chromium import BROWSER_TESTS, log_in

pytestmark = BROWSER_TESTS


def plotted(page) -> list:
    return json.loads(page.locator("#curve-plot").get_attribute("data-points"))


def test_a_dispatcher_edits_a_curve_and_sees_the_plot_change(live_server, demo_utility, browser_page):
    page = browser_page
    curve = DERCurve.objects.filter(program__group__name="SYS-A1").order_by("id").first()
    log_in(page, live_server.url)
    page.click("text=Programs")
    page.click("a:text-is('SYS-A1')")

    page.click(f"a:text-is('{curve.description}')")

    page.wait_for_selector("#curve-plot canvas")
    before = plotted(page)
    assert len(before) == curve.points.count()
    page.fill("#id_y_0", "4400")
    after = plotted(page)
    scale = 10**curve.y_multiplier
    assert after[0][1] == 4400 * scale and after[1:] == before[1:]
    page.click("text=Save the curve")

    page.wait_for_url(f"{live_server.url}/programs/{curve.program_id}/")
    assert curve.points.order_by("position").first().y == 4400


def test_a_dispatcher_edits_a_default(live_server, demo_utility, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    page.click("text=Programs")
    page.click("a:text-is('SYS-A1')")
    page.click("section:has(h2:text('Defaults')) >> text=Edit")

    page.fill("#id_opModMaxLimW", "70")
    page.click("text=Save the defaults")

    page.wait_for_selector("text=Saved the defaults.")
    assert page.locator("section", has_text="Defaults").get_by_text("70.00 %").first.is_visible()
    default = DefaultDERControl.objects.get(program__group__name="SYS-A1")
    assert default.op_mod_max_lim_w == 7000
