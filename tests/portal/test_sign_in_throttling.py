"""Portal sign-in throttling (django-axes): failures count per username from one address."""

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from derms.portal.sign_in import client_address
from tests.factories import sign_in

HOME = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def limit(settings) -> int:
    return settings.AXES_FAILURE_LIMIT


def fail(client, username: str, times: int, *, address: str = HOME):
    """``times`` wrong passwords; the last response."""
    for _ in range(times):
        response = sign_in(client, username, "not-the-password", address=address)
    return response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_limit_of_wrong_passwords_locks_the_username_out_from_that_address(client, dispatcher, limit):
    below = fail(client, "dispatcher", limit - 1)
    at_the_limit = fail(client, "dispatcher", 1)

    assert below.status_code == 200  # the login form again, with its error
    assert at_the_limit.status_code == 429
    assert "portal/locked_out.html" in {template.name for template in at_the_limit.templates}
    page = at_the_limit.content.decode()
    assert "Sign-in paused" in page
    assert f"{limit} failed sign-ins" in page
    assert "for 15 min after the last attempt" in page
    assert reverse("admin:login") in page


def test_the_right_password_is_refused_while_locked_out_and_nothing_else_changes(client, dispatcher, limit):
    fail(client, "dispatcher", limit)
    dispatcher.refresh_from_db()
    before = (dispatcher.last_login, dispatcher.password, Session.objects.count())

    response = sign_in(client, "dispatcher", "dispatcher-password", address=HOME)

    dispatcher.refresh_from_db()
    assert (dispatcher.last_login, dispatcher.password, Session.objects.count()) == before
    assert response.status_code == 429
    assert not signed_in(client)
    assert client.get(reverse("portal:landing")).url.startswith(reverse("admin:login"))


def test_another_user_at_that_address_and_the_user_elsewhere_still_sign_in(
    client, dispatcher, handbook_administrator, limit
):
    fail(client, "dispatcher", limit)

    other_user = sign_in(client, "handbook", "handbook-password", address=HOME)
    client.logout()
    other_address = sign_in(client, "dispatcher", "dispatcher-password", address=ELSEWHERE)

    assert other_user.status_code == 302
    assert other_address.status_code == 302
    assert signed_in(client)


def test_signing_in_resets_the_failure_count(client, dispatcher, limit):
    fail(client, "dispatcher", limit - 1)
    assert sign_in(client, "dispatcher", "dispatcher-password", address=HOME).status_code == 302
    client.logout()

    again = fail(client, "dispatcher", limit - 1)

    assert again.status_code == 200
    assert AccessAttempt.objects.get(username="dispatcher").failures_since_start == limit - 1
    assert sign_in(client, "dispatcher", "dispatcher-password", address=HOME).status_code == 302


def test_after_the_cool_off_the_right_password_signs_in_again(client, dispatcher, limit, settings):
    fail(client, "dispatcher", limit)
    # The last failure as long ago as the cool-off: the pause is over.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)

    response = sign_in(client, "dispatcher", "dispatcher-password", address=HOME)

    assert response.status_code == 302
    assert signed_in(client)


def test_a_locked_out_user_keeps_the_session_opened_before(client, dispatcher, limit):
    """Throttling guards the password form only; a signed-in browser is not thrown out."""
    client.force_login(dispatcher)
    another_browser = Client()

    assert fail(another_browser, "dispatcher", limit).status_code == 429
    assert client.get(reverse("portal:landing")).status_code == 200


class TestTheAddressCounted:
    def request(self, *, peer: str | None, forwarded: str | None = None):
        meta = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        request = RequestFactory().post(reverse("admin:login"), **meta)
        if peer is None:
            del request.META["REMOTE_ADDR"]  # daphne on a unix socket has no peer address
        else:
            request.META["REMOTE_ADDR"] = peer
        return request

    def test_embedded_it_is_the_peer_whatever_the_browser_forwards(self, settings):
        settings.CSIP_TLS_MODE = "embedded"

        assert client_address(self.request(peer=HOME, forwarded=ELSEWHERE)) == HOME

    def test_behind_nginx_it_is_the_address_nginx_appended(self, settings):
        settings.CSIP_TLS_MODE, settings.CSIP_TRUSTED_PROXIES = "proxy", ["unix"]

        # A browser sending its own X-Forwarded-For gets nginx's entry appended after it.
        assert client_address(self.request(peer=None, forwarded=f"{ELSEWHERE}, {HOME}")) == HOME
        assert client_address(self.request(peer=None, forwarded=HOME)) == HOME

    def test_behind_nginx_a_peer_that_is_not_a_trusted_proxy_is_not_believed(self, settings):
        settings.CSIP_TLS_MODE, settings.CSIP_TRUSTED_PROXIES = "proxy", ["unix"]

        assert client_address(self.request(peer=HOME, forwarded=ELSEWHERE)) == HOME
