"""What one 2030.5 client may see: every read query starts from its Scope.

A direct DER sees its own EndDevice; an aggregator sees its own and those of the DERs it manages
(CSIP 5.2.1.5). A program, and the controls and curves inside it, is visible when one of those
EndDevices' FSAs leads there: a topology group the DER sits in or under, or one of its non-topology
groups. Anything outside the scope answers exactly like an id that does not exist.

An aggregator may manage tens of thousands of DERs, so nothing here walks its DERs per program: the set
of its programs is derived from the distinct groups its DERs sit in (one index-only pass), and asking
about one program probes the DERs under that program's group only. A Scope lives for one request and
keeps what it derived for that request only, so a change of groups applies to the very next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Case, Exists, OuterRef, QuerySet, When
from django.http import Http404

from csip_api.identity import Client
from derms.models import DERProgram, EndDevice
from groups.models import Group, Level

_MEMBERSHIP = EndDevice.non_topology_groups.through


def ancestor_paths(paths: set[str]) -> set[str]:
    """Every materialized path on the way to each of ``paths``, the paths themselves included."""
    return {path[:end] for path in paths for end in range(Group.steplen, len(path) + 1, Group.steplen)}


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
        return EndDevice.objects.filter(aggregator_id=self.end_device.pk)

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

    def get_der_end_device(self, pk: int) -> EndDevice:
        """Like :meth:`get_end_device`, for resources only a DER has (FSAs, DERList): not an aggregator."""
        end_device = self.get_end_device(pk)
        if not end_device.is_der:
            raise Http404
        return end_device

    def _memberships(self) -> QuerySet:
        """The non-topology group memberships of the client's DERs."""
        own = self.end_device
        if self.client.is_aggregator:
            return _MEMBERSHIP.objects.filter(enddevice__aggregator_id=own.pk)
        return _MEMBERSHIP.objects.filter(enddevice_id=own.pk)

    def _membership(self) -> Case:
        """For a program's row: whether a DER of the client is a member of its non-topology group.

        Topology programs skip the subquery, whose plan over an aggregator's DERs is not free."""
        member = Exists(self._memberships().filter(group_id=OuterRef("group_id")))
        return Case(When(group__level=Level.NON_TOPOLOGY, then=member), default=False)

    def _topology_paths(self) -> set[str]:
        """The distinct topology nodes the client's DERs sit at (one query for an aggregator, none else)."""
        if self.client.is_aggregator:
            nodes = Group.objects.filter(pk__in=self.managed().values("topology_group_id"))
            return set(nodes.values_list("path", flat=True))
        own = self.end_device
        return {own.topology_group.path} if own.topology_group_id is not None else set()

    @cached_property
    def program_ids(self) -> frozenset[int]:
        """Every program reached through the FSAs of the client's DERs, derived from their groups."""
        if self.end_device is None:
            return frozenset()
        reachable = ancestor_paths(self._topology_paths())
        candidates = DERProgram.objects.values_list("pk", "group__path", self._membership())
        return frozenset(pk for pk, path, is_member in candidates if is_member or path in reachable)

    def programs(self) -> QuerySet[DERProgram]:
        """The DERPrograms one of this client's DER EndDevices is assigned to."""
        return DERProgram.objects.filter(pk__in=self.program_ids)

    def _reaches(self, program: DERProgram) -> bool:
        """Whether a DER of the client is assigned ``program``: its membership was annotated by the query
        that read the program; for a topology program, probe the DERs under that program's group only."""
        if program.reached_as_member:
            return True
        group = program.group
        if not group.is_topology:
            return False
        if self.client.is_aggregator:
            return self.managed().filter(topology_group__path__startswith=group.path).exists()
        own = self.end_device
        return own.topology_group_id is not None and own.topology_group.path.startswith(group.path)

    def get_program(self, pk: int, *, among: QuerySet[DERProgram] | None = None) -> DERProgram:
        """The program ``pk`` (from ``among``, e.g. annotated) if this client may read it, else 404."""
        if self.end_device is None:
            raise Http404
        programs = DERProgram.objects.all() if among is None else among
        program = (
            programs.filter(pk=pk)
            .select_related("group")
            .annotate(reached_as_member=self._membership())
            .first()
        )
        if program is None or not self._reaches(program):
            raise Http404
        return program
