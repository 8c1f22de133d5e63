"""A handbook administrator in a real browser: approves a pending registration into a feeder, and
moves a feeder to another substation and sees the DER counts of both substations change."""

from derms.demo import demo_lfdi
from derms.models import Authorization, EndDevice
from groups.models import Group
from groups.selectors import end_devices_in
from tests.browser.chromium import BROWSER_TESTS, log_in

pytestmark = BROWSER_TESTS

FEEDER = "FDR-A1-B1-C1-D1"
OLD_SUBSTATION, NEW_SUBSTATION = "SUB-A1-B1-C1", "SUB-A1-B1-C2"


def der_count(page, name: str) -> str:
    return page.locator(f'[data-group="{name}"] .ders').first.inner_text()


def test_a_handbook_administrator_approves_a_pending_registration_into_a_feeder(
    live_server, demo_utility, browser_page
):
    page = browser_page
    lfdi = demo_lfdi("der-041")
    feeder = Group.objects.get(name=FEEDER)
    log_in(page, live_server.url)

    page.click("nav >> text=Registrations")
    page.select_option("#id_status", "pending")
    page.click("#filters button")
    page.click(f"a:text-is('{lfdi}')")
    page.select_option("#id_topology_group", str(feeder.pk))
    page.click("#approve button[type=submit]")

    assert page.locator(".message-success").inner_text() == f"Approved {lfdi}."
    assert page.locator("#entry-status").inner_text() == "Approved"
    assert Authorization.objects.get(lfdi=lfdi).status == Authorization.Status.APPROVED
    assert EndDevice.objects.get(lfdi=lfdi).topology_group == feeder


def test_a_handbook_administrator_moves_a_feeder_and_sees_the_der_counts_change(
    live_server, demo_utility, browser_page
):
    page = browser_page
    feeder, old, new = (Group.objects.get(name=n) for n in (FEEDER, OLD_SUBSTATION, NEW_SUBSTATION))
    moving, old_count, new_count = (end_devices_in(g).count() for g in (feeder, old, new))
    assert moving > 0
    log_in(page, live_server.url)

    page.click("nav >> text=Groups")
    assert der_count(page, OLD_SUBSTATION) == f"{old_count} DERs"
    assert der_count(page, NEW_SUBSTATION) == f"{new_count} DERs"
    page.fill("main input[name=q]", FEEDER)
    page.press("main input[name=q]", "Enter")
    page.click(f"#tree a:text-is('{FEEDER}')")
    page.select_option("#id_new_parent", str(new.pk))
    page.click("#move button[type=submit]")

    assert page.locator("#impact .der-count").inner_text() == f"{moving} DERs"
    page.click("button[name=confirm]")

    assert page.locator(".message-success").inner_text() == f"Moved {FEEDER} under {NEW_SUBSTATION}."
    page.click("nav >> text=Groups")
    assert der_count(page, OLD_SUBSTATION) == f"{old_count - moving} DERs"
    assert der_count(page, NEW_SUBSTATION) == f"{new_count + moving} DERs"
