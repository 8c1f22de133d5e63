"""The clients of the read-side tests: a direct DER, an aggregator with two DERs, and a stranger, each with a
real certificate presented through the proxy identity path, in the utility of tests/csip_api/utility.py."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from derms.models import Authorization, EndDevice, Role
from tests.csip_api.listener import LISTENER, Answer
from tests.csip_api.walking import Walk, walk
from tests.tls.servers import forwarded_header


@dataclass
class Actor:
    """A client with a certificate; ``get`` goes through the Django test client and real identify()."""

    header: str
    lfdi: str
    end_device: EndDevice | None
    django_client: object

    def get(self, url: str, **extra):
        return self.django_client.get(url, HTTP_X_FORWARDED_CLIENT_CERT=self.header, **extra)

    def answer(self, url: str, method: str = "GET") -> Answer:
        """``url`` read through the 2030.5 listener's whole WSGI stack, the cache's front first."""
        return LISTENER.request(method, url, HTTP_X_FORWARDED_CLIENT_CERT=self.header)

    def post(self, url: str, body: str):
        return self.django_client.post(
            url, body, content_type="application/sep+xml", HTTP_X_FORWARDED_CLIENT_CERT=self.header
        )

    def delete(self, url: str):
        return self.django_client.delete(url, HTTP_X_FORWARDED_CLIENT_CERT=self.header)

    def fetch(self, url: str) -> tuple[int, bytes]:
        response = self.get(url)
        return response.status_code, response.content

    def walk(self) -> Walk:
        return walk(self.fetch)


@pytest.fixture(autouse=True)
def _proxy_identity(settings):
    settings.CSIP_TLS_MODE = "proxy"
    settings.CSIP_TRUSTED_PROXIES = ["127.0.0.1"]


def _enroll(lfdi: str, role: str, **fields) -> EndDevice:
    Authorization.objects.create(
        lfdi=lfdi, role=role, status=Authorization.Status.APPROVED, aggregator=fields.get("aggregator")
    )
    return EndDevice.objects.create(lfdi=lfdi, role=role, pin=111115, **fields)


def _actor(certificate_of, name: str) -> tuple[str, str]:
    certificate = certificate_of(name)
    return forwarded_header(certificate), certificate.lfdi


@pytest.fixture
def direct_der(client, certificate_of, grid, programs):
    header, lfdi = _actor(certificate_of, "direct-der")
    device = _enroll(lfdi, Role.DIRECT, topology_group=grid["sp_1"], device_category=0x20000)
    device.non_topology_groups.add(grid["z"])
    return Actor(header, lfdi, device, client)


@pytest.fixture
def aggregator(client, certificate_of, grid, programs):
    header, lfdi = _actor(certificate_of, "aggregator")
    device = _enroll(lfdi, Role.AGGREGATOR)
    managed = []
    for index in range(2):
        _, der_lfdi = _actor(certificate_of, f"managed-{index}")
        der = _enroll(der_lfdi, Role.MANAGED, aggregator=device, topology_group=grid["sp_2"])
        der.non_topology_groups.add(grid["y"])
        managed.append(der)
    actor = Actor(header, lfdi, device, client)
    actor.managed = managed
    return actor


@pytest.fixture
def stranger(client, certificate_of, db):
    header, lfdi = _actor(certificate_of, "stranger")
    return Actor(header, lfdi, None, client)
