"""The cast of the end-to-end tests, holding certificates issued by the development PKI: a direct DER at
SP-1 (and in group Z), an aggregator managing two DERs at SP-2 (and in group Y), and a stranger nobody
approved, in the utility of tests/csip_api/utility.py. They talk to the servers of tests/tls/fixtures.py over
real HTTPS only."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from csip_api.pki import ClientCertificate
from derms.models import Authorization, DERProgram, EndDevice, Role
from tests.tls.fixtures import Nginx
from tests.tls.servers import CsipClient, ServerProcess


@dataclass
class Party:
    """A client of the utility: its certificate, its own EndDevice, and the DERs it reports for (itself
    for a direct DER, the DERs it manages for an aggregator)."""

    certificate: ClientCertificate
    end_device: EndDevice
    ders: list[EndDevice]

    @property
    def lfdi(self) -> str:
        return self.certificate.lfdi


def enroll(lfdi: str, role: str, **fields) -> EndDevice:
    """Approve ``lfdi`` as a handbook administrator would and register its EndDevice."""
    Authorization.objects.create(
        lfdi=lfdi,
        role=role,
        status=Authorization.Status.APPROVED,
        aggregator=fields.get("aggregator"),
        topology_group=fields.get("topology_group"),
    )
    return EndDevice.objects.create(lfdi=lfdi, role=role, **fields)


@pytest.fixture
def direct(transactional_db, grid, programs, direct_der_cert) -> Party:
    device = enroll(
        direct_der_cert.lfdi,
        Role.DIRECT,
        topology_group=grid["sp_1"],
        device_category=0x20000,
        pin=111115,
    )
    device.non_topology_groups.add(grid["z"])
    return Party(direct_der_cert, device, [device])


@pytest.fixture
def aggregator(transactional_db, grid, programs, aggregator_cert) -> Party:
    device = enroll(aggregator_cert.lfdi, Role.AGGREGATOR)
    managed = []
    for number in range(2):
        der = enroll(f"{number + 1:040x}", Role.MANAGED, aggregator=device, topology_group=grid["sp_2"])
        der.non_topology_groups.add(grid["y"])
        managed.append(der)
    return Party(aggregator_cert, device, managed)


@pytest.fixture(params=["gunicorn", "nginx"])
def api_port(request) -> int:
    """The 2030.5 API's port: gunicorn terminating mutual TLS itself, or nginx in front of it (proxy mode)."""
    if request.param == "nginx":
        nginx: Nginx = request.getfixturevalue("nginx")
        return nginx.api_port
    embedded: ServerProcess = request.getfixturevalue("embedded_api")
    return embedded.port


@dataclass
class Reporter:
    """A client sending what a DER reports: a direct DER for itself, or an aggregator for one of its DERs."""

    client: CsipClient
    party: Party
    der: EndDevice
    feeder_program: DERProgram  # the program of the DER's feeder


@pytest.fixture(params=["direct DER", "aggregator for its DER"])
def reporter(request, embedded_api, connect, direct, aggregator, programs) -> Reporter:
    party, feeder = (direct, "feeder_1") if request.param == "direct DER" else (aggregator, "feeder_2")
    return Reporter(connect(embedded_api.port, party.certificate), party, party.ders[0], programs[feeder])
