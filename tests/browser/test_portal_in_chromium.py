"""A real browser logs in and reads the landing page of the demo utility."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it as root)"
    ),
]


@pytest.fixture
def browser_page(monkeypatch):
    # live_server runs Django in a thread while Playwright's sync API keeps an event loop in this one.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.fixture
def demo_utility(transactional_db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.CSIP_PKI_DIR = tmp_path / "pki"
    monkeypatch.setenv("DERMS_ADMIN_PASSWORD", "browser-test-password")
    call_command("demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115


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
