"""A real browser logs in and reads the landing page of the demo utility, or is paused after too many
wrong passwords."""

from playwright.sync_api import expect

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


def test_too_many_wrong_passwords_show_the_styled_sign_in_paused_page(
    live_server, demo_utility, browser_page, settings
):
    page = browser_page
    page.goto(live_server.url + "/admin/login/")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.fill("#id_username", "admin")
        page.fill("#id_password", "not-the-password")
        with page.expect_response(lambda response: response.request.method == "POST") as posted:
            page.click("input[type=submit]")

    assert posted.value.status == 429
    assert page.locator("h1").inner_text() == "Sign-in paused"
    assert page.get_by_role("link", name="Back to the sign-in page").is_visible()
    # The portal's own page, signed out: its stylesheet, and no sections or account menu. The answer to
    # the POST is in before the page it draws has applied its stylesheet: expect() waits for it.
    expect(page.locator(".topbar")).to_have_css("background-color", "rgb(29, 39, 51)")
    assert page.locator("text=Log out").count() == 0
