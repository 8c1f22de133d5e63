"""The names the change feed gives the things 2030.5 clients read.

A resource is a kind and the primary key of the object it hangs off. The kinds are 2030.5 resource names
where a resource of that name exists, so the feed reads like the protocol; the domain never sees hrefs
(``csip_api.hrefs`` turns these into paths).
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class Kind(enum.StrEnum):
    #: One EndDevice (id: its pk): registered, deregistered, enabled, disabled, revoked, postRate, deleted.
    END_DEVICE = "EndDevice"
    #: An aggregator's EndDeviceList (id: the aggregator's EndDevice pk): a managed DER added or removed.
    END_DEVICE_LIST = "EndDeviceList"
    #: A DER's FunctionSetAssignmentsList (id: its EndDevice pk): its topology placement or its
    #: non-topology groups changed, itself or through a moved ancestor.
    FSA_LIST = "FunctionSetAssignmentsList"
    #: A group (id: its pk): renamed, moved, its DERProgram created or removed.
    GROUP = "Group"
    #: A DERProgram (id: its pk): created, primacy, description, pollRate of its lists, deleted.
    DER_PROGRAM = "DERProgram"
    #: A DERProgram's DERControlList (id: the program's pk): an event created, cancelled, superseded,
    #: started or ended by the clock.
    DER_CONTROL_LIST = "DERControlList"
    #: One DERControl (id: its pk).
    DER_CONTROL = "DERControl"
    #: A DERProgram's DefaultDERControl (id: the program's pk).
    DEFAULT_DER_CONTROL = "DefaultDERControl"
    #: A DERProgram's DERCurveList (id: the program's pk).
    DER_CURVE_LIST = "DERCurveList"
    #: One DERCurve (id: its pk).
    DER_CURVE = "DERCurve"
    #: One MirrorUsagePoint (id: its pk): its postRate, deleted.
    MIRROR_USAGE_POINT = "MirrorUsagePoint"
    #: The MirrorUsagePoints a client posted (id: the client's EndDevice pk): one created or deleted.
    MIRROR_USAGE_POINT_LIST = "MirrorUsagePointList"
    #: An EndDevice's LogEventList (id: its pk): a LogEvent posted.
    LOG_EVENT_LIST = "LogEventList"
    #: A client's SubscriptionList (id: the subscriber's EndDevice pk): one created, deleted or lapsed.
    SUBSCRIPTION_LIST = "SubscriptionList"
    #: Who a certificate's LFDI is (id: the LFDI's SFDI): its authorization decided or its EndDevice
    #: created, enabled, disabled, moved or given another role. Readers that remember identities (the
    #: 2030.5 API's) compare this version on every request; SFDIs can collide, which only costs a reload.
    CLIENT = "Client"
    #: This database's generation (id: 0), new at every migrate or flush: versions count from nothing
    #: again in a new database, and nothing remembered from the old one may match them.
    DATABASE = "Database"
    #: The whole group structure (id: 0): any group created, moved, renamed or deleted, or a program
    #: created or removed anywhere. A reader whose document depends on many groups keys on this one
    #: version instead of hundreds; such changes are rare. A DER's own placement is news on its EndDevice,
    #: FunctionSetAssignmentsList and its aggregator's EndDeviceList instead.
    TOPOLOGY = "Topology"


class Resource(NamedTuple):
    kind: Kind
    object_id: int

    @property
    def key(self) -> str:
        """The version table's key, e.g. ``DERControlList/12``."""
        return f"{self.kind}/{self.object_id}"

    @classmethod
    def from_key(cls, key: str) -> Resource:
        kind, _, object_id = key.partition("/")
        return cls(Kind(kind), int(object_id))

    def __str__(self) -> str:
        return self.key


#: Whole-server resources have no object of their own.
TOPOLOGY = Resource(Kind.TOPOLOGY, 0)
DATABASE = Resource(Kind.DATABASE, 0)
