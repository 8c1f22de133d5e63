"""Rendered 2030.5 documents, served again while the change feed says nothing they were built from changed.

A document is remembered under its route, ids, paging query (s, l, a) and audience. The audience is the
client's own EndDevice for what is the client's (DeviceCapability, EndDevices, FunctionSetAssignments,
DERProgramLists), and nobody for what hangs below a DERProgram (its controls, default, curves): that is
the same for every client the scope lets read the program, and whether this client may is checked on
every hit against the programs remembered for it.

An entry holds the body, the feed resources it was built from with the versions they had in the
snapshot it was rendered in, and, for a document that changes with the clock (an event starting or
ending, Time's second), the instant it stops being valid. Entries live in this process (a bounded LRU)
and, with ``REDIS_URL``, in Redis, shared by every worker and node and checked against the feed alike.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

from csip_api.cache.lru import LRU
from csip_api.identity import KnownClient
from csip_api.paging import PageRequest
from csip_api.scope import Scope
from derms.changefeed import Resource

logger = logging.getLogger(__name__)

#: The Django cache alias of the shared tier (configured when REDIS_URL is set).
SHARED_ALIAS = "csip_documents"


class Audience(enum.Enum):
    #: The document is the client's own: remembered per client EndDevice.
    CLIENT = "client"
    #: The document belongs to the DERProgram in the path, the same for every client that may read it.
    PROGRAM = "program"
    #: The same document for every client the server lets in (Time).
    EVERY_CLIENT = "every client"


@dataclass
class Sources:
    """What a view builds a document from, declared while it renders."""

    resources: set[Resource] = field(default_factory=set)
    valid_until: dt.datetime | None = None

    def add(self, *resources: Resource | Iterable[Resource]) -> None:
        for resource in resources:
            if isinstance(resource, Resource):
                self.resources.add(resource)
            else:
                self.resources.update(resource)

    def until(self, moment: dt.datetime | None) -> None:
        """The document changes by itself at ``moment`` (None: not by the clock)."""
        if moment is not None and (self.valid_until is None or moment < self.valid_until):
            self.valid_until = moment


@dataclass(frozen=True)
class Entry:
    body: bytes
    versions: tuple[tuple[Resource, int], ...]
    valid_until: dt.datetime | None
    #: The DERProgram whose readers may be served it, for a PROGRAM document.
    program_id: int | None = None

    @property
    def resources(self) -> list[Resource]:
        return [resource for resource, _ in self.versions]

    def to_bytes(self) -> bytes:
        """The entry as the shared tier keeps it: a JSON line, then the body. Never pickled: whoever can
        write to Redis must not be able to make a worker run code (the same rule as Celery's JSON)."""
        head = {
            "versions": [[resource.key, version] for resource, version in self.versions],
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "program_id": self.program_id,
        }
        return json.dumps(head).encode() + b"\n" + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> Entry:
        head, _, body = data.partition(b"\n")
        fields = json.loads(head)
        valid_until = fields["valid_until"]
        return cls(
            body=body,
            versions=tuple((Resource.from_key(key), version) for key, version in fields["versions"]),
            valid_until=dt.datetime.fromisoformat(valid_until) if valid_until else None,
            program_id=fields["program_id"],
        )

    def is_current(self, current: dict[Resource, int], now: dt.datetime) -> bool:
        if self.valid_until is not None and now >= self.valid_until:
            return False
        return all(current.get(resource) == version for resource, version in self.versions)


Key = tuple


def key(route: str, ids: dict, page: PageRequest, audience: Audience, known: KnownClient) -> Key | None:
    """The cache key of a document, or None when it is not remembered for this client (no EndDevice yet)."""
    if audience is not Audience.CLIENT:
        holder = None
    elif known.client.end_device is None:
        return None
    else:
        holder = known.client.end_device.pk
    return (route, tuple(sorted(ids.items())), page.start, page.limit, page.after, holder)


_local: LRU[Entry] = LRU(settings.CSIP_DOCUMENT_CACHE_BYTES)
_visible: LRU[frozenset[int]] = LRU(settings.CSIP_IDENTITY_CACHE_SIZE)


def lookup(document_key: Key) -> Entry | None:
    """The entry remembered here, else the shared one (not yet checked against the feed)."""
    entry = _local.get(document_key)
    if entry is None and (shared := _shared()) is not None:
        try:
            stored = shared.get(_shared_key(document_key))
            entry = None if stored is None else Entry.from_bytes(stored)
        except Exception:  # the shared tier is an optimisation: Redis down means rendering, not failing
            logger.warning("shared document cache unavailable", exc_info=True)
            return None
        if entry is not None:
            _local.put(document_key, entry, cost=len(entry.body))
    return entry


def remember(document_key: Key, entry: Entry) -> None:
    _local.put(document_key, entry, cost=len(entry.body))
    if (shared := _shared()) is not None:
        try:
            shared.set(_shared_key(document_key), entry.to_bytes())
        except Exception:
            logger.warning("shared document cache unavailable", exc_info=True)


def may_read(known: KnownClient, entry: Entry) -> bool:
    """Whether ``known`` may be served ``entry``: a client document is only ever under its own key; a
    program document goes to the clients the scope lets read that program."""
    return entry.program_id is None or entry.program_id in visible_programs(known)


def visible_programs(known: KnownClient) -> frozenset[int]:
    """The DERPrograms the client may read, as the scope decides, remembered while the client's versions
    (which include the whole group structure's) stay the same."""
    holder = (known.client.lfdi, tuple(sorted(known.versions.items())))
    programs = _visible.get(holder)
    if programs is None:
        programs = frozenset(Scope(known.client).programs().values_list("pk", flat=True))
        _visible.put(holder, programs)
    return programs


def forget() -> None:
    """Remember nothing from before, here or shared (tests that compare with a fresh rendering)."""
    global _salt
    forget_local()
    _salt = secrets.token_hex(4)


def forget_local() -> None:
    """Drop what this process remembers; what it shared stays for the other workers."""
    _local.clear()
    _visible.clear()


class BytesSerializer:
    """The shared tier's serializer (settings.CACHES): entries are bytes already, stored as they are."""

    def dumps(self, value: bytes) -> bytes:
        return value

    def loads(self, data: bytes) -> bytes:
        return data


def _shared():
    return caches[SHARED_ALIAS] if SHARED_ALIAS in settings.CACHES else None


def _shared_key(document_key: Key) -> str:
    return f"{_NAMESPACE}{_salt}:{hashlib.sha256(repr(document_key).encode()).hexdigest()}"


#: The settings a rendered document depends on (not those of one node: workers, ports, certificate paths).
_RENDERING_SETTINGS = (
    "CSIP_POLL_RATE",
    "CSIP_POST_RATE",
    "CSIP_MAX_PAGE_SIZE",
    "CSIP_TIME_QUALITY",
    "CSIP_DIRECT_DER_SUBSCRIPTIONS",
    "TIME_ZONE",
)


def _namespace() -> str:
    """Shared entries outlive a deployment: they are filed under this code and these settings only."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for package in ("csip_api", "derms", "groups", "notifications"):
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.read_bytes())
    for name in _RENDERING_SETTINGS:
        digest.update(f"{name}={getattr(settings, name)!r}".encode())
    return digest.hexdigest()[:16]


_NAMESPACE = _namespace()
_salt = ""
