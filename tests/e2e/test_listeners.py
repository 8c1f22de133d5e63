"""Each listener serves only its own side, over the real servers: on the 2030.5 listener (gunicorn, alone or
behind nginx) the portal, its API and the Django admin answer 404; on the portal listener (daphne) every
2030.5 resource answers 404 and no X-Forwarded-Client-Cert is believed, even from a trusted proxy."""

import http.client
import socket

import pytest

from csip_api import hrefs
from tests.csip_api.documents import REFUSED
from tests.tls.servers import forwarded_header, http_request

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

PORTAL_PATHS = ["/", "/admin/", "/admin/login/", "/api/v1/schema/", "/devices/", "/notifications/"]
CSIP_PATHS = ["/dcap", "/tm", "/edev", "/mup", "/rsps", "/whoami"]


class UnixConnection(http.client.HTTPConnection):
    """HTTP over a unix socket, as nginx talks to daphne."""

    def __init__(self, path: str):
        super().__init__("localhost", timeout=10)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


@pytest.mark.parametrize("path", PORTAL_PATHS)
def test_the_2030_5_listener_serves_no_portal_api_or_admin_url(api_port, connect, direct, path):
    response = connect(api_port, direct.certificate).get(path)

    assert (response.status, response.body) == (404, REFUSED)


def test_the_portal_listener_serves_the_portal(portal):
    assert http_request(portal.port, "/admin/login/").status == 200


@pytest.mark.parametrize("path", CSIP_PATHS)
def test_the_portal_listener_serves_no_2030_5_resource_and_believes_no_forwarded_certificate(
    proxied_portal, direct, path
):
    # daphne in proxy mode, reached on the unix socket its trusted proxy uses, with a certificate header
    # nginx would have set for an approved client.
    connection = UnixConnection(str(proxied_portal.unix_socket))
    connection.request("GET", path, headers={"X-Forwarded-Client-Cert": forwarded_header(direct.certificate)})
    response = connection.getresponse()
    response.read()
    connection.close()

    assert response.status == 404


def test_the_2030_5_listener_still_serves_2030_5(api_port, connect, direct):
    assert connect(api_port, direct.certificate).get(hrefs.href(hrefs.DCAP)).status == 200
