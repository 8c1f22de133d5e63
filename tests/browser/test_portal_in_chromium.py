"""A real browser logs in and reads the landing page of the demo utility."""

from tests.browser.chromium import BROWSER_TESTS

pytestmark = BROWSER_TESTS


def test_a_dispatcher_logs_in_and_sees_the_demo_utility(live_server, demo_utility, browser_page):
    page = browser_page
    page.goto(live_server.url + "/")

    assert "/admin/login/" in page.url
    page.fill("#id_username", "admin")
    page.fill("#id_password", "browser-test-password")
    page.click("input[type=submit]")

    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Overview"
    cards = page.locator(".cards .card").all_inner_texts()
    assert any("40" in card and "Direct DER client" in card for card in cards)
    assert any("60" in card and "managed by an aggregator" in card for card in cards)
    assert page.get_by_text("SYS-A1").first.is_visible()
    assert page.locator("section", has_text="Waiting for a decision").locator("tbody tr").count() == 3
    assert page.locator("link[rel=stylesheet]").count() == 1
    background = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert background == "rgb(29, 39, 51)"
