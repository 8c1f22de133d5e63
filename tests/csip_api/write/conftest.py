"""The cast of the write-side tests: a direct DER, an aggregator with two DERs, a stranger, an event.

Every request goes through the real identity path: CSIP_TLS_MODE=proxy with the client certificate in
X-Forwarded-Client-Cert from 127.0.0.1, as nginx forwards it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from derms.lfdi import sfdi_from_lfdi
from derms.models import (
    Authorization,
    DERControl,
    DERProgram,
    EndDevice,
    Role,
)
from groups.models import Group, Level
from tests.csip_api.documents import (
    MEDIA_TYPE,
)
from tests.tls.servers import forwarded_header


@dataclass
class Caller:
    """A 2030.5 client holding one certificate."""

    lfdi: str
    header: str
    http: HttpClient

    @property
    def sfdi(self) -> int:
        return sfdi_from_lfdi(self.lfdi)

    def _send(self, method: str, path: str, body: str | bytes | None = None):
        return getattr(self.http, method)(
            path,
            data=body if body is not None else b"",
            content_type=MEDIA_TYPE,
            HTTP_X_FORWARDED_CLIENT_CERT=self.header,
            REMOTE_ADDR="127.0.0.1",
        )

    def get(self, path: str):
        return self.http.get(path, HTTP_X_FORWARDED_CLIENT_CERT=self.header, REMOTE_ADDR="127.0.0.1")

    def post(self, path: str, body: str | bytes):
        return self._send("post", path, body)

    def put(self, path: str, body: str | bytes):
        return self._send("put", path, body)

    def delete(self, path: str):
        return self._send("delete", path)


@pytest.fixture
def new_caller(certificate_of) -> Callable[[str], Caller]:
    """A client holding the development CA's certificate for ``name``."""

    def new_caller(name: str) -> Caller:
        certificate = certificate_of(name)
        return Caller(lfdi=certificate.lfdi, header=forwarded_header(certificate), http=HttpClient())

    return new_caller


def random_lfdi() -> str:
    return secrets.token_hex(20)


@pytest.fixture(autouse=True)
def proxy_identity(settings):
    settings.CSIP_TLS_MODE = "proxy"
    settings.CSIP_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.CSIP_UNAUTHORIZED_STATUS = 404


@pytest.fixture
def feeder(db) -> Group:
    system = Group.objects.add_root(create_kwargs=dict(name="System", level=Level.SYSTEM))
    return Group.objects.add_child(system, create_kwargs=dict(name="Feeder 12", level=Level.FEEDER))


@pytest.fixture
def program(feeder) -> DERProgram:
    return DERProgram.objects.create(group=feeder, primacy=10, description="Feeder 12")


@pytest.fixture
def event(program) -> DERControl:
    """An event for feeder 12 that asks for responses."""
    return DERControl.objects.create(
        program=program, start=timezone.now() + dt.timedelta(minutes=5), duration=3600, response_required=3
    )


def approve(
    lfdi: str,
    *,
    role: str,
    group: Group | None,
    aggregator: EndDevice | None = None,
    registration_mode: str = Authorization.RegistrationMode.OUT_OF_BAND,
    pin: int | None = None,
) -> Authorization:
    return Authorization.objects.create(
        lfdi=lfdi,
        status=Authorization.Status.APPROVED,
        role=role,
        topology_group=group,
        aggregator=aggregator,
        registration_mode=registration_mode,
        pin=pin,
    )


def direct_der(caller: Caller, group: Group) -> Caller:
    """``caller`` as a direct DER client, approved and registered in ``group``."""
    approve(caller.lfdi, role=Role.DIRECT, group=group)
    caller.end_device = EndDevice.objects.create(lfdi=caller.lfdi, role=Role.DIRECT, topology_group=group)
    return caller


@pytest.fixture
def direct(new_caller, feeder) -> Caller:
    return direct_der(new_caller("direct DER"), feeder)


@pytest.fixture
def stranger(new_caller, feeder) -> Caller:
    """Another direct DER client: nothing of the others is its business."""
    return direct_der(new_caller("stranger"), feeder)


@pytest.fixture
def aggregator(new_caller, feeder) -> Caller:
    """An aggregator with two registered DERs in feeder 12 and one more approved for in-band
    registration but not registered."""
    caller = new_caller("aggregator")
    approve(caller.lfdi, role=Role.AGGREGATOR, group=None)
    caller.end_device = EndDevice.objects.create(lfdi=caller.lfdi, role=Role.AGGREGATOR)
    caller.ders = []
    for _ in range(2):
        lfdi = random_lfdi()
        approve(lfdi, role=Role.MANAGED, group=feeder, aggregator=caller.end_device)
        caller.ders.append(
            EndDevice.objects.create(
                lfdi=lfdi, role=Role.MANAGED, aggregator=caller.end_device, topology_group=feeder
            )
        )
    caller.approved_lfdi = random_lfdi()
    approve(
        caller.approved_lfdi,
        role=Role.MANAGED,
        group=feeder,
        aggregator=caller.end_device,
        registration_mode=Authorization.RegistrationMode.IN_BAND,
    )
    return caller
