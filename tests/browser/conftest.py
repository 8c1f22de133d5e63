"""Fixtures for tests that drive Debian's chromium through Playwright against a live server."""

import os

import pytest
from django.core.management import call_command
from django.db import connections

from tests.browser.chromium import ADMIN_PASSWORD, CHROMIUM, CHROMIUM_ARGS


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
            # Django keeps its connections per contextvars context, and `with sync_playwright()` runs what
            # it holds, the test included, in a context of its own: the connection the test used is not
            # the one pytest-django closes before it drops the test database, which PostgreSQL refuses
            # while a connection is open.
            connections.close_all()


@pytest.fixture
def demo_utility(transactional_db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.CSIP_PKI_DIR = tmp_path / "pki"
    monkeypatch.setenv("DERMS_ADMIN_PASSWORD", ADMIN_PASSWORD)
    call_command("demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
