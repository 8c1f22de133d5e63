"""Debian's chromium for Playwright tests, and what every browser test module shares."""

from pathlib import Path

import pytest

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

#: Every module here marks its tests with this.
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it as root)"
    ),
]
ADMIN_PASSWORD = "browser-test-password"


def log_in(page, base_url: str, *, username: str = "admin", password: str = ADMIN_PASSWORD) -> None:
    """Sign in through the admin's login form and land on the portal's overview."""
    page.goto(base_url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(base_url + "/")
