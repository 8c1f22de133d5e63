"""What one 2030.5 client may see: every read query starts from its Scope.

A direct DER sees its own EndDevice; an aggregator sees its own and those of the DERs it manages
(CSIP 5.2.1.5). A program, and the controls and curves inside it, is visible when one of those
EndDevices' FSAs leads there: a topology group the DER sits in or under, or one of its non-topology
groups. Anything outside the scope answers exactly like an id that does not exist.

An aggregator may manage tens of thousands of DERs, so nothing here walks its DERs: whether it reaches
a program is probed from the program's group down, at a cost bounded by the groups, not the DERs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from csip_api.identity import Client
from derms.models import DERProgram, EndDevice, MirrorUsagePoint
from groups.models import InSubtree, Level
from groups.selectors import topology_paths

_MEMBERSHIP = EndDevice.non_topology_groups.through


@dataclass(frozen=True)
class Scope:
    client: Client

    @property
    def end_device(self) -> EndDevice | None:
        """The client's own EndDevice (None until an in-band client has registered)."""
        return self.client.end_device

    def managed(self) -> QuerySet[EndDevice]:
        """The DERs an aggregator acts for (none for any other client)."""
        if not self.client.is_aggregator:
            return EndDevice.objects.none()
        # A revoked DER is disabled: from the next request on its aggregator can neither read nor write it.
        return EndDevice.objects.filter(aggregator_id=self.end_device.pk, enabled=True)

    def ders(self) -> QuerySet[EndDevice]:
        """The DER EndDevices this client acts for: its own, or an aggregator's managed DERs."""
        own = self.end_device
        if own is None:
            return EndDevice.objects.none()
        return self.managed() if self.client.is_aggregator else EndDevice.objects.filter(pk=own.pk)

    def end_device_count(self) -> int:
        own = self.end_device
        if own is None:
            return 0
        return 1 + (self.managed().count() if self.client.is_aggregator else 0)

    def get_end_device(self, pk: int) -> EndDevice:
        """The EndDevice ``pk`` if this client may read it, else 404."""
        own = self.end_device
        if own is not None and own.pk == pk:
            return own
        found = self.managed().filter(pk=pk).select_related("topology_group").first()
        if found is None:
            raise Http404
        return found

    def get_own_end_device(self, pk: int) -> EndDevice:
        """The client's own EndDevice, which holds what only the client itself has (its SubscriptionList)."""
        own = self.end_device
        if own is None or own.pk != pk:
            raise Http404
        return own

    def get_der_end_device(self, pk: int) -> EndDevice:
        """Like :meth:`get_end_device`, for resources only a DER has (FSAs, DERList): not an aggregator."""
        end_device = self.get_end_device(pk)
        if not end_device.is_der:
            raise Http404
        return end_device

    def get_der_by_lfdi(self, lfdi: str) -> EndDevice:
        """The DER a body names (deviceLFDI, endDeviceLFDI) if this client acts for it, else 404."""
        own = self.end_device
        if self.client.is_aggregator:
            found = self.managed().filter(lfdi=lfdi).first()
        else:
            found = own if own is not None and own.lfdi == lfdi else None
        if found is None:
            raise Http404
        return found

    def mirror_usage_points(self) -> QuerySet[MirrorUsagePoint]:
        """The MirrorUsagePoints this client posted for DERs it still acts for, oldest first."""
        own = self.end_device
        if own is None:
            return MirrorUsagePoint.objects.none()
        posted = MirrorUsagePoint.objects.filter(client=own)
        if self.client.is_aggregator:
            posted = posted.filter(end_device__in=self.managed())
        return posted.order_by("id")

    def get_mirror_usage_point(self, pk: int) -> MirrorUsagePoint:
        found = self.mirror_usage_points().select_related("end_device").filter(pk=pk).first()
        if found is None:
            raise Http404
        return found

    def _memberships(self) -> QuerySet:
        """The non-topology group memberships of the client's DERs."""
        own = self.end_device
        if self.client.is_aggregator:
            return _MEMBERSHIP.objects.filter(enddevice__aggregator_id=own.pk, enddevice__enabled=True)
        return _MEMBERSHIP.objects.filter(enddevice_id=own.pk)

    def _assigned(self) -> Case:
        """For a DERProgram row: whether an FSA of one of the client's DERs leads to it.

        A non-topology program through a membership of its group; a topology program when a DER sits in
        its group's subtree: an aggregator's probe walks that subtree's nodes on the path index and asks
        the (aggregator, topology_group) index about each, so it costs the same for 20 or 20,000 DERs.
        """
        member = Exists(self._memberships().filter(group_id=OuterRef("group_id")))
        if self.client.is_aggregator:
            under = InSubtree(F("topology_group__path"), OuterRef("group__path"))
            placed = Exists(self.managed().filter(under))
        else:
            placed = Q(group__path__in=topology_paths(self.end_device.topology_group))
        return Case(
            When(group__level=Level.NON_TOPOLOGY, then=member),
            When(placed, then=Value(True)),
            default=Value(False),
        )

    def programs(self, among: QuerySet[DERProgram] | None = None) -> QuerySet[DERProgram]:
        """The DERPrograms (of ``among``, e.g. annotated) one of this client's DERs is assigned to."""
        programs = DERProgram.objects.all() if among is None else among
        if self.end_device is None:
            return programs.none()
        return programs.filter(self._assigned())

    def get_program(self, pk: int, *, among: QuerySet[DERProgram] | None = None) -> DERProgram:
        """The program ``pk`` (from ``among``, e.g. annotated) if this client may read it, else 404."""
        found = self.programs(among).filter(pk=pk).first()
        if found is None:
            raise Http404
        return found
