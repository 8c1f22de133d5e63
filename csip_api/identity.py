"""Who is calling: the one place that turns a TLS client certificate into a 2030.5 client.

The certificate comes from the connection when the WSGI server terminates mutual TLS itself
(``CSIP_TLS_MODE=embedded``: gunicorn hands the socket over in ``environ["gunicorn.socket"]``), or from
the ``X-Forwarded-Client-Cert`` header set by nginx (``CSIP_TLS_MODE=proxy``), believed only when the
request comes from a configured trusted proxy. Views receive a :class:`Client` and never see either.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from derms.lfdi import lfdi_from_certificate, sfdi_from_lfdi
from derms.listeners import PORTAL, listener_of
from derms.models import Authorization, EndDevice, Role

FORWARDED_CERT_META = "HTTP_X_FORWARDED_CLIENT_CERT"
#: How often a refused LFDI's last_seen is refreshed; a misbehaving client must not cause a write a request.
SEEN_REFRESH = dt.timedelta(minutes=5)


class ClientKind(enum.Enum):
    END_DEVICE = "end_device"  # a registered direct DER client
    AGGREGATOR = "aggregator"  # a registered aggregator
    UNREGISTERED = "unregistered"  # approved, but its EndDevice does not exist yet (in-band registration)
    UNAUTHORIZED = (
        "unauthorized"  # no certificate, unknown, pending, revoked, disabled, or not allowed to connect
    )


@dataclass(frozen=True)
class Client:
    lfdi: str | None
    kind: ClientKind
    authorization: Authorization | None = None
    end_device: EndDevice | None = None

    @property
    def sfdi(self) -> int | None:
        return sfdi_from_lfdi(self.lfdi) if self.lfdi else None

    @property
    def is_authorized(self) -> bool:
        return self.kind is not ClientKind.UNAUTHORIZED

    @property
    def is_aggregator(self) -> bool:
        return self.kind is ClientKind.AGGREGATOR


UNAUTHORIZED = Client(lfdi=None, kind=ClientKind.UNAUTHORIZED)


def peer_certificate(request) -> bytes | None:
    """The DER bytes of the certificate the client proved it holds, or None (always on the portal)."""
    if listener_of(request) == PORTAL:
        return None
    if settings.CSIP_TLS_MODE == "proxy":
        if not _from_trusted_proxy(request):
            return None
        return _certificate_from_header(request.META.get(FORWARDED_CERT_META, ""))
    sock = request.META.get("gunicorn.socket")
    getpeercert = getattr(sock, "getpeercert", None)
    if getpeercert is None:
        return None
    return getpeercert(binary_form=True) or None


def _from_trusted_proxy(request) -> bool:
    # A unix-socket peer has no address; "unix" in CSIP_TRUSTED_PROXIES admits it.
    remote = request.META.get("REMOTE_ADDR") or "unix"
    return remote in settings.CSIP_TRUSTED_PROXIES


def _certificate_from_header(value: str) -> bytes | None:
    """Parse nginx's ``$ssl_client_escaped_cert`` (URL-escaped PEM); refuse anything not currently valid."""
    if not value:
        return None
    try:
        certificate = x509.load_pem_x509_certificate(unquote(value).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    now = timezone.now()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        return None
    return certificate.public_bytes(Encoding.DER)


def identify(request) -> Client:
    """Resolve the request's client from its certificate, the authorization list and the EndDevices."""
    der = peer_certificate(request)
    if der is None:
        return UNAUTHORIZED
    return client_for_lfdi(lfdi_from_certificate(der))


def client_for_lfdi(lfdi: str) -> Client:
    """Who ``lfdi`` is now. Read on every request, so a revocation applies to the very next one."""
    authorization = Authorization.objects.filter(lfdi=lfdi).first()
    if authorization is None or not authorization.is_approved or authorization.role == Role.MANAGED:
        # A DER approved through an aggregator never connects itself (CSIP G1: one scenario only).
        _record_refused(lfdi, authorization)
        return Client(lfdi=lfdi, kind=ClientKind.UNAUTHORIZED, authorization=authorization)
    end_device = EndDevice.objects.filter(lfdi=lfdi).select_related("topology_group").first()
    if end_device is None:
        return Client(lfdi=lfdi, kind=ClientKind.UNREGISTERED, authorization=authorization)
    if not end_device.enabled:
        # Unticking "enabled" disconnects a direct DER or an aggregator exactly as revoking it does.
        _record_refused(lfdi, authorization)
        return Client(lfdi=lfdi, kind=ClientKind.UNAUTHORIZED, authorization=authorization)
    kind = ClientKind.AGGREGATOR if end_device.role == Role.AGGREGATOR else ClientKind.END_DEVICE
    return Client(lfdi=lfdi, kind=kind, authorization=authorization, end_device=end_device)


def _record_refused(lfdi: str, authorization: Authorization | None) -> None:
    """Keep unknown LFDIs visible to handbook administrators as "seen, not approved"."""
    now = timezone.now()
    if authorization is None:
        Authorization.objects.get_or_create(
            lfdi=lfdi,
            defaults={
                "status": Authorization.Status.SEEN,
                "role": Role.DIRECT,
                "first_seen": now,
                "last_seen": now,
            },
        )
        return
    if authorization.last_seen is None or now - authorization.last_seen > SEEN_REFRESH:
        Authorization.objects.filter(Q(pk=authorization.pk)).update(last_seen=now)
