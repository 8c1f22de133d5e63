"""The portal and its websockets on daphne, alone (as `manage.py serve` runs it) and behind nginx."""

import http.client
import json
import re
import ssl
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.tls.servers import http_request

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

PASSWORD = "grid-operator-passphrase"


@pytest.fixture
def dispatcher():
    return get_user_model().objects.create_user("dispatcher", password=PASSWORD, is_staff=True)


def browser_context(server_pki) -> ssl.SSLContext:
    """A browser trusting the portal's certificate; it has no client certificate."""
    return ssl.create_default_context(cafile=server_pki.ca_cert)


def fleet_greeting(url: str, *, origin: str, cookie: str, context: ssl.SSLContext | None = None) -> dict:
    headers = {"Cookie": cookie} if cookie else {}
    with connect(url, ssl=context, origin=origin, additional_headers=headers, proxy=None) as websocket:
        return json.loads(websocket.recv(timeout=10))


def cookies(response: http.client.HTTPResponse) -> SimpleCookie:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie", []):
        jar.load(header)
    return jar


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_the_portal_login_page_is_served_by_daphne(portal):
    response = http_request(portal.port, "/admin/login/")

    assert response.status == 200
    assert b"csrfmiddlewaretoken" in response.body


def test_a_signed_in_dispatcher_opens_the_fleet_websocket_on_daphne(portal, dispatcher):
    origin = f"http://127.0.0.1:{portal.port}"

    greeting = fleet_greeting(
        f"ws://127.0.0.1:{portal.port}/ws/live/", origin=origin, cookie=session_cookie(dispatcher)
    )

    assert greeting == {"type": "hello", "user": "dispatcher"}


def test_an_anonymous_fleet_websocket_is_refused_by_daphne(portal):
    origin = f"http://127.0.0.1:{portal.port}"

    with pytest.raises(InvalidStatus) as refused:
        fleet_greeting(f"ws://127.0.0.1:{portal.port}/ws/live/", origin=origin, cookie="")

    assert refused.value.response.status_code == 403


def sign_in_through_nginx(nginx, server_pki, password: str, headers: dict | None = None):
    """GET the login form and POST it as the dispatcher over one connection: (form page, login response)."""
    origin = f"https://127.0.0.1:{nginx.portal_port}"
    conn = http.client.HTTPSConnection("127.0.0.1", nginx.portal_port, context=browser_context(server_pki))
    conn.request("GET", "/admin/login/")
    page = conn.getresponse()
    body = page.read().decode()
    csrf_cookie = cookies(page)[settings.CSRF_COOKIE_NAME].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    form = urlencode({"username": "dispatcher", "password": password, "csrfmiddlewaretoken": token})
    conn.request(
        "POST",
        "/admin/login/?next=/admin/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={csrf_cookie}",
            "Origin": origin,
            "Referer": f"{origin}/admin/login/",
            **(headers or {}),
        },
    )
    login = conn.getresponse()
    login.read()
    conn.close()
    return page, login


def test_a_dispatcher_signs_in_through_nginx_and_opens_the_fleet_websocket(nginx, server_pki, dispatcher):
    page, login = sign_in_through_nginx(nginx, server_pki, PASSWORD)
    session = cookies(login)[settings.SESSION_COOKIE_NAME].value

    greeting = fleet_greeting(
        f"wss://127.0.0.1:{nginx.portal_port}/ws/live/",
        origin=f"https://127.0.0.1:{nginx.portal_port}",
        cookie=f"{settings.SESSION_COOKIE_NAME}={session}",
        context=browser_context(server_pki),
    )

    assert page.status == 200
    assert login.status == 302
    assert greeting == {"type": "hello", "user": "dispatcher"}


def test_failed_sign_ins_through_nginx_count_against_the_browsers_address_whatever_it_forwards(
    nginx, server_pki, dispatcher
):
    forged = {"X-Forwarded-For": "198.51.100.7"}

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _, refused = sign_in_through_nginx(nginx, server_pki, "not-the-password", forged)
    _, locked_out = sign_in_through_nginx(nginx, server_pki, "not-the-password")
    _, right_password = sign_in_through_nginx(nginx, server_pki, PASSWORD, forged)

    assert refused.status == 200
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("dispatcher", "127.0.0.1")]
    assert locked_out.status == 429
    assert right_password.status == 429


def test_an_anonymous_fleet_websocket_is_refused_behind_nginx(nginx, server_pki):
    origin = f"https://127.0.0.1:{nginx.portal_port}"

    with pytest.raises(InvalidStatus) as refused:
        fleet_greeting(
            f"wss://127.0.0.1:{nginx.portal_port}/ws/live/",
            origin=origin,
            cookie="",
            context=browser_context(server_pki),
        )

    assert refused.value.response.status_code == 403


def test_a_forwarded_certificate_sent_to_the_portal_never_reaches_the_app(
    nginx, server_pki, direct_der_cert, approve
):
    approve(direct_der_cert)
    forged = {"X-Forwarded-Client-Cert": quote(direct_der_cert.cert.read_text())}
    conn = http.client.HTTPSConnection("127.0.0.1", nginx.portal_port, context=browser_context(server_pki))

    conn.request("GET", "/whoami", headers=forged)
    response = conn.getresponse()

    assert response.status == 404
