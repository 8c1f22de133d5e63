"""What one 2030.5 client may see: every read query starts from its Scope.

A direct DER sees its own EndDevice; an aggregator sees its own and those of the DERs it manages
(CSIP 5.2.1.5). A program, and the controls and curves inside it, is visible when one of those
EndDevices' FSAs leads there: a topology group the DER sits in or under, or one of its non-topology
groups. Anything outside the scope answers exactly like an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from csip_api.identity import Client
from derms.models import DERProgram, EndDevice, MirrorUsagePoint, Role


@dataclass(frozen=True)
class Scope:
    client: Client

    @property
    def end_device(self) -> EndDevice | None:
        """The client's own EndDevice (None until an in-band client has registered)."""
        return self.client.end_device

    def end_devices(self) -> QuerySet[EndDevice]:
        """The EndDevices this client may read, in EndDeviceList order (sFDI)."""
        own = self.end_device
        if own is None:
            return EndDevice.objects.none()
        if self.client.is_aggregator:
            return EndDevice.objects.filter(Q(pk=own.pk) | Q(aggregator_id=own.pk)).order_by("sfdi", "id")
        return EndDevice.objects.filter(pk=own.pk)

    def get_end_device(self, pk: int) -> EndDevice:
        """The EndDevice ``pk`` if this client may read it, else 404."""
        own = self.end_device
        if own is not None and own.pk == pk:
            return own
        found = self.end_devices().filter(pk=pk).first()
        if found is None:
            raise Http404
        return found

    def get_der_end_device(self, pk: int) -> EndDevice:
        """Like :meth:`get_end_device`, for resources only a DER has (FSAs, DERList): not an aggregator."""
        end_device = self.get_end_device(pk)
        if not end_device.is_der:
            raise Http404
        return end_device

    def get_der_by_lfdi(self, lfdi: str) -> EndDevice:
        """The DER a body names (deviceLFDI, endDeviceLFDI) if this client acts for it, else 404."""
        found = self.end_devices().exclude(role=Role.AGGREGATOR).filter(lfdi=lfdi).first()
        if found is None:
            raise Http404
        return found

    def mirror_usage_points(self) -> QuerySet[MirrorUsagePoint]:
        """The MirrorUsagePoints this client posted, oldest first."""
        if self.end_device is None:
            return MirrorUsagePoint.objects.none()
        return MirrorUsagePoint.objects.filter(client=self.end_device).order_by("id")

    def get_mirror_usage_point(self, pk: int) -> MirrorUsagePoint:
        found = self.mirror_usage_points().select_related("end_device").filter(pk=pk).first()
        if found is None:
            raise Http404
        return found

    def programs(self) -> QuerySet[DERProgram]:
        """The DERPrograms one of this client's DER EndDevices is assigned to."""
        ders = self.end_devices().exclude(role=Role.AGGREGATOR)
        topology = ders.filter(topology_group__path__startswith=OuterRef("group__path"))
        non_topology = ders.filter(non_topology_groups=OuterRef("group_id"))
        return DERProgram.objects.filter(Exists(topology) | Exists(non_topology))

    def get_program(self, pk: int) -> DERProgram:
        found = self.programs().filter(pk=pk).first()
        if found is None:
            raise Http404
        return found
