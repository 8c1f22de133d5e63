"""Who is calling: the one place that turns a TLS client certificate into a 2030.5 client.

The certificate comes from the connection when the WSGI server terminates mutual TLS itself
(``CSIP_TLS_MODE=embedded``: gunicorn hands the socket over in ``environ["gunicorn.socket"]``), or from
the ``X-Forwarded-Client-Cert`` header set by nginx (``CSIP_TLS_MODE=proxy``), believed only when the
request comes from a configured trusted proxy. Views receive a :class:`Client` and never see either.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import functools
from dataclasses import dataclass, replace
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from csip_api.cache.lru import LRU
from derms import changefeed
from derms.changefeed import DATABASE, TOPOLOGY, Kind, Resource, affected
from derms.lfdi import lfdi_from_certificate, sfdi_from_lfdi
from derms.listeners import CSIP, KEY, PORTAL, listener_of
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
    return _certificate_in(request.META)


def _certificate_in(environ) -> bytes | None:
    if settings.CSIP_TLS_MODE == "proxy":
        # A unix-socket peer has no address; "unix" in CSIP_TRUSTED_PROXIES admits it.
        if (environ.get("REMOTE_ADDR") or "unix") not in settings.CSIP_TRUSTED_PROXIES:
            return None
        return _certificate_from_header(environ.get(FORWARDED_CERT_META, ""))
    sock = environ.get("gunicorn.socket")
    getpeercert = getattr(sock, "getpeercert", None)
    if getpeercert is None:
        return None
    return getpeercert(binary_form=True) or None


def _certificate_from_header(value: str) -> bytes | None:
    """Parse nginx's ``$ssl_client_escaped_cert`` (URL-escaped PEM); refuse anything not currently valid."""
    if not value:
        return None
    parsed = _parse_forwarded_certificate(value)
    if parsed is None:
        return None
    der, not_before, not_after = parsed
    if not not_before <= timezone.now() <= not_after:
        return None
    return der


@functools.lru_cache(maxsize=4096)
def _parse_forwarded_certificate(value: str) -> tuple[bytes, dt.datetime, dt.datetime] | None:
    """The DER bytes and validity of a forwarded certificate. A client sends the same certificate on
    every request, and parsing it costs more than the rest of a cached read: remembered per value."""
    try:
        certificate = x509.load_pem_x509_certificate(unquote(value).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    return (
        certificate.public_bytes(Encoding.DER),
        certificate.not_valid_before_utc,
        certificate.not_valid_after_utc,
    )


def certificate_lfdi(request) -> str | None:
    """The LFDI of the certificate the client proved it holds, or None."""
    der = peer_certificate(request)
    return None if der is None else lfdi_from_certificate(der)


def environ_lfdi(environ) -> str | None:
    """:func:`certificate_lfdi` of a WSGI request on the 2030.5 listener, before Django sees it."""
    if environ.get(KEY) != CSIP:
        return None
    der = _certificate_in(environ)
    return None if der is None else lfdi_from_certificate(der)


def identify(request) -> Client:
    """Resolve the request's client from its certificate, the authorization list and the EndDevices."""
    lfdi = certificate_lfdi(request)
    return UNAUTHORIZED if lfdi is None else client_for_lfdi(lfdi)


@dataclass(frozen=True)
class KnownClient:
    """A client as looked up, with the versions of the feed resources that say whether it still is."""

    client: Client
    versions: dict[Resource, int]

    def is_current(self, current: dict[Resource, int]) -> bool:
        return all(current.get(resource) == version for resource, version in self.versions.items())

    def for_request(self) -> Client:
        """The client with its own copies of the model instances, which a request may change."""
        client = self.client
        return replace(
            client, authorization=copy.copy(client.authorization), end_device=copy.copy(client.end_device)
        )


_known: LRU[KnownClient] = LRU(settings.CSIP_IDENTITY_CACHE_SIZE)


def identity_resources(lfdi: str) -> list[Resource]:
    """What may change who ``lfdi`` is, known before anything is read: its authorization and EndDevice,
    the group structure its remembered EndDevice's topology node hangs in, and the database itself."""
    return [affected.client(lfdi), TOPOLOGY, DATABASE]


def remembered(lfdi: str) -> KnownClient | None:
    """The client last looked up for ``lfdi`` in this process, not yet checked against the feed."""
    return _known.get(lfdi)


def unchanged(lfdi: str) -> KnownClient | None:
    """The client remembered for ``lfdi`` if the feed says nothing about it changed (the process's leased
    copy of the feed, no query), else None. A revocation therefore applies to the very next request."""
    known = _known.get(lfdi)
    if known is not None and known.is_current(changefeed.leased_versions(known.versions)):
        return known
    return None


def client_for_lfdi(lfdi: str) -> Client:
    """Who ``lfdi`` is now: the remembered client if :func:`unchanged`, else looked up again."""
    known = unchanged(lfdi)
    return known.for_request() if known is not None else resolve(lfdi).client


def resolve(lfdi: str) -> KnownClient:
    """Look ``lfdi`` up in the authorization list and the EndDevices, and remember it if it may connect.

    The lookup and the versions are read in one snapshot, so a change committing in between shows as a
    newer version on the next request rather than being missed. Refused clients are not remembered: each
    of their requests keeps them visible to handbook administrators (last seen).
    """
    with changefeed.snapshot() as own:
        client, refused = _lookup(lfdi)
        resources = identity_resources(lfdi)
        if client.is_aggregator:
            # The DERs it acts for decide what it may read (csip_api.scope).
            resources.append(Resource(Kind.END_DEVICE_LIST, client.end_device.pk))
        known = KnownClient(client=client, versions=changefeed.versions(resources))
    if refused:
        _record_refused(lfdi, client.authorization)
    elif own:
        _known.put(lfdi, known)
    return known


def forget_clients() -> None:
    """Drop every remembered client (tests that rewrite the database under a running process)."""
    _known.clear()


def _lookup(lfdi: str) -> tuple[Client, bool]:
    """Who ``lfdi`` is by the authorization list and the EndDevices, and whether it is refused."""
    authorization = Authorization.objects.filter(lfdi=lfdi).first()
    if authorization is None or not authorization.is_approved or authorization.role == Role.MANAGED:
        # A DER approved through an aggregator never connects itself (CSIP G1: one scenario only).
        return Client(lfdi=lfdi, kind=ClientKind.UNAUTHORIZED, authorization=authorization), True
    end_device = EndDevice.objects.filter(lfdi=lfdi).select_related("topology_group").first()
    if end_device is None:
        return Client(lfdi=lfdi, kind=ClientKind.UNREGISTERED, authorization=authorization), False
    if not end_device.enabled:
        # Unticking "enabled" disconnects a direct DER or an aggregator exactly as revoking it does.
        return Client(lfdi=lfdi, kind=ClientKind.UNAUTHORIZED, authorization=authorization), True
    kind = ClientKind.AGGREGATOR if end_device.role == Role.AGGREGATOR else ClientKind.END_DEVICE
    return Client(lfdi=lfdi, kind=kind, authorization=authorization, end_device=end_device), False


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
